"""What `planex speed` times: planex at its settings, the pipeline, the bare forward pass, then one change at a time."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, replace
from pathlib import Path

from planex.modelspec import DEFAULT_BATCH_SIZE
from planex.precision import PRECISIONS
from planex.sources import DEFAULT_CORPUS


@dataclass(frozen=True)
class SpeedConfig:
    model: Path = Path("models/default")
    quick: bool = False
    repeats: int = 3
    precision: str = "onnx-int8"  # as served (PLANEX_PRECISION)
    threads: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE
    corpus: Path = DEFAULT_CORPUS
    long_texts: int = 10  # the longest corpus texts join the seeds
    sweep: bool = True


@dataclass(frozen=True)
class Variant:
    """One configuration of extraction to time; ``kind`` is planex, hf_pipeline or bare_forward."""

    name: str
    kind: str
    precision: str
    threads: int
    batch_size: int
    window: int
    forward_threads: int = 1  # more: batches run on a thread pool, as the server runs them


def variants(cfg: SpeedConfig, max_window: int) -> list[Variant]:
    """The three systems at planex's settings, then one setting changed at a time (the sweep)."""
    base = Variant("planex", "planex", cfg.precision, cfg.threads, cfg.batch_size, max_window)
    out = [
        base,
        replace(base, name="hf_pipeline", kind="hf_pipeline", precision="fp32", batch_size=1),  # its default
        replace(base, name="bare_forward", kind="bare_forward"),
    ]
    if not cfg.sweep:
        return out
    for other in other_precisions(cfg.precision):  # every other precision, planex and its bare forward pass
        out += [replace(base, name=f"planex {other}", precision=other)]
        out += [replace(base, name=f"bare_forward {other}", kind="bare_forward", precision=other)]
    if not cfg.quick:  # two torch threads on two busy cores can take three times as long: the full run only
        out += [replace(base, name=f"planex threads={t}", threads=t) for t in sorted({1, 2} - {cfg.threads})]
    out += [replace(base, name="planex forward_threads=2", threads=1, forward_threads=2)]
    # The two int8 runtimes side by side on both cores too, as the server runs them.
    out += [
        replace(base, name=f"planex {p} forward_threads=2", precision=p, threads=1, forward_threads=2)
        for p in other_precisions(cfg.precision)
        if p != "fp32"
    ]
    batches = [1, 16] if cfg.quick else [1, 4, 8, 16, 32]
    out += [replace(base, name=f"planex batch={b}", batch_size=b) for b in batches if b != cfg.batch_size]
    windows = [64] if cfg.quick else [32, 64]
    out += [replace(base, name=f"planex window={w}", window=w) for w in windows if w < max_window]
    return out


def other_precisions(precision: str) -> list[str]:
    """The precisions to compare with ``precision``: the others this install can run (onnx-int8 needs the extra)."""
    runnable = [p for p in PRECISIONS if p != "onnx-int8" or importlib.util.find_spec("onnxruntime") is not None]
    return [p for p in runnable if p != precision]
