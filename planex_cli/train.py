"""``planex train``: fine-tune a token classifier on labelled documents."""

from __future__ import annotations

import argparse

from planex_cli.dataclass_options import add_dataclass_options, dataclass_from_args

NAME = "train"
HELP = "fine-tune a BERT token classifier on labelled documents"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from training.config import TrainConfig

    p.description = (
        "Fine-tune on whole documents (a share held out for early stopping) and write a complete, "
        "self-describing model folder: safetensors weights, tokenizer, id2label, label-scheme hash, "
        "training arguments, metrics and a model card."
    )
    add_dataclass_options(p, TrainConfig)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from training.config import TrainConfig
    from training.finetune import train

    meta = train(dataclass_from_args(TrainConfig, args))
    print(f"wrote {meta['path']} (version {meta['version']}); dev micro-F1 {meta['metrics']['dev_micro_f1']}")
    return 0
