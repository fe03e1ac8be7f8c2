"""``planex predict``: pre-annotate raw texts with a trained model for Label Studio or the sheet review."""

from __future__ import annotations

import argparse
from pathlib import Path

from planex.formats.offsets import UNITS


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from training.predict import TARGETS

    p = sub.add_parser(
        "predict",
        help="pre-annotate raw texts with a trained model (Label Studio predictions or planex drafts)",
        description="Run --model over .txt files (folders give their *.txt) or .jsonl records with 'text'. "
        "--to label-studio writes tasks over the raw text with the spans under 'predictions' (model_version, "
        "scores); --to jsonl writes planex draft records over the normalised text.",
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help=".txt files, folders of them, or .jsonl")
    p.add_argument("--model", type=Path, required=True, help="trained planex model folder")
    p.add_argument("--to", required=True, choices=TARGETS, help="output format")
    p.add_argument("--out", type=Path, required=True, help="file to write")
    p.add_argument(
        "--offsets", choices=UNITS, default="codepoints", help="Label Studio offsets: utf16 for old releases only"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from training.predict import predict

    n_docs, n_spans, dropped = predict(args.model, args.inputs, args.to, args.out, args.offsets)
    print(f"wrote {n_docs} documents, {n_spans} predicted spans to {args.out} ({args.to})")
    if dropped:
        print(f"left out {dropped} spans that overlapped a better-scored one on the raw text (see training/predict.py)")
    return 0
