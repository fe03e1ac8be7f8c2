"""``planex speed``: extraction speed against the HF pipeline and the bare forward pass."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "speed"
HELP = "time extraction against the HF pipeline and the bare forward pass; write reports/speed.md"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from planex.modelspec import DEFAULT_BATCH_SIZE
    from planex.sources import DEFAULT_CORPUS

    p.description = (
        "Time planex extraction, the Hugging Face token-classification pipeline and the bare forward pass on the "
        "seeds and the longest corpus texts, interleaving repeats, plus planex with one setting changed at a time "
        "(precision, threads, batch size, window). Writes speed.json and speed.md into --reports."
    )
    p.add_argument("--model", type=Path, default=Path("models/default"), help="planex model folder")
    p.add_argument("--quick", action="store_true", help="fewer documents, rounds and settings (under 3 minutes)")
    p.add_argument("--repeats", type=int, help="interleaved rounds (default 3; 2 with --quick)")
    p.add_argument(
        "--precision", choices=("fp32", "int8", "onnx-int8"), default="onnx-int8", help="planex's (default: as served)"
    )
    p.add_argument("--threads", type=int, default=1, help="torch threads for planex (the sweep tries the other)")
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="windows per forward pass for planex")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus JSONL for long texts (optional)")
    p.add_argument("--no-sweep", action="store_true", help="time only planex, the pipeline and the bare forward")
    p.add_argument("--reports", type=Path, default=Path("reports"), help="folder for speed.json and speed.md")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from training.benchmark_report import machine
    from training.speed import measure
    from training.speed_report import write
    from training.speed_variants import SpeedConfig

    repeats = args.repeats or (2 if args.quick else 3)
    if repeats < 1 or args.threads < 1 or args.batch_size < 1:
        raise ValueError("--repeats, --threads and --batch-size must be at least 1")
    cfg = SpeedConfig(
        model=args.model,
        quick=args.quick,
        repeats=repeats,
        precision=args.precision,
        threads=args.threads,
        batch_size=args.batch_size,
        corpus=args.corpus,
        sweep=not args.no_sweep,
    )
    # Progress goes to stderr, so that --json leaves stdout to the one JSON object.
    report = measure(cfg, log=lambda line: print(line, file=sys.stderr))
    report["machine"] = {**machine(), **_versions()}
    report["command"] = args.command_line
    js, md = write(report, args.reports)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(md.read_text(encoding="utf-8"))
        print(f"wrote {md} and {js}", file=sys.stderr)
    return 0


def _versions() -> dict[str, str]:
    import transformers

    return {"transformers": transformers.__version__}
