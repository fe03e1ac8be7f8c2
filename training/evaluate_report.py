"""The report of ``planex evaluate``: one model (or the rules, or K-fold training) scored on labelled documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planex import atomic
from planex.labelfile import load_documents
from planex.modelio import load_model
from planex.precision import with_precision
from planex.scheme import load_scheme
from training.baselines import RuleSystem
from training.benchmark import run_setting
from training.benchmark_report import machine, render_markdown
from training.config import TrainConfig
from training.evaluate import BertSystem, public, score


def evaluate_report(
    model: Path | None,
    labels: list[Path],
    cv: int,
    base_model: str,
    epochs: int,
    command: str,
    precision: str = "fp32",
) -> tuple[dict[str, Any], str]:
    """Score ``model`` (a folder, or ``rules``) on ``labels``, or cross-validate training with ``cv`` folds.

    Return the report (the shape of a benchmark report, one system) and its name, e.g. ``evaluate-rules``.
    """
    if not model and not cv:
        raise ValueError("pass --model FOLDER to score a trained model, or --cv K to cross-validate training")
    system = "bert"
    if model == Path("rules") and not model.is_dir():  # the baseline and pre-annotator, scored like any model
        scorer: RuleSystem | BertSystem = RuleSystem()
        scheme, system = load_scheme(), "rules"
        name, setting = "evaluate-rules", "labelled documents"
    elif model:
        loaded = with_precision(load_model(model), precision)
        scorer, scheme = BertSystem.from_loaded(loaded.name, loaded), loaded.scheme
        suffix = "" if precision == "fp32" else f"-{precision}"
        name, setting = f"evaluate-{loaded.name}{suffix}", "held-out documents"
    if model:
        docs = load_documents(labels, scheme)
        result = public(score(scorer, docs, scheme.names))
        result["train_seconds"] = 0.0
    else:
        scheme = load_scheme()
        docs = load_documents(labels, scheme)
        cfg = TrainConfig(labels=labels, base_model=base_model, out=Path("."), epochs=epochs)
        result = public(run_setting("all-data", lambda: BertSystem("bert", cfg, scheme), docs, scheme.names, cv, print))
        name, setting = f"evaluate-cv{cv}", f"{cv}-fold cross-validation"
    report = {
        "title": "planex evaluate",
        "machine": machine(),
        "labels": scheme.names,
        "documents": len(docs),
        "cv": cv,
        "characters": sum(len(d.text) for d in docs),
        "base_model": "none (rule extractor)" if system == "rules" else str(model or base_model),
        "precision": precision,
        "command": command,
        "results": {setting: {system: result}},
    }
    return report, name


def write_report(report: dict[str, Any], name: str, out: Path | None) -> str:
    """The report as Markdown; with ``out``, also written there as ``NAME.json`` and ``NAME.md``."""
    markdown = render_markdown(report)
    if out is not None:
        atomic.write_text(out / f"{name}.json", json.dumps(report, indent=2, ensure_ascii=False))
        atomic.write_text(out / f"{name}.md", markdown)
    return markdown
