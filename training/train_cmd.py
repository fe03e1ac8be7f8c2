"""``planex train``: fine-tune a token classifier on labelled documents."""

from __future__ import annotations

import argparse

from training.dataclass_cli import add_dataclass_options, dataclass_from_args


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from training.finetune import TrainConfig

    p = sub.add_parser(
        "train",
        help="fine-tune a BERT token classifier on labelled documents",
        description="Fine-tune on whole documents (a share held out for early stopping) and write a complete, "
        "self-describing model folder: safetensors weights, tokenizer, id2label, label-scheme hash, "
        "training arguments, metrics and a model card.",
    )
    add_dataclass_options(p, TrainConfig)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from training.finetune import TrainConfig, train

    cfg = dataclass_from_args(TrainConfig, args)
    meta = train(cfg)
    print(f"wrote {meta['path']} (version {meta['version']}); dev micro-F1 {meta['metrics']['dev_micro_f1']}")
    return 0
