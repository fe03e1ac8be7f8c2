"""How fast planex extracts, against the HF pipeline and the bare forward pass, measured in one run.

Every variant reads the same documents; the repeats are interleaved (each round runs every
variant once), so a machine that slows down for a while slows all of them alike, and the
ratios of one run stay comparable even where the absolute times do not. Each variant reports
the minimum and the median of its times, and the median of the CPU time its process used (every
thread): on a shared machine the clock also counts the time other jobs held the cores, CPU time
does not, so there the ratios in CPU time are the steadier ones.

- ``planex``: the whole path a request takes: normalise → windows → model → decode → raw
  offsets → task table.
- ``hf_pipeline``: what a user would otherwise write: ``pipeline("token-classification",
  aggregation_strategy="simple", stride=…)`` on the same model folder and the same normalised
  texts, with planex's window length and overlap, so both do the same model work per text.
- ``bare_forward``: only the model's forward passes over planex's own batches of windows
  (recorded from a planex run), the ceiling for any extraction with this model.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import torch

from planex import paths
from planex.inference import Entity, Extractor
from planex.modelio import LoadedModel, load_model
from planex.modelspec import WindowConfig, window_config, window_stride
from planex.normalise import normalise
from planex.precision import with_precision
from planex.tasktable import build_task_table
from planex.textio import read_text
from training.speed_variants import SpeedConfig, Variant, variants
from training.textsource import iter_jsonl_records


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)


def documents(cfg: SpeedConfig) -> tuple[list[tuple[str, str]], str]:
    """The seeds and the longest corpus texts as (id, raw text); the note says what was left out."""
    seeds = sorted(paths.SEEDS.glob("*.txt"))
    docs = [(p.stem, read_text(p)) for p in seeds]
    if cfg.quick:
        docs = sorted(docs, key=lambda d: len(d[1]))[:1]  # the shortest seed keeps a quick run short
    n_long = 3 if cfg.quick else cfg.long_texts
    if not cfg.corpus.is_file():
        return docs, f"corpus {cfg.corpus} absent: seeds only"
    records = [r for _, r in iter_jsonl_records(cfg.corpus) if isinstance(r.get("text"), str)]
    longest = sorted(records, key=lambda r: -len(r["text"]))[:n_long]
    return docs + [(str(r.get("id", "?")), r["text"]) for r in longest], ""


class Runner:
    """Builds each variant once and times one pass of it over the documents."""

    def __init__(self, cfg: SpeedConfig, raws: list[str]):
        self.cfg = cfg
        self.docs = {False: raws, True: [raws[0][:3000]]}  # warm=True: a short text
        self.texts = {warm: [normalise(r).text for r in docs] for warm, docs in self.docs.items()}
        self.fp32 = load_model(cfg.model, device="cpu")
        self._loaded: dict[str, LoadedModel] = {"fp32": self.fp32}
        self._inputs: dict[tuple[str, int, int, bool], list[dict[str, torch.Tensor]]] = {}
        self._pipeline: Any = None
        self._pools: dict[int, ThreadPoolExecutor] = {}
        self.max_window = window_config(self.fp32.spec).max_tokens
        self.entities: dict[str, list[list[Entity]]] = {}  # the last output of each planex variant

    def loaded(self, precision: str) -> LoadedModel:
        if precision not in self._loaded:
            self._loaded[precision] = with_precision(self.fp32, precision)
        return self._loaded[precision]

    def extractor(self, v: Variant) -> Extractor:
        return Extractor(self.loaded(v.precision), WindowConfig(v.window, window_stride(v.window), v.batch_size))

    def run(self, v: Variant, warm: bool = False) -> tuple[float, dict[str, float]]:
        """Seconds for one pass of ``v`` over every document, and its stages (planex only)."""
        torch.set_num_threads(v.threads)
        if v.kind == "planex":
            return self._planex(v, warm)
        if v.kind == "bare_forward":
            batches = self._batches(v, warm)
            model = self.loaded(v.precision).model
            started = time.perf_counter()
            with torch.inference_mode():
                for inputs in batches:
                    model(**inputs)
            return time.perf_counter() - started, {}
        pipe = self._hf_pipeline(v)
        started = time.perf_counter()
        for text in self.texts[warm]:
            pipe(text)
        return time.perf_counter() - started, {}

    def _planex(self, v: Variant, warm: bool) -> tuple[float, dict[str, float]]:
        ex = self.extractor(v)
        clock: dict[str, float] = {}

        def timed(stage: str, fn: Callable[[], Any]) -> Any:
            t = time.perf_counter()
            out = fn()
            clock[stage] = clock.get(stage, 0.0) + time.perf_counter() - t
            return out

        # The steps of Extractor.extract, each timed; the sum is the time of extract plus the task table.
        norms = timed("normalise", lambda: [normalise(r) for r in self.docs[warm]])
        texts = [n.text for n in norms]
        encoded = timed("tokenise+hints", lambda: ex.encode(texts))
        batches = timed("windows", lambda: list(ex.batches(encoded)))
        results = timed("forward", lambda: self._forward(ex, batches, v.forward_threads))
        probs = timed("merge", lambda: ex.merge(encoded, results))
        spans = timed("decode", lambda: [ex.decode(t, o, p) for t, (o, p) in zip(texts, probs, strict=True)])
        entities = timed("raw offsets", lambda: [ex.entities(n, s) for n, s in zip(norms, spans, strict=True)])
        timed("task table", lambda: [build_task_table(n, e) for n, e in zip(norms, entities, strict=True)])
        if not warm:
            self.entities[v.name] = entities
        return sum(clock.values()), clock

    def _forward(self, ex: Extractor, batches: list[Any], threads: int) -> list[tuple[Any, Any]]:
        if threads == 1:
            return [(chunk, ex.forward(inputs)) for chunk, inputs in batches]
        if threads not in self._pools:
            self._pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="speed-forward")
        pending = [(chunk, self._pools[threads].submit(ex.forward, inputs)) for chunk, inputs in batches]
        return [(chunk, future.result()) for chunk, future in pending]

    def _batches(self, v: Variant, warm: bool) -> list[dict[str, torch.Tensor]]:
        key = (v.precision, v.window, v.batch_size, warm)
        if key not in self._inputs:
            ex = self.extractor(v)
            self._inputs[key] = [inputs for _, inputs in ex.batches(ex.encode(self.texts[warm]))]
        return self._inputs[key]

    def _hf_pipeline(self, v: Variant) -> Any:
        if self._pipeline is None:
            from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

            path = str(self.cfg.model)
            # The model's window (the tokenizer's default is the position table, 512, longer than trained).
            tokenizer = AutoTokenizer.from_pretrained(path, model_max_length=v.window)
            model = AutoModelForTokenClassification.from_pretrained(path, use_safetensors=True)
            overlap = v.window - 2 - window_stride(v.window)
            self._pipeline = pipeline(
                "token-classification",
                model=model,
                tokenizer=tokenizer,
                aggregation_strategy="simple",
                stride=overlap,
                device="cpu",
            )
        return self._pipeline


def measure(cfg: SpeedConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every variant ``repeats`` times, interleaved; return the figures ``planex speed`` reports."""
    docs, note = documents(cfg)
    runner = Runner(cfg, [raw for _, raw in docs])
    chars = sum(len(r) for r in runner.docs[False])
    todo = variants(cfg, runner.max_window)
    timings = {v.name: Timing() for v in todo}
    load_before = os.getloadavg()
    started = time.perf_counter()
    for v in todo:  # a short warm-up each: loading, quantising and first calls stay out of the figures
        runner.run(v, warm=True)
    for rep in range(cfg.repeats):
        for v in todo if rep % 2 == 0 else todo[::-1]:
            cpu = time.process_time()
            seconds, stages = runner.run(v)
            timings[v.name].cpu_seconds.append(time.process_time() - cpu)
            timings[v.name].seconds.append(seconds)
            for stage, s in stages.items():
                timings[v.name].stages.setdefault(stage, []).append(s)
        log(f"round {rep + 1}/{cfg.repeats} done ({time.perf_counter() - started:.0f} s)")
    results = {v.name: _summary(v, timings[v.name], chars) for v in todo}
    planex, pipe, bare = (results[k]["chars_per_s_median"] for k in ("planex", "hf_pipeline", "bare_forward"))
    cpu = {k: results[k]["cpu_seconds_median"] for k in ("planex", "hf_pipeline", "bare_forward")}
    return {
        "documents": [{"id": i, "characters": len(raw)} for i, raw in docs],
        "characters": chars,
        "note": note,
        "quick": cfg.quick,
        "repeats": cfg.repeats,
        "model": str(cfg.model),
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
        "seconds_total": round(time.perf_counter() - started, 1),
        "ratio_vs_hf_pipeline": round(planex / pipe, 3),
        "ratio_vs_bare_forward": round(planex / bare, 3),
        "ratio_vs_hf_pipeline_cpu": _per(cpu["hf_pipeline"], cpu["planex"]),
        "ratio_vs_bare_forward_cpu": _per(cpu["bare_forward"], cpu["planex"]),
        "ratio_vs_bare_forward_fp32": _ratio(results, "planex", "bare_forward fp32"),
        "span_agreement": _agreement(runner.entities, "planex", f"planex {_reference(cfg.precision)}"),
        "results": results,
    }


def _reference(precision: str) -> str:
    """What ``planex``'s spans are compared with: fp32, as trained (int8 for an fp32 run)."""
    return "int8" if precision == "fp32" else "fp32"


def _agreement(outputs: dict[str, list[list[Entity]]], a: str, b: str) -> float | None:
    """Share of spans (label and raw offsets) that two variants both predict, of all spans either predicts."""
    if a not in outputs or b not in outputs:
        return None
    both = either = 0
    for x, y in zip(outputs[a], outputs[b], strict=True):
        sx, sy = {(e.label, e.start, e.end) for e in x}, {(e.label, e.start, e.end) for e in y}
        both, either = both + len(sx & sy), either + len(sx | sy)
    return round(both / either, 4) if either else 1.0


def _per(a: float, b: float) -> float | None:
    """``a / b``, or None where ``b`` is 0 (a clock too coarse for a tiny run)."""
    return round(a / b, 3) if b else None


def _ratio(results: dict[str, Any], a: str, b: str) -> float | None:
    if a not in results or b not in results:
        return None
    return round(results[a]["chars_per_s_median"] / results[b]["chars_per_s_median"], 3)


def _summary(v: Variant, t: Timing, chars: int) -> dict[str, Any]:
    best, median, cpu = min(t.seconds), statistics.median(t.seconds), statistics.median(t.cpu_seconds)
    return {
        "kind": v.kind,
        "precision": v.precision,
        "threads": v.threads,
        "batch_size": v.batch_size,
        "window": v.window,
        "forward_threads": v.forward_threads,
        "seconds": [round(s, 3) for s in t.seconds],
        "seconds_min": round(best, 3),
        "seconds_median": round(median, 3),
        "chars_per_s_best": round(chars / best),
        "chars_per_s_median": round(chars / median),
        "cpu_seconds": [round(s, 3) for s in t.cpu_seconds],
        "cpu_seconds_median": round(cpu, 3),
        "stages_median_s": {k: round(statistics.median(v), 4) for k, v in t.stages.items()},
    }
