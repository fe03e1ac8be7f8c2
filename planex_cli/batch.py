"""``planex batch``: folders of documents or JSONL in; one record per document out, resumable, local or on Ray."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "batch"
HELP = "extract a corpus (folders of files or JSONL) into .jsonl/.parquet/.csv/.xlsx, locally or on Ray"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Run every document of INPUT (folders of .txt/.pdf/.docx/.html files, or .jsonl files of id and text) "
        "through --model and write one record per document (id, error, characters, source, entities, tasks, "
        "unattached; a file's text too) to --out. A document that fails is recorded with its error and the run "
        "goes on; an interrupted run continues with --resume. --engine ray runs on Ray Data (pip install -e "
        "'.[ray]'): a local Ray by default, or the cluster at --ray-address / RAY_ADDRESS."
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="folders of files, or .jsonl files")
    p.add_argument("--out", type=Path, required=True, help="output: .jsonl, .parquet, .csv or .xlsx")
    p.add_argument("--model", type=Path, default=Path("models/default"), help="planex model folder")
    p.add_argument("--engine", choices=("local", "ray"), default="local", help="where to run (default: local)")
    p.add_argument("--ray-address", help="Ray cluster to join (default: RAY_ADDRESS, else a local Ray)")
    p.add_argument("--workers", type=int, default=1, help="worker processes or Ray actors, each with the model")
    p.add_argument(
        "--threads", type=int, default=1, help="torch threads per worker (default 1; use --workers for more cores)"
    )
    p.add_argument("--chunk", type=int, default=8, help="documents per model call (windows batched across them)")
    p.add_argument("--resume", action="store_true", help="skip the ids already in --out and continue it")
    p.add_argument("--doc-year", type=int, help="year the documents were issued; lets 年内 be read as a date")
    p.add_argument("--min-score", type=float, default=0.0, help="drop entities scored below this (0-1)")
    p.add_argument("--max-pages", type=int, default=300, help="record PDFs with more pages as errors")
    p.add_argument("--device", help="cpu, cuda, mps (default: a GPU when present)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from serving.batch import BatchConfig, run_batch

    if min(args.workers, args.chunk, args.threads) < 1:
        raise ValueError("--workers, --threads and --chunk must be at least 1")
    cfg = BatchConfig(
        model=args.model, device=args.device, doc_year=args.doc_year, min_score=args.min_score,
        max_pages=args.max_pages, chunk=args.chunk, workers=args.workers, threads=args.threads,
    )  # fmt: skip
    counts = run_batch(
        args.inputs, args.out, cfg, engine=args.engine, ray_address=args.ray_address,
        resume=args.resume, progress=not args.no_progress,
    )  # fmt: skip
    print(
        f"{args.out}: {counts['documents']} records ({counts['processed']} processed now, "
        f"{counts['skipped']} done before, {counts['failed']} failed: see their error field)",
        file=sys.stderr,
    )
    return 0
