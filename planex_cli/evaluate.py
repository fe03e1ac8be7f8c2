"""``planex evaluate``: score a trained model, or cross-validate training, on labelled documents."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

NAME = "evaluate"
HELP = "seqeval and exact-span scores of a model on labelled documents"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Score --model on --labels; with --cv K, train one model per fold from --base-model instead (whole "
        "documents per fold); with --links-on-gold, score the attachment rule alone (no model). The report is "
        "printed; --out FOLDER also writes it there as JSON and Markdown."
    )
    p.add_argument(
        "--model", type=Path, help="trained planex model folder, or `rules` for the rule extractor (omit with --cv)"
    )
    p.add_argument("--labels", nargs="+", type=Path, default=[Path("labels")], help="label files or folders")
    p.add_argument(
        "--links-on-gold",
        action="store_true",
        help="build the task table from the GOLD spans with the attachment rule and score its links against the "
        "gold links, per kind, layout family and label file (tells attachment errors from span errors)",
    )
    p.add_argument("--cv", type=int, default=0, help="K-fold cross-validation over whole documents")
    p.add_argument("--base-model", default="models/base/planex-char-bert-4l256", help="base model for --cv")
    p.add_argument("--epochs", type=int, default=25, help="maximum epochs per fold for --cv")
    p.add_argument(
        "--precision",
        choices=("fp32", "int8", "onnx-int8"),
        default="fp32",
        help="score --model as trained (fp32), with dynamic int8 Linear layers in torch, or as dynamic int8 in "
        "ONNX Runtime (the onnx extra), as `planex serve` can run it",
    )
    p.add_argument(
        "--card",
        action="store_true",
        help="also write the scores into --model's card (README.md), replacing the scores it had: run it on the "
        "sealed held-out set (--labels labels/heldout) so the card states what a user can expect",
    )
    p.add_argument(
        "--out",
        "--reports",
        type=Path,
        help="also write the report to this folder as evaluate-NAME.json and .md (default: print only)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.links_on_gold:
        return _links_on_gold(args)
    from training.evaluate_report import evaluate_report, write_report

    if args.card and (not args.model or not args.model.is_dir()):
        raise ValueError("--card writes into a model folder's card: pass --model FOLDER")
    report, name = evaluate_report(
        args.model, args.labels, args.cv, args.base_model, args.epochs, args.command_line, args.precision
    )
    print(write_report(report, name, args.out))
    if args.card:
        _write_card(args, report)
    return 0


def _write_card(args: argparse.Namespace, report: dict[str, Any]) -> None:
    from planex import atomic
    from training.modelcard import with_scores

    card = args.model / "README.md"
    (result,) = (r for systems in report["results"].values() for r in systems.values())
    labels = " ".join(str(p) for p in args.labels)
    text = card.read_text(encoding="utf-8") if card.exists() else f"# {args.model.name}\n"
    atomic.write_text(card, with_scores(text, result, labels, report["documents"], args.command_line))


def _links_on_gold(args: argparse.Namespace) -> int:
    import json

    from planex import atomic
    from planex.scheme import load_scheme
    from training.goldlinks import gold_link_report, render_markdown

    if args.model or args.cv:
        raise ValueError("--links-on-gold scores the gold spans: leave out --model and --cv")
    report = gold_link_report(args.labels, load_scheme(), command=args.command_line)
    markdown = render_markdown(report)
    if args.out is not None:
        atomic.write_text(args.out / "evaluate-links-on-gold.json", json.dumps(report, indent=2, ensure_ascii=False))
        atomic.write_text(args.out / "evaluate-links-on-gold.md", markdown)
    print(markdown)
    return 0
