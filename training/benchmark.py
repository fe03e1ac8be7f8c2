"""Benchmark: every system trained and scored on the same document splits, in one run.

Settings (they answer different questions):
- ``cross-layout``: train on the five seed plans only, test on every labelled corpus document
  (other provinces, topics and layouts).
- ``all-data``: K-fold cross-validation over whole documents of seeds + corpus.
- ``by-family``: K-fold cross-validation over whole layout families (``training.familyfolds``): every
  test document's layout is one its model never saw in training.
- ``held-out``: train on every labelled document, test on sealed documents (``labels/heldout/``)
  that nobody read while writing the rules or choosing the recipe.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from planex import atomic, paths
from planex.document import Document
from planex.scheme import LabelScheme
from training.baselines import CrfSystem, RuleSystem, System
from training.benchmark_report import machine, render_markdown
from training.config import TrainConfig
from training.evaluate import BertSystem, kfold, pooled, public, score
from training.familyfolds import family_folds

SETTINGS = ("cross-layout", "all-data", "by-family", "held-out")
WEAK_CORPUS = paths.CORPUS  # unlabelled plans beside the project (README, "Data")


def systems_for(
    names: list[str], cfg: TrainConfig, scheme: LabelScheme, weak_corpus: Path = WEAK_CORPUS
) -> dict[str, Callable[[], System]]:
    known: dict[str, Callable[[], System]] = {
        "rules": RuleSystem,
        "crf": CrfSystem,
        "bert": lambda: BertSystem("bert", cfg, scheme),
        "bert-random-init": lambda: BertSystem("bert-random-init", replace(cfg, init="random"), scheme),
        "bert+augment": lambda: BertSystem("bert+augment", replace(cfg, augment=["width", "markers", "leads"]), scheme),
        # Two passes of synthetic documents that lay the training records out in other layouts.
        "bert+relayout": lambda: BertSystem("bert+relayout", replace(cfg, relayout=2), scheme),
        "bert+decoys": lambda: BertSystem("bert+decoys", replace(cfg, hint_decoys=0.5), scheme),
        "bert-no-augment": lambda: BertSystem("bert-no-augment", replace(cfg, augment=[]), scheme),
        # The recipe decoded without returning a hinted span whole where the network gave pieces of it.
        "bert-no-snap": lambda: BertSystem("bert-no-snap", cfg, scheme, snap_hints=False),
        # Lead units renamed in a copy of each training document (training.mentions), with and without hints.
        "bert+mentions": lambda: BertSystem("bert+mentions", _mentions(cfg), scheme),
        # The same, drawn afresh each epoch in place of half the lead-unit documents (no document seen twice).
        "bert+rename-leads": lambda: BertSystem("bert+rename-leads", replace(cfg, rename_leads=0.5), scheme),
        "bert-no-hints+rename-leads": lambda: BertSystem(
            "bert-no-hints+rename-leads", replace(cfg, rename_leads=0.5, rule_hints=False, hint_decoys=0.0), scheme
        ),
        "bert-no-hints+mentions": lambda: BertSystem(
            "bert-no-hints+mentions", replace(_mentions(cfg), rule_hints=False, hint_decoys=0.0), scheme
        ),
        "bert-sqrt-weights": lambda: BertSystem("bert-sqrt-weights", replace(cfg, class_weights="sqrt"), scheme),
        "bert-unweighted": lambda: BertSystem("bert-unweighted", replace(cfg, class_weights="none"), scheme),
        "bert-no-line-marker": lambda: BertSystem("bert-no-line-marker", replace(cfg, line_marker=""), scheme),
        "bert+weak": lambda: BertSystem("bert+weak", replace(cfg, weak=[weak_corpus]), scheme),
        "bert+hints": lambda: BertSystem("bert+hints", replace(cfg, rule_hints=True), scheme),
        "bert-no-hints": lambda: BertSystem("bert-no-hints", replace(cfg, rule_hints=False, hint_decoys=0.0), scheme),
        # Hints on half the training windows only, so the network must read the text; it predicts with hints.
        "bert+hint-dropout": lambda: BertSystem("bert+hint-dropout", _hint_dropout(cfg), scheme),
        # Windows of 256 tokens in training and, through the model spec, in prediction (128 is short for tables).
        # A learned CRF over the logits; its loss takes no class weights (training.crf).
        "bert+crf": lambda: BertSystem("bert+crf", replace(cfg, crf=True, class_weights="none"), scheme),
        "bert+window256": lambda: BertSystem("bert+window256", replace(cfg, max_tokens=256), scheme),
        "bert+hint-dropout+window256": lambda: BertSystem(
            "bert+hint-dropout+window256", replace(_hint_dropout(cfg), max_tokens=256), scheme
        ),
    }
    unknown = [n for n in names if n.split("@")[0] not in known]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    return {n: known[n.split("@")[0]] for n in names}


def _mentions(cfg: TrainConfig) -> TrainConfig:
    return replace(cfg, augment=[*(a for a in cfg.augment if a != "mentions"), "mentions"])


def _hint_dropout(cfg: TrainConfig) -> TrainConfig:
    return replace(cfg, rule_hints=True, hint_dropout=0.5)


def _train_and_score(
    make: Callable[[], System], train: list[Document], test: list[Document], labels: tuple[str, ...]
) -> dict[str, Any]:
    system = make()
    started = time.perf_counter()
    system.fit(train)
    trained = time.perf_counter() - started
    result = score(system, test, labels)
    result["train_seconds"] = trained
    result["_seeded"] = system.seeded  # private: not written to the report
    return result


def run_setting(
    setting: str,
    make: Callable[[], System],
    docs: list[Document],
    labels: tuple[str, ...],
    cv: int,
    log: Callable[[str], None],
    heldout: list[Document] | None = None,
    families: Mapping[str, str] | None = None,
    family_k: int = 3,
) -> dict[str, Any]:
    """Train and score one system in one setting. ``families``: document id → layout family
    (``labels/families.tsv``) for ``by-family``, whose ``family_k`` folds each test whole families; a
    document it lacks is classified by :func:`planex.layouts.classify` (the report lists those)."""
    if setting == "held-out":
        if not heldout:
            raise ValueError("the held-out setting needs held-out documents (--heldout labels/heldout)")
        result = _train_and_score(make, docs, heldout, labels)
        result["train_documents"], result["test_documents"] = len(docs), len(heldout)
        return result
    if setting == "cross-layout":
        train = [d for d in docs if d.source.startswith("seeds/")]
        test = [d for d in docs if not d.source.startswith("seeds/")]
        if not train or not test:
            raise ValueError("cross-layout needs seed documents (source seeds/…) and corpus documents")
        result = _train_and_score(make, train, test, labels)
        result["train_documents"], result["test_documents"] = len(train), len(test)
        return result
    by_family = family_folds(docs, family_k, families or {}) if setting == "by-family" else None
    folds = by_family.folds if by_family is not None else kfold(docs, cv)
    fold_results = []
    for i, test in enumerate(folds):
        train = [d for j, f in enumerate(folds) if j != i for d in f]
        fold_results.append(_train_and_score(make, train, test, labels))
        tested = f" (tests {', '.join(by_family.families[i])})" if by_family is not None else ""
        log(
            f"    fold {i + 1}/{len(folds)}{tested}: micro-F1 {fold_results[-1]['micro']['f1']:.3f}, "
            f"train {fold_results[-1]['train_seconds']:.0f}s"
        )
    result = pooled(fold_results, folds, labels)
    for entry, fold in zip(result["folds"], folds, strict=True):
        entry["characters"] = sum(len(d.text) for d in fold)
    if by_family is not None:
        for entry, names in zip(result["folds"], by_family.families, strict=True):
            entry["families"] = names
        result["classified_families"] = by_family.classified
    result["train_seconds"] = sum(r["train_seconds"] for r in fold_results)
    result["_seeded"] = fold_results[0]["_seeded"]
    # The most documents any fold trained on (folds are balanced by characters, not by documents).
    result["train_documents"], result["test_documents"] = len(docs) - min(map(len, folds)), len(docs)
    return result


def run_benchmark(
    docs: list[Document],
    scheme: LabelScheme,
    cfg: TrainConfig,
    system_names: list[str],
    settings: list[str],
    cv: int,
    out: Path,
    log: Callable[[str], None] = print,
    weak_corpus: Path = WEAK_CORPUS,
    document_files: dict[str, str] | None = None,
    command: str = "planex benchmark",
    repeats: int = 1,
    repeat_settings: tuple[str, ...] = ("cross-layout",),
    heldout: list[Document] | None = None,
    resume: dict[str, Any] | None = None,
    families: Mapping[str, str] | None = None,
    family_k: int = 3,
) -> dict[str, Any]:
    """Run every system in every setting; write ``benchmark.json`` and ``benchmark.md`` under ``out``.

    ``document_files`` (document id → label file) adds a micro-F1-by-file table to each setting.
    With ``repeats`` > 1, each seeded system is trained again with seeds ``cfg.seed + 1`` … in
    ``repeat_settings``: on a few training documents two seeds of one recipe can differ by more
    than two recipes do, so a choice between systems should rest on the spread, not on one run.
    The main table keeps the first seed's run (its per-document scores and errors).
    ``heldout``: the documents the ``held-out`` setting scores (never trained on).
    ``resume``: the report of an interrupted run of the same command on the same kind of machine
    (:func:`check_resumable`); the runs it holds are kept and only the missing ones are run.
    ``families`` and ``family_k``: the layout family of each document and the number of folds of ``by-family``.
    """
    if repeats < 1:
        raise ValueError("--repeats must be at least 1")
    bad = [s for s in (*settings, *repeat_settings) if s not in SETTINGS]
    if bad:
        raise ValueError(f"unknown setting(s) {', '.join(bad)}; choose from {', '.join(SETTINGS)}")
    factories = systems_for(system_names, cfg, scheme, weak_corpus)
    report: dict[str, Any] = {
        "machine": machine(),
        "labels": scheme.names,
        "documents": len(docs),
        "characters": sum(len(d.text) for d in docs),
        "heldout_documents": len(heldout or []),
        "base_model": cfg.base_model,
        "bert_config": {k: str(v) for k, v in vars(cfg).items() if k not in ("labels", "out")},
        "cv": cv,
        **({"family_folds": family_k} if "by-family" in settings else {}),
        "document_files": document_files or {},
        "command": command,  # the systems and options, so that a run can be repeated
        "repeats": {"seeds": repeats, "settings": list(repeat_settings)},
        "results": {},
    }
    resumed: list[str] = []
    if resume is not None:
        check_resumable(resume, report)
        now = report["machine"]
        # The first part's machine and date stay the report's; the resumed part is listed beside them.
        report["machine"], report["results"] = resume["machine"], resume["results"]
        report["command"] = resume["command"]  # the command to repeat the whole run has no --resume
        part = {k: now[k] for k in ("date", "commit", "uncommitted_code")}
        report["resumed"] = [*resume.get("resumed", []), {**part, "runs": resumed}]
    for setting in settings:
        report["results"].setdefault(setting, {})
        for spec, make in factories.items():
            name, _, only = spec.partition("@")
            if only and only != setting:
                continue  # e.g. bert+augment@cross-layout: an ablation run in one setting only
            repeat = repeats > 1 and setting in repeat_settings
            done = report["results"][setting].get(name)
            if done is not None and (not repeat or "seed_runs" in done or not make().seeded):
                log(f"{setting}: {name} (kept from the interrupted run)")
                continue
            if done is not None:  # the interruption came during its repeats: the first seed is kept
                result = {**done, "_seeded": True}
            else:
                log(f"{setting}: {name}")
                result = run_setting(setting, make, docs, scheme.names, cv, log, heldout, families, family_k)
                log(f"  micro-F1 {result['micro']['f1']:.3f}, train {result['train_seconds']:.0f}s")
                report["results"][setting][name] = public(result)
                resumed.append(f"{setting} {name}")
                _write(report, out)  # partial results survive an interrupted run
            if repeat and result["_seeded"]:
                runs = [seed_run(result, cfg.seed, scheme.names)]
                for seed in range(cfg.seed + 1, cfg.seed + repeats):
                    again = systems_for([spec], replace(cfg, seed=seed), scheme, weak_corpus)[spec]
                    again_result = run_setting(setting, again, docs, scheme.names, cv, log, heldout, families, family_k)
                    runs.append(seed_run(again_result, seed, scheme.names))
                    log(f"  seed {seed}: micro-F1 {runs[-1]['micro_f1']:.3f}")
                report["results"][setting][name]["seed_runs"] = runs
                last = cfg.seed + repeats - 1
                resumed.append(
                    f"{setting} {name} " + (f"seeds {cfg.seed + 1}–{last}" if repeats > 2 else f"seed {last}")
                )
                _write(report, out)
    return report


# What must match for a run to be resumed: the same data, options and kind of machine. The commit
# may differ (it is recorded), so that a fix unrelated to the scores need not cost a whole rerun.
RESUME_KEYS = (
    "labels", "documents", "characters", "heldout_documents", "base_model", "bert_config", "cv", "family_folds"
)  # fmt: skip
RESUME_MACHINE = ("cpu", "cores", "torch_threads", "gpu", "torch")


def check_resumable(previous: dict[str, Any], report: dict[str, Any]) -> None:
    """Raise ValueError, naming what differs, unless ``previous`` was written by this same benchmark."""
    if not isinstance(previous, dict) or not isinstance(previous.get("results"), dict) or "machine" not in previous:
        raise ValueError("cannot resume: the file is not a benchmark report; run the benchmark without --resume")
    # .get: family_folds is recorded only by runs of the by-family setting
    differs = [k for k in RESUME_KEYS if _as_json(previous.get(k)) != _as_json(report.get(k))]
    if _without_resume(previous.get("command", "")) != _without_resume(report["command"]):
        differs.append("command")
    old, new = previous.get("machine", {}), report["machine"]
    differs += [f"machine {k}" for k in RESUME_MACHINE if old.get(k) != new.get(k)]  # speeds must compare
    if differs:
        raise ValueError(
            f"cannot resume: the report was written with a different {', '.join(differs)}; "
            "run the benchmark without --resume to start again"
        )


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _without_resume(command: str) -> list[str]:
    return [w for w in shlex.split(command) if w != "--resume"]


def seed_run(result: dict[str, Any], seed: int, labels: tuple[str, ...]) -> dict[str, Any]:
    """What a repeat with another seed adds to the report: its scores, not its predictions."""
    return {
        "seed": seed,
        "micro_f1": result["micro"]["f1"],
        "macro_f1": result["macro"]["f1"],
        "per_label_f1": {lab: result["per_label"][lab]["f1"] for lab in labels},
        "link_f1": result["links"]["exact"]["micro"]["f1"] if result.get("links") else None,
    }


def _write(report: dict[str, Any], out: Path) -> None:
    atomic.write_text(out / "benchmark.json", json.dumps(report, indent=2, ensure_ascii=False))
    atomic.write_text(out / "benchmark.md", render_markdown(report))
