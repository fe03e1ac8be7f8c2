"""Entry point of the ``planex`` console command (how to add a command: ``planex_cli/__init__.py``)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from types import ModuleType

from planex_cli import (
    batch,
    benchmark,
    corpus,
    evaluate,
    extract,
    labels,
    load,
    normalise,
    predict,
    pretrain,
    pretrain_eval,
    serve,
    speed,
    train,
)

COMMANDS: tuple[ModuleType, ...] = (
    normalise,
    corpus,
    labels,
    pretrain,
    pretrain_eval,
    train,
    evaluate,
    benchmark,
    predict,
    speed,
    extract,
    batch,
    load,
    serve,
)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the command it names gets its options (the others stay unimported)."""
    parser = argparse.ArgumentParser(
        prog="planex",
        description="Extract tasks, deadlines, lead units and indicators from Chinese government plan documents.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = None if argv is None else next((a for a in argv if not a.startswith("-")), "")
    for command in COMMANDS:
        p = sub.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        if chosen is None or chosen == command.NAME:
            command.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Progress bars of model loading are noise in a command's output (the Makefile sets the same).
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(words).parse_args(words)
    # The words as typed, for reports that say how to repeat the run.
    args.command_line = shlex.join(["planex", *words])
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError) as e:  # user-facing problems carry a message that says what to do
        print(f"planex {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
