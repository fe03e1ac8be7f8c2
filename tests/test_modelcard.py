"""The model card says how the kept epoch was chosen: by dev documents, or none (all trained on, the last kept)."""

from __future__ import annotations

import math
from typing import Any

from planex.scheme import load_scheme
from training.modelcard import model_card


def _meta(dev_documents: list[str], epochs: int, dev_f1: float) -> dict[str, Any]:
    history = [{"epoch": e, "loss": 1.0 / e, "dev_micro_f1": dev_f1} for e in range(1, epochs + 1)]
    return {
        "name": "m",
        "version": "v1",
        "created": "2026-12-07T00:00:00+00:00",
        "base_model": "base",
        "init": "pretrained",
        "train_documents": ["a", "b", "c"],
        "dev_documents": dev_documents,
        "max_length": 128,
        "stride": 94,
        "training_args": {},
        "metrics": {
            "dev_micro_f1": dev_f1,
            "best_epoch": 2 if dev_documents else epochs,
            "train_seconds": 60.0,
            "device": "cpu",
            "history": history,
        },
    }


def test_modelcard_without_dev_documents_says_none_and_the_epochs_trained() -> None:
    card = model_card(_meta([], 6, math.nan), load_scheme())
    assert (
        "| dev documents (early stopping) | none (trained on all documents for 6 epochs, no early stopping) |" in card
    )
    assert "| best epoch | 6 (the last: no dev documents to choose by) |" in card
    assert "| dev micro-F1 (seqeval strict, characters) | n/a (no dev documents) |" in card
    assert "| 0: " not in card and "The dev score comes from" not in card
    assert "1 epoch," in model_card(_meta([], 1, math.nan), load_scheme())
    cut = _meta([], 3, math.nan)
    cut["metrics"]["history"][-1]["stopped"] = "max-minutes"
    weak = _meta([], 2, math.nan)  # a first stage on rule-labelled documents is not an epoch on the labels
    weak["metrics"]["history"].insert(0, {"epoch": "weak-1", "loss": 2.0})
    assert "for 3 epochs, the last cut short by --max-minutes, no early stopping)" in model_card(cut, load_scheme())
    assert "for 2 epochs, no early stopping)" in model_card(weak, load_scheme())


def test_modelcard_with_dev_documents_lists_them_and_the_best_epoch() -> None:
    card = model_card(_meta(["d1", "d2"], 5, 0.75), load_scheme())
    assert "| dev documents (early stopping) | 2: d1, d2 |" in card
    assert "| best epoch | 2 |" in card
    assert "| dev micro-F1 (seqeval strict, characters) | 0.750 |" in card
    assert "The dev score comes from a handful of held-out documents" in card
