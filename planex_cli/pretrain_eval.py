"""``planex pretrain-eval``: masked-character accuracy of a base model on text it has not read."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

NAME = "pretrain-eval"
HELP = "masked-character accuracy of a base model on held-out text"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Masks 15% of the characters of each input with a fixed seed and prints, as JSON, the share the "
        "model predicts right: the figure `planex pretrain` reports, for any model and text."
    )
    p.add_argument("model", type=Path, help="MLM model folder (e.g. models/base/planex-char-bert-4l256)")
    p.add_argument("inputs", type=Path, nargs="+", help="JSONL, JSONL.gz or .txt folders ('a,b' reads both as one)")
    p.add_argument("--ids", type=Path, help="file of record ids (one a line): evaluate on these records only")
    p.add_argument(
        "--heldout",
        type=float,
        default=0.0,
        help="evaluate on the documents `planex pretrain --heldout` holds out (with --heldout-cap and --seed)",
    )
    p.add_argument("--heldout-cap", type=int, default=0, help="as in `planex pretrain` (0: no cap)")
    p.add_argument("--seed", type=int, default=13, help="as in `planex pretrain`")
    p.add_argument("--seq-len", type=int, default=128, help="tokens per sequence")
    p.add_argument("--line-marker", default="§", help="as in `planex pretrain` ('' drops line breaks)")
    p.add_argument("--out", type=Path, help="also write the JSON to this file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planex import atomic
    from training.pretrain_eval import evaluate_model

    only = frozenset(x.strip() for x in args.ids.read_text().splitlines() if x.strip()) if args.ids else None
    report = evaluate_model(
        args.model,
        args.inputs,
        only_ids=only,
        heldout=args.heldout,
        heldout_cap=args.heldout_cap,
        seed=args.seed,
        seq_len=args.seq_len,
        line_marker=args.line_marker or None,
    )
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        atomic.write_text(args.out, text + "\n")
    return 0
