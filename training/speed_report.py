"""Write what `planex speed` measured as reports/speed.json and reports/speed.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planex import atomic

TARGETS = "extraction ≥ 3× the HF pipeline and ≥ 0.8× the bare forward pass (issue 25)"


def write(report: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write ``speed.json`` and ``speed.md`` into ``folder`` atomically; return both paths."""
    js, md = folder / "speed.json", folder / "speed.md"
    atomic.write_text(js, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    atomic.write_text(md, render_markdown(report))
    return js, md


def render_markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    load = r["load_average"]
    lines = [
        "# Extraction speed",
        "",
        f"Produced by `{r['command']}` on {m['date']} (commit {m['commit'] or '?'}"
        + (", with uncommitted code" if m.get("uncommitted_code") else "")
        + f"): {m['cpu']}, {m['cores']} cores, torch {m['torch']}, transformers {m['transformers']}, "
        f"Python {m['python']}; model `{r['model']}`.",
        "",
        f"Load average (1, 5, 15 min) {_load(load['before'])} before and {_load(load['after'])} after the run"
        + (
            ": the machine was shared, so absolute times are noisy; the ratios compare variants timed in the "
            "same interleaved rounds."
            if max(load["before"][0], load["after"][0]) > 0.5 * m["cores"]
            else "."
        ),
        "",
        f"Documents: {len(r['documents'])} ({r['characters']:,} characters"
        + (f"; {r['note']}" if r["note"] else "")
        + f"); {r['repeats']} interleaved rounds after a warm-up pass, min and median of each.",
        "",
        f"**planex ÷ HF pipeline: {r['ratio_vs_hf_pipeline']:.2f}×; planex ÷ bare forward (same precision): "
        f"{r['ratio_vs_bare_forward']:.2f}×**"
        + (
            f"; planex ÷ bare fp32 forward: {r['ratio_vs_bare_forward_fp32']:.2f}×"
            if r.get("ratio_vs_bare_forward_fp32")
            else ""
        )
        + f". Targets: {TARGETS}.",
        "",
    ]
    if r.get("ratio_vs_hf_pipeline_cpu") and r.get("ratio_vs_bare_forward_cpu"):
        lines += [
            f"In CPU time (the process's, every thread; what other jobs on the cores do not inflate): planex ÷ HF "
            f"pipeline {r['ratio_vs_hf_pipeline_cpu']:.2f}×, "
            f"planex ÷ bare forward {r['ratio_vs_bare_forward_cpu']:.2f}×.",
            "",
        ]
    if r.get("span_agreement") is not None:
        lines += [
            f"Spans (label and raw offsets) that `planex` and `planex fp32` (the model as trained; `planex int8` for "
            f"an fp32 run) both predict, of all spans either predicts on these documents: {r['span_agreement']:.2%}.",
            "",
        ]
    lines += [
        "| variant | precision | torch threads | forward threads | batch | window | chars/s (median) | "
        "chars/s (best) | s (median) | CPU s (median) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, v in r["results"].items():
        lines.append(
            f"| {name} | {v['precision']} | {v['threads']} | {v['forward_threads']} | {v['batch_size']} | "
            f"{v['window']} | "
            f"{v['chars_per_s_median']:,} | {v['chars_per_s_best']:,} | {v['seconds_median']:.2f} | "
            f"{_cpu(v)} |"
        )
    stages = r["results"]["planex"]["stages_median_s"]
    total = sum(stages.values()) or 1.0
    lines += ["", "Stages of `planex` (median seconds over the rounds):", "", "| stage | s | share |", "|---|---|---|"]
    lines += [f"| {k} | {s:.3f} | {s / total:.0%} |" for k, s in stages.items()]
    lines += [
        "",
        '`hf_pipeline` is `pipeline("token-classification", aggregation_strategy="simple", stride=…)` on the '
        "fp32 model folder, given the model's window length and planex's overlap, one text per call (its default "
        "batch size). `bare_forward` replays planex's own batches of windows through the model and nothing else. "
        "`forward threads` > 1 runs the batches on a thread pool, as `planex serve` does (PLANEX_FORWARD_THREADS); "
        "its CPU seconds add up both threads.",
        "",
    ]
    return "\n".join(lines)


def _cpu(v: dict[str, Any]) -> str:
    return f"{v['cpu_seconds_median']:.2f}" if "cpu_seconds_median" in v else "–"  # reports from before the column


def _load(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def write_load(report: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write ``load.json`` and ``load.md`` into ``folder`` atomically; return both paths."""
    js, md = folder / "load.json", folder / "load.md"
    atomic.write_text(js, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    atomic.write_text(md, render_load(report))
    return js, md


def render_load(r: dict[str, Any]) -> str:
    m, load = r["machine"], r["load_average"]
    lines = [
        "# Serving under load",
        "",
        f"Produced by `{r['command']}` on {m['date']} (commit {m['commit'] or '?'}"
        + (", with uncommitted code" if m.get("uncommitted_code") else "")
        + f"): {m['cpu']}, {m['cores']} cores; each run starts `planex serve` on 127.0.0.1.",
        "",
        f"Load average (1, 5, 15 min) {_load(load['before'])} before and {_load(load['after'])} after"
        + (": the machine was shared, so absolute figures are noisy." if load["before"][0] > 0.5 * m["cores"] else "."),
        "",
        "| configuration | settings | requests/s | p50 s | p95 s | p99 s | errors | RSS MB first / max / last |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in r["summary"].items():
        settings = ", ".join(f"{k.removeprefix('PLANEX_')}={v}" for k, v in s["settings"].items()) or "defaults"
        lat = s["latency_s"]
        lines.append(
            f"| {name} | {settings} | {s['requests_per_s']:.2f} | {lat['p50']:.2f} | {lat['p95']:.2f} | "
            f"{lat['p99']:.2f} | {s['errors']} | {s['rss_mb_first']} / {s['rss_mb_max']} / {s['rss_mb_last']} |"
        )
    first = next(iter(r["summary"].values()))
    lines += [
        "",
        f"{r['rounds']} round(s) per configuration, alternating; medians over rounds. Requests carry labelled plan "
        f"texts of {first['chars_per_request_mean']:,} characters on average.",
    ]
    if "ratio_requests_per_s" in r:
        lines += [
            "",
            f"**settings ÷ baseline requests/s: {r['ratio_requests_per_s']:.2f}×** (target ≥ 2×, p95 ≤ 1.5 s).",
        ]
    return "\n".join([*lines, ""])
