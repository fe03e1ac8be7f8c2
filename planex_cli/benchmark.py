"""``planex benchmark``: rules, CRF and BERT systems on the same document splits, one table."""

from __future__ import annotations

import argparse
from pathlib import Path

from planex import paths
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
        "bert-random-init bert+augment bert+relayout bert+decoys bert-no-augment bert-sqrt-weights bert-unweighted "
        "bert-no-line-marker bert+weak bert+hints bert-no-hints bert+hint-dropout bert+window256 bert+mentions "
        "bert-no-hints+mentions bert+rename-leads bert-no-hints+rename-leads bert-no-snap "
        "bert+hint-dropout+window256 bert+crf; bert+relayout: --relayout 2 (training.relayout); "
        "bert+hint-dropout: rule hints left out of half the training windows, used in "
        "prediction; bert+window256: 256-token windows in training and prediction; bert+mentions: lead units "
        "renamed in a copy of each training document (--augment mentions); bert-no-snap: the recipe decoded without "
        "returning hinted spans whole (planex.hints.snap_to_hints); bert+rename-leads: in place of half "
        "the lead-unit documents, drawn each epoch (--rename-leads 0.5); bert+crf: a learned CRF "
        "over the logits (--crf), trained without class weights; "
        "NAME@SETTING runs one in that setting only",
    )
    p.add_argument(
        "--settings",
        nargs="+",
        default=["cross-layout", "all-data"],
        help="cross-layout all-data by-family held-out (held-out needs --heldout); by-family: cross-validation "
        "whose folds are whole layout families (--families), so every test document has a layout its model "
        "never trained on",
    )
    p.add_argument(
        "--family-folds",
        type=int,
        default=3,
        help="folds for the by-family setting, each a set of whole layout families balanced by characters (default: 3)",
    )
    p.add_argument(
        "--families",
        type=Path,
        default=paths.LABELS / "families.tsv",
        help="layout family of each document (id<TAB>family, `planex corpus families`) for by-family; a document "
        "missing from it is classified from its corpus record (default: labels/families.tsv)",
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
    p.add_argument(
        "--external",
        metavar="NAME",
        help="instead: check the learner on a public NER benchmark (resume): import it with `labels import`, "
        "train from --base-model and from random init (--systems in-house random-init, the default, and "
        "in-house+crf random-init+crf, the same with --crf; --crf adds +crf to each), score test; writes "
        "REPORTS/external/NAME.json and .md (see training/external.py); with --resume, models already trained in "
        "runs/external/NAME are reused",
    )
    p.add_argument(
        "--random-init-epochs",
        type=int,
        default=0,
        help="with --external: maximum epochs of the random init, which converges more slowly "
        "(default: --epochs); early stopping on the benchmark's dev split ends both",
    )
    p.add_argument(
        "--benchmarks-dir",
        type=Path,
        default=paths.BENCHMARKS / "ner",
        help="with --external: folder holding the benchmarks (resume/{train,dev,test}.char.bmes)",
    )
    add_dataclass_options(p, TrainConfig)
    p.set_defaults(func=run, base_model=DEFAULT_BASE, out=Path("reports"), labels=[Path("labels")])
    for action in p._actions:  # labels, base model and out have sensible defaults here
        if action.dest in ("labels", "base_model", "out"):
            action.required = False


def run(args: argparse.Namespace) -> int:
    from training.benchmark import run_benchmark
    from training.benchmark_inputs import load_inputs, load_resume
    from training.config import TrainConfig

    if args.external:
        return run_external_cmd(args)
    cfg = dataclass_from_args(TrainConfig, args)
    resume = load_resume(args.reports) if args.resume else None
    inputs = load_inputs(cfg, args.heldout, args.settings, args.families)
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
        families=inputs.families,
        family_k=args.family_folds,
    )
    print(f"wrote {args.reports / 'benchmark.md'}")
    return 0


# Training options passed on to each `planex train` of an external check (the rest keep train's defaults).
EXTERNAL_TRAIN_OPTIONS = ("epochs", "patience", "lr", "batch_size", "max_tokens", "class_weights", "seed")


def run_external_cmd(args: argparse.Namespace) -> int:
    from planex_cli.main import main
    from training.external import SYSTEMS, run_external, system_key

    asked = [s for s in args.systems if s in SYSTEMS]
    if asked and len(asked) != len(args.systems):
        raise ValueError(f"with --external, --systems takes {' '.join(SYSTEMS)}")
    asked = asked or ["in-house", "random-init"]
    if args.crf:  # a system's CRF is part of its name, so its model folder and report row are its own
        asked = [s if s.endswith("+crf") else s + "+crf" for s in asked]
    options = [f"--{k.replace('_', '-')}={getattr(args, k)}" for k in EXTERNAL_TRAIN_OPTIONS]
    options += [f"--{k.replace('_', '-')}={getattr(args, k)}" for k in ("max_minutes", "device") if getattr(args, k)]
    options += ["--length-buckets"] if args.length_buckets else []
    if args.random_init_epochs < 0:
        raise ValueError("--random-init-epochs must be 0 (as --epochs) or more")
    report = run_external(
        main,
        args.external,
        args.benchmarks_dir,
        args.base_model,
        options,
        asked,
        args.reports,
        args.resume,
        random_init_epochs=args.random_init_epochs,
    )
    for key in (system_key(s) for s in asked):
        if key in report:
            print(f"{key}: test micro-F1 {report[key]['test_micro_f1']:.4f} in {report[key]['train_s'] / 60:.1f} min")
    print(f"wrote {args.reports / 'external' / (args.external + '.md')}")
    return 0
