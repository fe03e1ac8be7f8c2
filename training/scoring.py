"""Entity-level scores: seqeval (strict IOB2) on character tags, and exact spans on raw offsets."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from planex.document import Span


def char_tags(text: str, spans: Iterable[Span]) -> list[str]:
    """IOB2 tag per character. Tokenizer-independent, so every system is scored on the same sequence."""
    tags = ["O"] * len(text)
    for s in sorted(spans):
        if any(t != "O" for t in tags[s.start : s.end]):
            continue  # a system's overlapping prediction cannot be encoded; the first one wins
        tags[s.start] = f"B-{s.label}"
        for i in range(s.start + 1, s.end):
            tags[i] = f"I-{s.label}"
    return tags


def seqeval_scores(
    texts: Sequence[str], gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]], labels: Sequence[str]
) -> dict[str, Any]:
    """Precision/recall/F1 per label, micro and macro, with seqeval in strict IOB2 mode."""
    y_true = [char_tags(t, g) for t, g in zip(texts, gold, strict=True)]
    y_pred = [char_tags(t, p) for t, p in zip(texts, pred, strict=True)]
    with warnings.catch_warnings():
        # seqeval averages over an empty label list for a document with no entity on either side
        # ("Mean of empty slice"); the scores below treat that case explicitly as zero support.
        warnings.simplefilter("ignore", RuntimeWarning)
        report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    out: dict[str, Any] = {"per_label": {}}
    for label in labels:
        r = report.get(label, {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0})
        out["per_label"][label] = _prf(r)
    out["micro"] = _prf(report["micro avg"])
    # macro over the scheme's labels (seqeval's macro skips labels absent from both sides)
    f1s = [out["per_label"][lab]["f1"] for lab in labels]
    out["macro"] = {
        "precision": sum(out["per_label"][lab]["precision"] for lab in labels) / len(labels),
        "recall": sum(out["per_label"][lab]["recall"] for lab in labels) / len(labels),
        "f1": sum(f1s) / len(labels),
        "support": out["micro"]["support"],
    }
    return out


def _prf(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "precision": float(r["precision"]),
        "recall": float(r["recall"]),
        "f1": float(r["f1-score"]),
        "support": int(r["support"]),
    }


def exact_span_scores(
    gold: Sequence[Iterable[tuple[int, int, str]]],
    pred: Sequence[Iterable[tuple[int, int, str]]],
    labels: Sequence[str],
) -> dict[str, Any]:
    """Exact-match precision/recall/F1 of (start, end, label) triples, per label and micro."""
    counts = {lab: [0, 0, 0] for lab in labels}  # true positives, predicted, gold
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g), set(p)
        for lab in labels:
            gl = {x for x in gs if x[2] == lab}
            pl = {x for x in ps if x[2] == lab}
            counts[lab][0] += len(gl & pl)
            counts[lab][1] += len(pl)
            counts[lab][2] += len(gl)
    out: dict[str, Any] = {"per_label": {lab: _from_counts(*c) for lab, c in counts.items()}}
    out["micro"] = _from_counts(*(sum(c[i] for c in counts.values()) for i in range(3)))
    return out


def _from_counts(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": n_gold}
