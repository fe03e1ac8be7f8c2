"""Masked-character accuracy of an MLM model on held-out text (used during and after pretraining)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from training.pretrain_data import Block, make_blocks, mask_chars, pad_blocks, read_source, split_heldout


@torch.no_grad()
def masked_accuracy(
    model: PreTrainedModel, blocks: list[Block], tokenizer: PreTrainedTokenizerBase, device: torch.device, bs: int = 64
) -> float:
    """Accuracy of predicting masked characters on held-out blocks (character masking, 15%).

    The masks come from a generator seeded with 0, so every evaluation of the same blocks
    masks the same characters and figures compare across steps, runs and models.
    """
    if not blocks:
        return float("nan")
    model.eval()
    gen = torch.Generator().manual_seed(0)
    right = total = 0
    for i in range(0, len(blocks), bs):
        rows = pad_blocks(blocks[i : i + bs], tokenizer)
        batch = {k: v.to(device) for k, v in mask_chars(rows, tokenizer, 0.15, gen).items()}
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        where = batch["labels"] != -100
        right += int((logits.argmax(-1)[where] == batch["labels"][where]).sum())
        total += int(where.sum())
    model.train()
    return right / max(total, 1)


def evaluate_model(
    model_dir: Path,
    inputs: list[Path],
    *,
    only_ids: frozenset[str] | None = None,
    heldout: float = 0.0,
    heldout_cap: int = 0,
    seed: int = 13,
    seq_len: int = 128,
    line_marker: str | None = "§",
) -> dict[str, Any]:
    """Masked-character accuracy of ``model_dir`` on each input (all of it, the records in
    ``only_ids``, or, with ``heldout`` > 0, the documents `planex pretrain` holds out of it
    with the same ``heldout``, ``heldout_cap`` and ``seed``)."""
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForMaskedLM.from_pretrained(model_dir, use_safetensors=True)
    results = []
    for spec in inputs:
        texts = read_source(spec, only=only_ids)
        if heldout:
            texts = split_heldout(texts, heldout, seed, heldout_cap)[1]
        if not texts:
            raise ValueError(f"{spec}: no document to evaluate on (check --ids and the input)")
        blocks = [(ids, list(range(len(ids)))) for ids, _ in make_blocks(texts, tokenizer, seq_len, False, line_marker)]
        results.append(
            {
                "input": str(spec),
                "documents": len(texts),
                "characters": sum(map(len, texts)),
                "sequences": len(blocks),
                "masked_accuracy": round(masked_accuracy(model, blocks, tokenizer, torch.device("cpu")), 4),
            }
        )
    return {"model": str(model_dir), "masking": "char, 15%, fixed seed", "results": results}
