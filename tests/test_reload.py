"""Hot reload: broken models are refused while the old one serves; a good one swaps in under load, never mixed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from planex import registry
from planex.hints import HINT_LABELS
from planex.scheme import parse_scheme
from serving import reload
from serving.app import create_app
from serving.settings import Settings
from tests.conftest import ROOT, build_tiny_model
from tests.test_crf import add_crf

KEY = "reload-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TEXT = "（一）加强数据管理。2025年底前完成。（牵头单位：市大数据局）"
FIVE_LABELS = parse_scheme(
    {"labels": [{"name": n} for n in ("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR", "SUPPORT_UNIT")]}
)


def _nan_weights(folder: Path) -> None:
    from safetensors.torch import load_file, save_file

    tensors = load_file(folder / "model.safetensors")
    tensors["classifier.weight"].fill_(float("nan"))
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})


@pytest.fixture(scope="module")
def models_root(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1 (test-0, the default), v2 (test-1) and five folders that must be refused."""
    root = tmp_path_factory.mktemp("models")
    shutil.copytree(tiny_model_dir, root / "v1")
    build_tiny_model(root / "v2", seed=1)
    build_tiny_model(root / "other-labels", scheme=FIVE_LABELS, seed=2)
    for name in ("broken-weights", "no-meta", "nan-weights", "hints-without-weights", "crf-wrong-labels"):
        shutil.copytree(tiny_model_dir, root / name)
    weights = root / "broken-weights" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    (root / "no-meta" / "planex.json").unlink()
    _nan_weights(root / "nan-weights")
    meta_file = root / "hints-without-weights" / "planex.json"  # claims rule hints its 2 token types cannot take
    meta_file.write_text(json.dumps({**json.loads(meta_file.read_text()), "rule_hints": list(HINT_LABELS)}))
    # A CRF file that scores other tags than the model's (five labels' tags on a four-label model).
    add_crf(root / "crf-wrong-labels", FIVE_LABELS.tags)
    registry.promote("v1", root)
    return root


def settings(root: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"model_path": root / "default", "models_dir": root, "api_key": KEY, **overrides}
    return Settings(**values)


@pytest.fixture
def client(models_root: Path) -> Iterator[TestClient]:
    registry.promote("v1", models_root)
    with TestClient(create_app(settings(models_root)), raise_server_exceptions=False) as c:
        yield c


def version(client: TestClient) -> str:
    r = client.post("/v1/extract", json={"text": TEXT}, headers=AUTH)
    assert r.status_code == 200, r.text
    return str(r.json()["model"]["version"])


def test_reload_needs_an_api_key(models_root: Path, client: TestClient) -> None:
    with TestClient(create_app(settings(models_root, api_key=None))) as open_client:
        r = open_client.post("/v1/admin/reload", json={"version": "v2"})
        assert r.status_code == 403 and "PLANEX_API_KEY" in r.json()["detail"]
    assert client.post("/v1/admin/reload", json={"version": "v2"}).status_code == 401
    assert version(client) == "test-0"


@pytest.mark.parametrize(
    ("name", "status", "reason"),
    [
        ("broken-weights", 409, "weights cannot be loaded"),
        ("no-meta", 409, "planex.json is missing"),
        ("nan-weights", 409, "NaN or infinite scores"),
        ("hints-without-weights", 409, "the folder is inconsistent"),
        ("crf-wrong-labels", 409, "crf.safetensors scores the tags"),
        ("other-labels", 409, "has the labels TASK, DEADLINE, LEAD_UNIT, INDICATOR, SUPPORT_UNIT but"),
        ("v9", 422, "available versions: "),
        ("../v1", 422, "not a path"),
    ],
)
def test_reload_refuses_bad_model_and_keeps_serving(client: TestClient, name: str, status: int, reason: str) -> None:
    r = client.post("/v1/admin/reload", json={"version": name}, headers=AUTH)
    assert r.status_code == status
    body = r.json()
    assert reason in body["detail"] and "version test-0 keeps serving" in body["detail"]
    assert body["reload"]["outcome"] == "failed" and reason in body["reload"]["reason"]
    assert version(client) == "test-0"
    info = client.get("/v1/model", headers=AUTH).json()
    assert info["version"] == "test-0" and info["last_reload"]["requested"] == name
    assert info["last_reload"]["outcome"] == "failed" and info["last_reload"]["finished"]
    assert 'planex_model_reloads_total{outcome="failed"}' in client.get("/metrics").text


def test_reload_swaps_under_load_without_mixing(client: TestClient) -> None:
    seen: list[tuple[int, str]] = []
    stop, started = threading.Event(), threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            r = client.post("/v1/extract", json={"text": TEXT}, headers=AUTH)
            seen.append((r.status_code, r.json().get("model", {}).get("version", r.text)))
            started.set()

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        assert started.wait(30)
        r = client.post("/v1/admin/reload", json={"version": "v2"}, headers=AUTH)
        assert r.status_code == 200, r.text
        assert r.json()["reload"]["version"] == "test-1" and r.json()["reload"]["path"].endswith("v2")
        n = len(seen)
        deadline = time.monotonic() + 30
        while len(seen) < n + 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        worker.join(30)
    assert {code for code, _ in seen} == {200}, seen
    versions = [v for _, v in seen]
    switch = versions.index("test-1")
    assert switch > 0 and set(versions[:switch]) == {"test-0"} and set(versions[switch:]) == {"test-1"}
    info = client.get("/v1/model", headers=AUTH).json()
    assert info["version"] == "test-1" and info["last_reload"]["outcome"] == "ok"
    assert info["available_versions"] == sorted(
        ["v1", "v2", "other-labels", "broken-weights", "nan-weights", "hints-without-weights", "crf-wrong-labels"]
    )


def test_reload_without_version_rereads_model_path(client: TestClient, models_root: Path) -> None:
    registry.promote("v2", models_root)  # what `planex train --promote` does
    assert version(client) == "test-0"  # promotion alone changes nothing until a reload
    r = client.post("/v1/admin/reload", headers=AUTH)  # no body at all
    assert r.status_code == 200 and r.json()["reload"]["requested"] is None
    assert version(client) == "test-1"
    registry.promote("v1", models_root)
    assert client.post("/v1/admin/reload", json={}, headers=AUTH).status_code == 200
    assert version(client) == "test-0"


def test_reload_one_at_a_time_and_202_after_timeout(models_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    real = reload.load_state

    def slow_load(path: Path, s: Settings) -> reload.ModelState:
        gate.wait(30)
        return real(path, s)

    with TestClient(create_app(settings(models_root, reload_timeout_s=0.2))) as c:
        monkeypatch.setattr(reload, "load_state", slow_load)
        r = c.post("/v1/admin/reload", json={"version": "v2"}, headers=AUTH)
        assert r.status_code == 202 and r.json()["reload"]["outcome"] == "running"
        r = c.post("/v1/admin/reload", json={"version": "v1"}, headers=AUTH)
        assert r.status_code == 409 and "is still running" in r.json()["detail"]
        assert version(c) == "test-0"  # the old model answers while the new one loads
        gate.set()
        deadline = time.monotonic() + 30
        while c.get("/v1/model", headers=AUTH).json()["last_reload"]["outcome"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert version(c) == "test-1"


def _get(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers=AUTH)
    with urllib.request.urlopen(request, timeout=5) as r:
        data: dict[str, Any] = json.loads(r.read())
        return data


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_reload_on_sighup_under_planex_serve(models_root: Path, tmp_path: Path) -> None:
    registry.promote("v1", models_root)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PLANEX_API_KEY": KEY, "PLANEX_MODELS_DIR": str(models_root), "PLANEX_LOG_LEVEL": "warning"}
    cmd = [sys.executable, "-m", "planex_cli.main", "serve", "--model", str(models_root / "default")]
    cmd += ["--port", str(port)]
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1/model"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "planex serve did not start"
            try:
                assert _get(url)["version"] == "test-0"
                break
            except OSError:
                time.sleep(0.2)
        registry.promote("v2", models_root)
        proc.send_signal(signal.SIGHUP)
        while (info := _get(url))["version"] != "test-1":
            assert time.monotonic() < deadline + 30, info
            time.sleep(0.1)
        assert info["last_reload"]["trigger"] == "sighup" and info["last_reload"]["outcome"] == "ok"
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
        registry.promote("v1", models_root)
