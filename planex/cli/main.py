"""Entry point of the ``planex`` console command."""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> module under planex.cli that defines add_parser(subparsers)
COMMANDS = ["normalise_cmd", "labels_cmd", "pretrain_cmd", "train_cmd", "evaluate_cmd", "benchmark_cmd",
            "serve_cmd", "predict_cmd"]  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planex", description="Extract tasks, deadlines, lead units and "
                                     "indicators from Chinese government plan documents.")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"planex.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"planex.cli.{name}":
                continue  # command not built in this checkout
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError) as e:  # user-facing problems carry a message that says what to do
        print(f"planex {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
