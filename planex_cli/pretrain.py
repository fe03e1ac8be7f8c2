"""``planex pretrain``: masked-language-model pretraining of a small character BERT."""

from __future__ import annotations

import argparse

from planex_cli.dataclass_options import add_dataclass_options, dataclass_from_args

NAME = "pretrain"
HELP = "pretrain a small Chinese BERT from scratch on raw text (offline base model)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from training.pretrain import PretrainConfig

    p.description = (
        "Masked-language-model pretraining. Writes OUT/model (the base model folder), "
        "OUT/tokenizer and OUT/checkpoint (for --resume)."
    )
    add_dataclass_options(p, PretrainConfig)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from training.pretrain import PretrainConfig, pretrain

    metrics = pretrain(dataclass_from_args(PretrainConfig, args))
    print(
        f"held-out masked-token accuracy {metrics['heldout_masked_accuracy']:.3f} "
        f"at step {metrics['selected_step']} of {metrics['steps']}"
    )
    return 0
