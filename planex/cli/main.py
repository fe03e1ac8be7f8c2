"""Entry point of the ``planex`` console command."""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys

# Modules that each define add_parser(subparsers). Training and serving commands live in
# their own packages and are imported here only, so the shared library never depends on them.
COMMANDS = [
    "planex.cli.normalise_cmd",
    "planex.cli.labels_cmd",
    "training.pretrain_cmd",
    "training.train_cmd",
    "training.evaluate_cmd",
    "training.benchmark_cmd",
    "training.predict_cmd",
    "serving.serve_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planex",
        description="Extract tasks, deadlines, lead units and indicators from Chinese government plan documents.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue  # command not built in this checkout
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The words as typed, for reports that say how to repeat the run.
    args.command_line = shlex.join(["planex", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError) as e:  # user-facing problems carry a message that says what to do
        print(f"planex {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
