"""Load a local planex server with N concurrent clients on real plan texts; report latency, throughput and memory.

The server is started here, as ``planex serve`` on 127.0.0.1 and a free port, so the test never
leaves the machine and the resident memory of exactly that process can be read while it runs.
The run is bounded twice: by a number of requests and by a number of seconds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planex.labelfile import load_documents
from planex.scheme import load_scheme


@dataclass(frozen=True)
class LoadConfig:
    model: Path = Path("models/default")
    clients: int = 8
    requests: int = 200
    seconds: float = 120.0
    labels: tuple[Path, ...] = (Path("labels/corpus"), Path("labels/seeds"))
    max_chars: int = 10_000  # longer texts are cut: one request stays a request, not a batch job
    env: dict[str, str] = field(default_factory=dict)  # PLANEX_* settings for the server
    start_timeout_s: float = 180.0

    def __post_init__(self) -> None:
        if self.clients < 1 or self.requests < 1 or self.seconds <= 0:
            raise ValueError("--clients and --requests must be at least 1 and --seconds above 0")
        bad = [k for k in self.env if not k.startswith("PLANEX_")]
        if bad or "PLANEX_HOST" in self.env or "PLANEX_PORT" in self.env:
            raise ValueError("--set takes PLANEX_* settings other than PLANEX_HOST and PLANEX_PORT (loopback only)")


def plan_texts(cfg: LoadConfig) -> list[str]:
    """The labelled documents' texts in a fixed order, each cut to ``max_chars``."""
    docs = load_documents(list(cfg.labels), load_scheme())
    texts = [d.text[: cfg.max_chars] for d in sorted(docs, key=lambda d: d.id) if d.text.strip()]
    if not texts:
        raise ValueError(f"no labelled documents in {', '.join(map(str, cfg.labels))}")
    return texts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _post(url: str, text: str) -> int:
    body = json.dumps({"text": text}).encode()
    req = urllib.request.Request(url, body, {"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


class Server:
    """``planex serve`` in a child process on 127.0.0.1; stopped on exit."""

    def __init__(self, cfg: LoadConfig, log_path: Path):
        self.port = _free_port()
        env = {**os.environ, **cfg.env, "PLANEX_HOST": "127.0.0.1", "PLANEX_PORT": str(self.port)}
        env["PLANEX_MODEL_PATH"] = str(cfg.model)
        self.log = log_path.open("w", encoding="utf-8")
        cmd = [sys.executable, "-c", "import sys; from planex_cli.main import main; sys.exit(main(['serve']))"]
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + cfg.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ValueError(f"planex serve exited with {self.proc.returncode}; its log is {log_path}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        self.stop()
        raise ValueError(f"planex serve was not ready after {cfg.start_timeout_s:.0f} s; its log is {log_path}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def run_load(cfg: LoadConfig, log_path: Path) -> dict[str, Any]:
    """Start a server, run the clients until ``requests`` are done or ``seconds`` pass; return the figures."""
    texts = plan_texts(cfg)
    server = Server(cfg, log_path)
    try:
        url = server.base + "/v1/extract"
        _post(url, texts[0])  # one request first: no first-call costs in the figures
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        rss: list[tuple[float, float]] = []
        lock = threading.Lock()
        issued = 0
        started = time.perf_counter()
        deadline = started + cfg.seconds
        stop = threading.Event()

        def client() -> None:
            nonlocal issued
            while time.perf_counter() < deadline:
                with lock:
                    if issued >= cfg.requests:
                        return
                    text = texts[issued % len(texts)]
                    issued += 1
                t = time.perf_counter()
                status = _post(url, text)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 200:
                        latencies.append(time.perf_counter() - t)

        def sample() -> None:
            while True:  # one sample at once, then every half second, and one after the last request
                mb = _rss_mb(server.proc.pid)
                if mb is not None:
                    rss.append((round(time.perf_counter() - started, 1), round(mb, 1)))
                if stop.wait(0.5):
                    break

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        threads = [threading.Thread(target=client) for _ in range(cfg.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        stop.set()
        sampler.join()
        mb = _rss_mb(server.proc.pid)
        if mb is not None:
            rss.append((round(time.perf_counter() - started, 1), round(mb, 1)))
    finally:
        server.stop()
    lat = np.array(latencies) if latencies else np.array([np.nan])
    sent = [texts[i % len(texts)] for i in range(issued)]
    return {
        "clients": cfg.clients,
        "requests_ok": len(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(wall, 1),
        "requests_per_s": round(len(latencies) / wall, 2),
        "chars_per_request_mean": round(sum(map(len, sent)) / max(1, len(sent))),
        "latency_s": {q: round(float(np.percentile(lat, p)), 3) for q, p in (("p50", 50), ("p95", 95), ("p99", 99))},
        "rss_mb": {
            "first": rss[0][1] if rss else None,
            "max": max(m for _, m in rss) if rss else None,
            "last": rss[-1][1] if rss else None,
            "samples": rss,
        },
        "settings": cfg.env,
        "model": str(cfg.model),
        "texts": len(texts),
    }


# What planex served with before issue 25: fp32, one request on the model at a time, torch's own threads.
BASELINE = {
    "PLANEX_PRECISION": "fp32",
    "PLANEX_INFERENCE_THREADS": "1",
    "PLANEX_FORWARD_THREADS": "1",
    "PLANEX_TORCH_THREADS": "0",
}


def run_configs(configs: dict[str, LoadConfig], rounds: int, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run each configuration ``rounds`` times, alternating; the summary takes medians over the rounds."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
    before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="planex-load-") as tmp:
        for r in range(rounds):
            for name, cfg in configs.items():
                log(f"round {r + 1}/{rounds}: {name} ({cfg.clients} clients)")
                try:
                    runs[name].append(run_load(cfg, Path(tmp) / f"{name}.log"))
                except ValueError as e:  # the server did not start: show its log, which is deleted with tmp
                    log_text = (Path(tmp) / f"{name}.log").read_text(encoding="utf-8", errors="replace")
                    raise ValueError(f"{e}\n{log_text[-3000:]}") from None
    summary = {name: _summary(rs) for name, rs in runs.items()}
    report: dict[str, Any] = {
        "load_average": {"before": list(before), "after": list(os.getloadavg())},
        "rounds": rounds,
        "summary": summary,
        "runs": runs,
    }
    if "baseline" in summary and "settings" in summary:
        report["ratio_requests_per_s"] = round(
            summary["settings"]["requests_per_s"] / max(summary["baseline"]["requests_per_s"], 1e-9), 2
        )
    return report


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def median(get: Callable[[dict[str, Any]], float]) -> float:
        return float(np.median([get(r) for r in runs]))

    return {
        "requests_per_s": round(median(lambda r: r["requests_per_s"]), 2),
        "latency_s": {q: round(median(lambda r, q=q: r["latency_s"][q]), 3) for q in ("p50", "p95", "p99")},
        "rss_mb_first": runs[0]["rss_mb"]["first"],
        "rss_mb_max": max((r["rss_mb"]["max"] or 0.0) for r in runs),
        "rss_mb_last": runs[-1]["rss_mb"]["last"],
        "settings": runs[0]["settings"],
        "chars_per_request_mean": runs[0]["chars_per_request_mean"],
        "errors": sum(n for r in runs for s, n in r["statuses"].items() if s != "200"),
    }
