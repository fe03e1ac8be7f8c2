"""``planex evaluate``: score a trained model, or cross-validate training, on labelled documents."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "evaluate",
        help="seqeval and exact-span scores of a model on labelled documents",
        description="Score --model on --labels; with --cv K, train one model per fold from "
        "--base-model instead (whole documents per fold). Reports go to --reports as JSON and Markdown.",
    )
    p.add_argument(
        "--model", type=Path, help="trained planex model folder, or `rules` for the rule extractor (omit with --cv)"
    )
    p.add_argument("--labels", nargs="+", type=Path, default=[Path("labels")], help="label files or folders")
    p.add_argument("--cv", type=int, default=0, help="K-fold cross-validation over whole documents")
    p.add_argument("--base-model", default="models/base/planex-char-bert-4l256", help="base model for --cv")
    p.add_argument("--epochs", type=int, default=25, help="maximum epochs per fold for --cv")
    p.add_argument("--reports", type=Path, default=Path("reports"), help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planex import atomic
    from planex.labelfile import load_documents
    from planex.modelio import load_model
    from planex.scheme import load_scheme
    from training.baselines import RuleSystem
    from training.benchmark import machine, render_markdown, run_setting
    from training.evaluate import BertSystem, public, score
    from training.finetune import TrainConfig

    if not args.model and not args.cv:
        raise ValueError("pass --model FOLDER to score a trained model, or --cv K to cross-validate training")
    system = "bert"
    if args.model == Path("rules") and not args.model.is_dir():  # the baseline and pre-annotator, scored like any model
        scorer: RuleSystem | BertSystem = RuleSystem()
        scheme, system = load_scheme(), "rules"
        name, setting = "evaluate-rules", "labelled documents"
    elif args.model:
        loaded = load_model(args.model)
        scorer, scheme = BertSystem.from_loaded(loaded.name, loaded), loaded.scheme
        name, setting = f"evaluate-{loaded.name}", "held-out documents"
    if args.model:
        docs = load_documents(args.labels, scheme)
        result = public(score(scorer, docs, scheme.names))
        result["train_seconds"] = 0.0
    else:
        scheme = load_scheme()
        docs = load_documents(args.labels, scheme)
        cfg = TrainConfig(labels=args.labels, base_model=args.base_model, out=Path("."), epochs=args.epochs)
        result = public(
            run_setting("all-data", lambda: BertSystem("bert", cfg, scheme), docs, scheme.names, args.cv, print)
        )
        name, setting = f"evaluate-cv{args.cv}", f"{args.cv}-fold cross-validation"
    report = {
        "machine": machine(),
        "labels": scheme.names,
        "documents": len(docs),
        "cv": args.cv,
        "characters": sum(len(d.text) for d in docs),
        "base_model": "none (rule extractor)" if system == "rules" else str(args.model or args.base_model),
        "command": "planex evaluate",
        "results": {setting: {system: result}},
    }
    atomic.write_text(args.reports / f"{name}.json", json.dumps(report, indent=2, ensure_ascii=False))
    atomic.write_text(args.reports / f"{name}.md", render_markdown(report))
    print(render_markdown(report))
    return 0
