"""``planex benchmark``: rules, CRF and BERT systems on the same document splits, one table."""

from __future__ import annotations

import argparse
from pathlib import Path

from planex_cli.dataclass_options import add_dataclass_options, dataclass_from_args

NAME = "benchmark"
HELP = "score rules, CRF and BERT on cross-layout and cross-validation splits"
DEFAULT_BASE = "models/base/planex-char-bert-4l256"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from training.benchmark import WEAK_CORPUS
    from training.config import TrainConfig

    p.description = (
        "Train and score every system on the same whole-document splits and write "
        "reports/benchmark.json and reports/benchmark.md (machine, date, F1 per label, speed)."
    )
    p.add_argument(
        "--systems",
        nargs="+",
        default=["rules", "crf", "bert", "bert-random-init"],
        help="systems: rules crf bert (the recipe given by the training options) and its ablations "
        "bert-random-init bert+augment bert+decoys bert-no-augment bert-sqrt-weights bert-unweighted "
        "bert-no-line-marker bert+weak bert+hints bert-no-hints; "
        "NAME@SETTING runs one in that setting only",
    )
    p.add_argument(
        "--settings",
        nargs="+",
        default=["cross-layout", "all-data"],
        help="cross-layout all-data held-out (held-out needs --heldout)",
    )
    p.add_argument(
        "--heldout",
        nargs="+",
        type=Path,
        default=[],
        help="sealed label files or folders for the held-out setting (e.g. labels/heldout); "
        "every system trains on --labels and is scored on these",
    )
    p.add_argument(
        "--weak-corpus",
        type=Path,
        default=WEAK_CORPUS,
        help=f"unlabelled plans for bert+weak's rule-labelled first stage (default: {WEAK_CORPUS})",
    )
    p.add_argument("--cv", type=int, default=5, help="folds for the all-data setting (default: 5)")
    p.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="train each BERT system this many times, with seeds --seed, --seed+1, …, and report the spread "
        "(default: 1)",
    )
    p.add_argument(
        "--repeat-settings",
        nargs="+",
        default=["cross-layout"],
        help="settings --repeats applies to (default: cross-layout; in all-data each repeat trains --cv models)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run of the same command: keep the runs in REPORTS/benchmark.json "
        "and run only the missing ones (refused if the data, options or machine kind differ)",
    )
    p.add_argument("--reports", type=Path, default=Path("reports"), help="folder for the reports (default: reports)")
    add_dataclass_options(p, TrainConfig)
    p.set_defaults(func=run, base_model=DEFAULT_BASE, out=Path("reports"), labels=[Path("labels")])
    for action in p._actions:  # labels, base model and out have sensible defaults here
        if action.dest in ("labels", "base_model", "out"):
            action.required = False


def run(args: argparse.Namespace) -> int:
    from training.benchmark import run_benchmark
    from training.benchmark_inputs import load_inputs, load_resume
    from training.config import TrainConfig

    cfg = dataclass_from_args(TrainConfig, args)
    resume = load_resume(args.reports) if args.resume else None
    inputs = load_inputs(cfg, args.heldout, args.settings)
    run_benchmark(
        inputs.docs,
        inputs.scheme,
        cfg,
        args.systems,
        args.settings,
        args.cv,
        args.reports,
        weak_corpus=args.weak_corpus,
        document_files=inputs.files,
        command=args.command_line,
        repeats=args.repeats,
        repeat_settings=tuple(args.repeat_settings),
        heldout=inputs.heldout,
        resume=resume,
    )
    print(f"wrote {args.reports / 'benchmark.md'}")
    return 0
