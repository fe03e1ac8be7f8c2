"""The data of a fine-tuning run: labelled documents, the dev split, rule-labelled documents, padded batches."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from planex.document import Document
from planex.labelfile import iter_documents, label_files, load_documents
from planex.scheme import LabelScheme
from training.config import TrainConfig
from training.data import IGNORE
from training.weak import weak_documents


def load_training_documents(cfg: TrainConfig, scheme: LabelScheme) -> list[Document]:
    files = label_files(cfg.labels, feedback=cfg.include_feedback)
    docs = load_documents(files, scheme)
    if not docs:
        raise ValueError(f"no labelled documents in {', '.join(map(str, cfg.labels))}")
    unknown = sorted({s.label for d in docs for s in d.spans} - set(scheme.names))
    if unknown:
        raise ValueError(f"labels {', '.join(unknown)} are not in {cfg.scheme}; add them there first")
    return docs


def dev_split(cfg: TrainConfig, docs: list[Document], scheme: LabelScheme) -> tuple[list[Document], list[Document]]:
    """Training and dev documents of a run: ``--dev`` files if given (never trained on), else a share of ``docs``."""
    if cfg.dev:
        train_docs, dev_docs = docs, load_documents(cfg.dev, scheme, heldout=True)
        if shared := sorted({d.id for d in train_docs} & {d.id for d in dev_docs}):
            raise ValueError(
                f"--dev shares {len(shared)} document ids with --labels ({', '.join(shared[:5])}); "
                "a dev document must not be trained on"
            )
        return train_docs, dev_docs
    return split_dev(docs, cfg.dev_fraction, cfg.seed)


def split_dev(docs: list[Document], fraction: float, seed: int) -> tuple[list[Document], list[Document]]:
    """Hold out whole documents (never part of one) for early stopping."""
    if fraction == 0 or len(docs) < 2:
        return docs, []
    order = sorted(docs, key=lambda d: d.id)
    random.Random(seed).shuffle(order)
    n_dev = max(1, round(fraction * len(docs)))
    return order[n_dev:], order[:n_dev]


def weak_stage_documents(cfg: TrainConfig, labelled: list[Document]) -> list[Document]:
    """Rule-labelled documents for the first stage, leaving out every text that has gold labels."""
    if not cfg.weak or not cfg.weak_epochs or not cfg.weak_max_chars:
        return []
    gold = {d.text for d in labelled}
    for path in label_files(cfg.labels, feedback=True):  # every labelled text, test folds included
        gold |= {doc.text for doc, _ in iter_documents(path, None) if doc is not None}
    return weak_documents(cfg.weak, gold, cfg.weak_max_chars, cfg.seed)


def tag_weights(dataset_labels: list[list[int]], n_tags: int, mode: str) -> torch.Tensor | None:
    if mode == "none":
        return None
    counts = np.ones(n_tags)
    for row in dataset_labels:
        for t in row:
            if t != IGNORE:
                counts[t] += 1
    weights = 1.0 / np.sqrt(counts)
    return torch.tensor(weights / weights[0], dtype=torch.float)  # "O" keeps weight 1


def make_batches(
    rows: list[dict[str, Any]],
    size: int,
    rng: random.Random,
    pad_id: int,
    hint_dropout: float = 0.0,
    hint_decoys: float = 0.0,
    buckets: bool = False,
) -> list[dict[str, torch.Tensor]]:
    """Shuffle ``rows`` into padded batches.

    A ``hint_dropout`` share of windows lose their rule hints, and a ``hint_decoys`` share are shown
    their decoy hints instead (one draw per window decides both). ``buckets``: sort each pool of 32
    batches' worth of shuffled windows by length before cutting it into batches, then shuffle the batches.
    """
    rows = rows[:]
    rng.shuffle(rows)
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
    if buckets:
        pool = 32 * size
        ordered = [r for i in range(0, len(rows), pool) for r in sorted(rows[i : i + pool], key=_width)]
        chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
        rng.shuffle(chunks)
    out = []
    for chunk in chunks:
        width = max(len(r["input_ids"]) for r in chunk)
        ids = torch.full((len(chunk), width), pad_id)
        labels = torch.full((len(chunk), width), IGNORE)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        types = torch.zeros((len(chunk), width), dtype=torch.long)
        for r, row in enumerate(chunk):
            n = len(row["input_ids"])
            ids[r, :n] = torch.tensor(row["input_ids"])
            labels[r, :n] = torch.tensor(row["labels"])
            mask[r, :n] = 1
            # Dropping hints from some windows makes the model learn each label without the rules too, so
            # it can overrule them where they fail (without it, it copies them: see reports/README.md).
            if "token_type_ids" in row:
                draw = rng.random()
                if draw >= hint_dropout + hint_decoys:
                    types[r, :n] = torch.tensor(row["token_type_ids"])
                elif draw >= hint_dropout:
                    types[r, :n] = torch.tensor(row["decoy_type_ids"])
        batch = {"input_ids": ids, "attention_mask": mask, "labels": labels}
        if "edges" in chunk[0]:  # for a CRF's loss (training.crf), not a model input
            batch["edges"] = torch.tensor([row["edges"] for row in chunk], dtype=torch.bool)
        if "token_type_ids" in chunk[0]:  # rule hints; other models may not accept token types at all
            batch["token_type_ids"] = types
        out.append(batch)
    return out


def _width(row: dict[str, Any]) -> int:
    return len(row["input_ids"])
