"""``planex pretrain``: masked-language-model pretraining of a small character BERT."""

from __future__ import annotations

import argparse

from planex_cli.dataclass_options import add_dataclass_options, dataclass_from_args

NAME = "pretrain"
HELP = "pretrain a small Chinese BERT on raw text (offline base model)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from training.pretrain_config import PretrainConfig

    p.description = (
        "Masked-language-model pretraining. Writes OUT/model (the base model folder), OUT/tokenizer, "
        "OUT/data.pt (the tokenised data) and OUT/checkpoint (for --resume). SIGINT or SIGTERM saves a "
        "checkpoint before stopping."
    )
    add_dataclass_options(p, PretrainConfig)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from training.pretrain import Interrupted, pretrain
    from training.pretrain_config import PretrainConfig

    try:
        metrics = pretrain(dataclass_from_args(PretrainConfig, args))
    except Interrupted as e:
        print(e)
        return 130
    print(
        f"held-out masked-token accuracy {metrics['heldout_masked_accuracy']:.3f} "
        f"at step {metrics['selected_step']} of {metrics['steps']}"
    )
    return 0
