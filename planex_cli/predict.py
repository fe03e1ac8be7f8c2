"""``planex predict``: pre-annotate raw texts with a trained model for Label Studio or the sheet review."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "predict"
HELP = "pre-annotate raw texts with a trained model (Label Studio predictions or planex drafts)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from planex.formats.offsets import UNITS
    from planex.preannotate import TARGETS

    p.description = (
        "Run --model over .txt files (folders give their *.txt) or .jsonl records with 'text' and write one "
        "file, in the format --to names (required: there is no default, as the two serve different reviews)."
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help=".txt files, folders of them, or .jsonl")
    p.add_argument("--model", type=Path, required=True, help="trained planex model folder")
    p.add_argument(
        "--to",
        required=True,
        choices=TARGETS,
        help="required: label-studio writes tasks over the RAW text with the spans under 'predictions' "
        "(model_version, scores), to import into Label Studio; jsonl writes planex draft records over the "
        "NORMALISED text, for `planex labels sheet`",
    )
    p.add_argument("--out", type=Path, required=True, help="file to write")
    p.add_argument(
        "--offsets", choices=UNITS, default="codepoints", help="Label Studio offsets: utf16 for old releases only"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planex.preannotate import predict

    n_docs, n_spans, dropped = predict(args.model, args.inputs, args.to, args.out, args.offsets)
    print(f"wrote {n_docs} documents, {n_spans} predicted spans to {args.out} ({args.to})")
    if dropped:
        print(f"left out {dropped} spans overlapping a better-scored one on the raw text (see planex/preannotate.py)")
    return 0
