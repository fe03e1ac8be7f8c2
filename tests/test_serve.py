"""``planex serve``: settings from the environment, the bind guard, and a clear failed start."""

from __future__ import annotations

from pathlib import Path

import pytest

from planex_cli.main import build_parser, main
from serving.settings import Settings


def test_serve_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODEL_PATH", "HOST", "PORT", "API_KEY", "MAX_CHARS"):
        monkeypatch.delenv(f"PLANEX_{name}", raising=False)
    s = Settings()
    assert (s.model_path, s.host, s.port, s.api_key, s.max_chars) == (
        Path("models/default"),
        "127.0.0.1",
        8000,
        None,
        200_000,
    )
    monkeypatch.setenv("PLANEX_PORT", "9001")
    monkeypatch.setenv("PLANEX_API_KEY", "s3cret-key")
    monkeypatch.setenv("PLANEX_MAX_CHARS", "500000")
    s = Settings()
    assert (
        s.port == 9001
        and s.api_key is not None
        and s.api_key.get_secret_value() == "s3cret-key"
        and s.max_chars == 500_000
    )
    assert "s3cret" not in repr(s)  # the key never shows in logs or tracebacks


@pytest.mark.parametrize(
    ("host", "key", "allow", "ok"),
    [
        ("127.0.0.1", None, False, True),
        ("localhost", None, False, True),
        ("::1", None, False, True),
        ("0.0.0.0", None, False, False),
        ("192.168.1.5", None, False, False),
        ("myhost.example", None, False, False),
        ("0.0.0.0", "secret", False, True),
        ("0.0.0.0", None, True, True),
    ],
)
def test_serve_refuses_public_bind_without_key(host: str, key: str | None, allow: bool, ok: bool) -> None:
    s = Settings(host=host, api_key=key, allow_public_without_key=allow)
    if ok:
        s.check_bind()
    else:
        with pytest.raises(ValueError, match=f"refusing to listen on {host} without an API key: set PLANEX_API_KEY"):
            s.check_bind()


def test_serve_cli_parses_flags() -> None:
    args = build_parser().parse_args(["serve", "--model", "m", "--port", "9000", "--host", "::1"])
    assert (args.model, args.port, args.host, args.allow_public_without_key) == (Path("m"), 9000, "::1", None)


def test_serve_cli_fails_clearly_without_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nothing-here"
    assert main(["serve", "--model", str(missing), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert f"planex serve: model folder {missing} does not exist; train one with `planex train` or pass --model" in err


def test_serve_cli_refuses_public_host(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANEX_API_KEY", raising=False)
    monkeypatch.delenv("PLANEX_ALLOW_PUBLIC_WITHOUT_KEY", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "refusing to listen on 0.0.0.0 without an API key" in capsys.readouterr().err
