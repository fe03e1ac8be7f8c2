"""``planex serve``: settings from the environment, the bind guard, and a clear failed start."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from planex import paths
from planex_cli.main import build_parser, main
from serving.settings import Settings
from tests import liveserver


def test_serve_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODEL_PATH", "HOST", "PORT", "API_KEY", "MAX_CHARS"):
        monkeypatch.delenv(f"PLANEX_{name}", raising=False)
    s = Settings()
    assert (s.model_path, s.host, s.port, s.api_key, s.max_chars) == (
        paths.MODELS / "default",
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


def _post(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        return r.status, json.loads(r.read())


@pytest.mark.parametrize("change", ["truncate", "rewrite"])
def test_serve_survives_weights_file_changed_in_place(tiny_model_dir: Path, tmp_path: Path, change: str) -> None:
    """The served model.safetensors cut short or overwritten under a live server: it keeps serving what it loaded.

    With the weights left as a view of the memory-mapped file, the next request read pages past the
    new end of the file and the kernel killed the server with SIGBUS.
    """
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    env = {"PLANEX_MODEL_PATH": str(model), "PLANEX_FEEDBACK_DIR": str(tmp_path / "feedback")}
    text = {"text": "（一）建设数据平台。2025年底前完成。（牵头单位：市大数据局）"}
    with liveserver.in_process(env, tmp_path / "server.log") as (url, proc):
        status, before = _post(url + "/v1/extract", text)
        assert status == 200
        weights = model / "model.safetensors"
        with weights.open("r+b") as f:  # in place: the same inode the server mapped
            if change == "truncate":
                f.truncate(0)
            else:
                f.write(b"\0" * weights.stat().st_size)
        status, after = _post(url + "/v1/extract", text)
        assert proc.poll() is None, (proc.returncode, (tmp_path / "server.log").read_text(errors="replace"))
        assert status == 200 and after["entities"] == before["entities"]


def test_serve_memory_is_trimmed_after_large_requests_only() -> None:
    from serving import memory

    assert memory.release_after(memory.TRIM_AFTER_CHARS - 1) is False
    if memory._malloc_trim() is not None:  # glibc
        assert memory.release_after(memory.TRIM_AFTER_CHARS) is True
