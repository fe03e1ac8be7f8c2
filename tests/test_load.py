"""The inference pool's forward threads and `planex load` against a real local server."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from planex.inference import Extractor
from planex.modelio import load_model
from planex.modelspec import WindowConfig
from planex_cli.main import main
from serving.pool import BoundedPool
from training.loadtest import LoadConfig


def test_load_pool_runs_forward_passes_on_its_threads_with_the_same_spans(
    tiny_model_dir: Path, seed_texts: dict[str, str]
) -> None:
    ex = Extractor(load_model(tiny_model_dir), WindowConfig(max_tokens=32, stride=20, batch_size=4))
    raw = seed_texts["002_09fd2415f66b5df1"][:1200]
    alone = [(e.label, e.start, e.end) for e in ex.extract([raw])[0][1]]
    threads: set[str] = set()
    real = ex.forward

    def spy(inputs: Any) -> Any:
        threads.add(threading.current_thread().name)
        return real(inputs)

    ex.forward = spy  # type: ignore[method-assign]
    pool = BoundedPool(threads=1, queue_size=0, forward_threads=2)
    try:
        result, _, _ = asyncio.run(pool.run(lambda: ex.extract([raw])))
    finally:
        pool.shutdown()
    assert threads and all(name.startswith("planex-forward") for name in threads)
    assert [(e.label, e.start, e.end) for e in result[0][1]] == alone
    ex.extract([raw])  # outside the pool the passes run in the calling thread again
    assert threading.current_thread().name in threads


@pytest.mark.parametrize("env", [{"PLANEX_HOST": "0.0.0.0"}, {"PLANEX_PORT": "80"}, {"HOST": "x"}])
def test_load_refuses_settings_that_leave_loopback(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="loopback only"):
        LoadConfig(env=env)


def test_load_runs_clients_against_a_local_server(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["load", "--model", str(tiny_model_dir), "--clients", "2", "--requests", "6", "--seconds", "120"]
    argv += ["--labels", "labels/seeds", "--max-chars", "400", "--reports", str(tmp_path), "--json"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    run = report["summary"]["settings"]
    assert run["errors"] == 0 and run["requests_per_s"] > 0
    assert 0 < run["latency_s"]["p50"] <= run["latency_s"]["p95"] <= run["latency_s"]["p99"]
    assert run["rss_mb_first"] > 0 and run["rss_mb_max"] >= run["rss_mb_first"]
    assert report["runs"]["settings"][0]["requests_ok"] == 6
    assert "requests/s" in (tmp_path / "load.md").read_text(encoding="utf-8")
