"""``planex benchmark``: rules, CRF and BERT systems on the same document splits, one table."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from training.dataclass_cli import add_dataclass_options, dataclass_from_args

DEFAULT_BASE = "models/base/planex-char-bert-4l256"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from training.benchmark import WEAK_CORPUS
    from training.finetune import TrainConfig

    p = sub.add_parser(
        "benchmark",
        help="score rules, CRF and BERT on cross-layout and cross-validation splits",
        description="Train and score every system on the same whole-document splits and write "
        "reports/benchmark.json and reports/benchmark.md (machine, date, F1 per label, speed).",
    )
    p.add_argument(
        "--systems",
        nargs="+",
        default=["rules", "crf", "bert", "bert-random-init"],
        help="systems: rules crf bert (the recipe given by the training options) and its ablations "
        "bert-random-init bert+augment bert-no-augment bert-sqrt-weights bert-unweighted bert-no-line-marker "
        "bert+weak bert+hints bert-no-hints; "
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
    from planex.labelfile import label_files, load_documents
    from planex.scheme import load_scheme
    from training.benchmark import run_benchmark
    from training.finetune import TrainConfig, load_training_documents

    cfg = dataclass_from_args(TrainConfig, args)
    resume = None
    if args.resume:
        previous = args.reports / "benchmark.json"
        if not previous.is_file():
            raise ValueError(f"--resume: there is no {previous} to continue; run without --resume")
        try:
            resume = json.loads(previous.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"--resume: {previous} is not a benchmark report ({err}); run without --resume") from err
    scheme = load_scheme(cfg.scheme)
    docs = load_training_documents(cfg, scheme)
    heldout = load_documents(args.heldout, scheme) if args.heldout else []
    if "held-out" in args.settings and not heldout:
        raise ValueError("the held-out setting needs --heldout FILES (e.g. --heldout labels/heldout)")
    seen_ids, seen_texts = {d.id for d in docs}, {d.text for d in docs}
    overlap = [d.id for d in heldout if d.id in seen_ids or d.text in seen_texts]
    if overlap:
        raise ValueError(f"held-out document(s) {', '.join(overlap)} are also in --labels; remove them from one side")
    labelled = [*label_files(cfg.labels, cfg.include_feedback), *label_files(args.heldout)]
    files = {d.id: path.name for path in labelled for d in load_documents([path])}
    run_benchmark(
        docs,
        scheme,
        cfg,
        args.systems,
        args.settings,
        args.cv,
        args.reports,
        weak_corpus=args.weak_corpus,
        document_files=files,
        command=args.command_line,
        repeats=args.repeats,
        repeat_settings=tuple(args.repeat_settings),
        heldout=heldout,
        resume=resume,
    )
    print(f"wrote {args.reports / 'benchmark.md'}")
    return 0
