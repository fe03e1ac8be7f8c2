"""``planex normalise FILE``: print the normalised text of a raw plan file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planex.normalise import normalise
from planex.textio import read_text


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("normalise", help="print normalised text (simplified, annotations removed, wraps joined)")
    p.add_argument("files", nargs="+", type=Path, help="UTF-8 text files; '-' reads standard input")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for path in args.files:
        raw = sys.stdin.read() if str(path) == "-" else read_text(path)
        sys.stdout.write(normalise(raw).text)
    return 0
