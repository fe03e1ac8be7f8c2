"""The benchmark report: the machine it ran on, and the Markdown that reads ``benchmark.json``."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from training.errors import markdown_table as error_table
from training.linkscore import markdown_table as link_table


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        # Code edited or added since the commit ran too: say so, or the report credits the commit with it.
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "planex", "planex_cli", "training", "serving"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit, changed = "", ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "uncommitted_code": bool(changed),
    }


def _raw_text_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    if any(r.get("raw_texts") == "label files" for systems in results.values() for r in systems.values()):
        return [
            "The raw texts were not found here (the plan corpus is not part of the repository), so `exact raw` "
            "counts offsets into the label files' texts."
        ]
    return []


def render_markdown(report: dict[str, Any]) -> str:
    labels = report["labels"]
    m = report["machine"]
    lines = [
        f"# {report.get('title', 'planex benchmark')}",
        "",
        f"Run {m['date']} {_at_commit(m)} on {m['cpu']} ({m['cores']} cores, {m['torch_threads']} torch "
        f"threads, GPU: {m['gpu'] or 'none'}), Python {m['python']}, torch {m['torch']}. "
        f"{report['documents']} labelled documents, {report['characters']:,} characters. "
        f"BERT base: `{report['base_model']}`. Produced by `{report.get('command', 'planex benchmark')}`; "
        "every figure below comes from this one run.",
        *_resumed_lines(report.get("resumed", [])),
        *_raw_text_lines(report["results"]),
        "",
        "Scores are entity-level F1 from seqeval (strict IOB2) over characters of the normalised text; "
        "`exact raw` is exact-span micro-F1 on offsets into the raw documents, decoded as the server decodes. "
        "Speed is characters of raw text per second at prediction (normalisation included for BERT).",
    ]
    for setting, systems in report["results"].items():
        what = (
            "train on the 5 seed plans, test on the labelled corpus documents"
            if setting == "cross-layout"
            else f"train on the {report['documents']} labelled documents, test on "
            f"{report.get('heldout_documents', 0)} sealed held-out documents"
            if setting == "held-out"
            else f"{report.get('family_folds')}-fold cross-validation over whole layout families: no test "
            "document's family is in its training folds"
            if setting == "by-family"
            else f"{report['cv']}-fold cross-validation over whole documents"
            if report["cv"]
            else "every document scored by the given model"
        )
        lines += ["", f"## {setting} ({what})", ""]
        lines.append("| system | " + " | ".join(labels) + " | micro-F1 | macro-F1 | exact raw | train s | chars/s |")
        lines.append("|---" * (len(labels) + 6) + "|")
        for name, r in systems.items():
            cells = [f"{r['per_label'][lab]['f1']:.3f}" for lab in labels]
            speed = r["characters"] / r["predict_seconds"] if r["predict_seconds"] else float("nan")
            lines.append(
                f"| {name} | " + " | ".join(cells) + f" | **{r['micro']['f1']:.3f}** | {r['macro']['f1']:.3f} | "
                f"{r['exact_raw']['micro']['f1']:.3f} | {r['train_seconds']:.0f} | {speed:,.0f} |"
            )
        support = next(iter(systems.values()))["per_label"] if systems else {}
        lines.append("")
        lines.append("Gold spans: " + ", ".join(f"{lab} {support[lab]['support']}" for lab in labels) + ".")
        lines += _family_fold_lines(systems) if setting == "by-family" else []
        lines += link_table(systems)
        lines += error_table(systems)
        lines += _by_file_table(report.get("document_files", {}), systems)
        lines += _seed_table(systems, labels)
    return "\n".join(lines) + "\n"


def _family_fold_lines(systems: dict[str, Any]) -> list[str]:
    """Which layout families each fold tests (the same for every system), and each system's micro-F1 per fold."""
    if not systems:
        return []
    first = next(iter(systems.values()))
    lines = ["", "Folds (each tests the families named, its model trained on the other folds):", ""]
    lines += ["| fold | families tested | documents | characters |", "|---|---|---:|---:|"]
    for i, fold in enumerate(first["folds"], 1):
        families = ", ".join(f"`{f}`" for f in fold["families"])
        lines.append(f"| {i} | {families} | {len(fold['documents'])} | {fold['characters']:,} |")
    if classified := first.get("classified_families"):
        named = ", ".join(f"{i} ({f})" for i, f in sorted(classified.items()))
        lines += ["", f"Not in the families file, classified by `planex.layouts.classify`: {named}."]
    lines += ["", "| system | " + " | ".join(f"fold {i}" for i in range(1, len(first["folds"]) + 1)) + " |"]
    lines.append("|---" * (len(first["folds"]) + 1) + "|")
    for name, r in systems.items():
        lines.append(f"| {name} | " + " | ".join(f"{f['micro_f1']:.3f}" for f in r["folds"]) + " |")
    return lines


def _at_commit(part: dict[str, Any]) -> str:
    """`at commit `abc1234``, saying so when the code that ran was not all committed (see machine())."""
    dirty = " with uncommitted changes to the code" if part.get("uncommitted_code") else ""
    return f"at commit `{part['commit']}`{dirty}"


def _resumed_lines(parts: list[dict[str, Any]]) -> list[str]:
    lines = []
    for part in parts:
        runs = "; ".join(part["runs"]) or "nothing (every run was already done)"
        lines += [
            "",
            f"The run was interrupted and resumed {part['date']} {_at_commit(part)} with the same command "
            f"on the same kind of machine; the resumed part ran: {runs}.",
        ]
    return lines


def _seed_table(systems: dict[str, Any], labels: list[str]) -> list[str]:
    """Mean ± sample standard deviation over seeds, for the systems that were repeated."""
    repeated = {name: r["seed_runs"] for name, r in systems.items() if len(r.get("seed_runs", [])) > 1}
    if not repeated:
        return []
    lines = ["", "Spread over seeds (the rows above are the first seed; F1 mean ± standard deviation):", ""]
    lines.append("| system | seeds | " + " | ".join(labels) + " | micro-F1 | micro-F1 per seed |")
    lines.append("|---" * (len(labels) + 4) + "|")
    for name, runs in repeated.items():
        cells = [_mean_sd([r["per_label_f1"][lab] for r in runs]) for lab in labels]
        each = ", ".join(f"{r['micro_f1']:.3f}" for r in runs)
        seeds = ", ".join(str(r["seed"]) for r in runs)
        micro = _mean_sd([r["micro_f1"] for r in runs])
        lines.append(f"| {name} | {seeds} | " + " | ".join(cells) + f" | **{micro}** | {each} |")
    return lines


def _mean_sd(values: list[float]) -> str:
    return f"{statistics.fmean(values):.3f} ± {statistics.stdev(values):.3f}"


def _by_file_table(files: dict[str, str], systems: dict[str, Any]) -> list[str]:
    """Micro-F1 per label file: which batches a system does well on (e.g. files a rule was written on)."""
    if not systems:
        return []
    scored = {d["id"] for d in next(iter(systems.values()))["per_document"]}
    names = sorted({files[i] for i in scored if i in files})
    if len(names) < 2:
        return []
    ids = {n: {i for i in scored if files.get(i) == n} for n in names}
    lines = ["", "Micro-F1 by label file (documents scored):", ""]
    lines.append("| system | " + " | ".join(f"{n} ({len(ids[n])})" for n in names) + " |")
    lines.append("|---" * (len(names) + 1) + "|")
    for name, r in systems.items():
        cells = [f"{subset_micro_f1(r['per_document'], ids[n]):.3f}" for n in names]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def subset_micro_f1(per_document: list[dict[str, Any]], ids: set[str]) -> float:
    """Entity-level micro-F1 over some documents, pooled from per-document counts (true positives add up)."""
    rows = [d for d in per_document if d["id"] in ids]
    gold = sum(d["support"] for d in rows)
    pred = sum(d["predicted"] for d in rows)
    tp = sum(round(d["recall"] * d["support"]) for d in rows)
    return 2 * tp / (gold + pred) if gold + pred else 0.0
