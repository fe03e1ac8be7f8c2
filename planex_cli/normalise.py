"""``planex normalise FILE``: print the normalised text of a raw plan file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "normalise"
HELP = "print normalised text (simplified, annotations removed, wraps joined)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, help="UTF-8 text files; '-' reads standard input")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planex.normalise import normalise
    from planex.textio import read_text

    for path in args.files:
        raw = sys.stdin.read() if str(path) == "-" else read_text(path)
        sys.stdout.write(normalise(raw).text)
    return 0
