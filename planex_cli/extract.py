"""``planex extract``: PDF, Word, HTML or text files in; entities and task tables out, as JSON or CSV/XLSX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "extract"
HELP = "extract tasks from PDF, Word (.docx), HTML or text files: JSON, or the task table as CSV/XLSX"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Read each FILE (.pdf with a text layer, .docx, .html/.htm, .txt in UTF-8, GB18030 or UTF-16) as "
        "POST /v1/extract/file does, and extract with --model. Prints JSON (the API's answer for each file: "
        "text, source, entities with offsets into text and PDF pages, tasks) or, with --out FILE.csv or "
        "FILE.xlsx, writes the task table (a document column numbers the files when there are several)."
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".pdf, .docx, .html, .htm or .txt files")
    p.add_argument("--model", type=Path, default=Path("models/default"), help="planex model folder")
    p.add_argument("--out", type=Path, help="write to this .json, .csv or .xlsx file instead of printing JSON")
    p.add_argument("--doc-year", type=int, help="year the documents were issued; lets 年内 be read as a date")
    p.add_argument("--min-score", type=float, default=0.0, help="drop entities scored below this (0-1)")
    p.add_argument("--max-pages", type=int, default=300, help="refuse PDFs with more pages than this")
    p.add_argument("--device", help="cpu, cuda, mps (default: a GPU when present)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from serving.documents import extract_files, render
    from serving.schemas import Options
    from serving.settings import Settings

    fmt = "json" if args.out is None else args.out.suffix.lower().lstrip(".")
    if fmt not in ("json", "csv", "xlsx"):
        raise ValueError(f"--out {args.out}: name a .json, .csv or .xlsx file")
    settings = Settings(model_path=args.model, device=args.device, max_pages=args.max_pages)
    results, model = extract_files(args.files, settings, Options(doc_year=args.doc_year, min_score=args.min_score))
    data = render(results, model, fmt)
    for n, r in enumerate(results, 1):
        pages = f", {r.source.pages} pages" if r.source.pages else ""
        print(f"{n}. {r.source.name} ({r.source.type}{pages}): {len(r.tasks)} tasks, {len(r.entities)} spans",
              file=sys.stderr)  # fmt: skip
    if args.out is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        args.out.write_bytes(data)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0
