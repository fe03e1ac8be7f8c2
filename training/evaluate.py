"""Score systems on held-out documents: seqeval per label plus exact spans on raw offsets.

Folds are always made of whole documents: a document is never split between training
and test.
"""

from __future__ import annotations

import random
import time
import warnings
from typing import Any

from planex.document import Document, Span
from planex.inference import Extractor
from planex.modelio import LoadedModel
from planex.normalise import Normalised
from planex.scheme import LabelScheme
from planex.sources import SourceMissingError, as_is, renormalised
from training.baselines import System
from training.batches import split_dev
from training.config import TrainConfig
from training.devscore import extractor_for
from training.errors import add_counts, classify, counts, sample
from training.linkscore import document_link_scores
from training.loop import fit
from training.scoring import exact_span_scores, seqeval_scores


class BertSystem:
    """Fine-tunes with :func:`training.loop.fit`; predicts through the server's :class:`Extractor`."""

    seeded = True

    def __init__(self, name: str, cfg: TrainConfig | None, scheme: LabelScheme, snap_hints: bool = True):
        """``snap_hints=False``: decode without returning hinted spans whole (the ablation ``bert-no-snap``)."""
        self.name, self.cfg, self.scheme = name, cfg, scheme
        self.snap_hints = snap_hints
        self.extractor: Extractor | None = None

    @classmethod
    def from_loaded(cls, name: str, loaded: LoadedModel) -> BertSystem:
        """Wrap an already trained model (nothing to fit)."""
        system = cls(name, None, loaded.scheme)
        system.extractor = Extractor(loaded)
        return system

    def fit(self, docs: list[Document]) -> None:
        if self.cfg is None:
            raise ValueError(f"{self.name} wraps a trained model and cannot be fitted")
        train_docs, dev_docs = split_dev(docs, self.cfg.dev_fraction, self.cfg.seed)
        result = fit(train_docs, dev_docs, self.cfg, self.scheme, progress=False)
        self.extractor = extractor_for(
            result.model, result.tokenizer, self.scheme, self.cfg, result.single_token_labels, result.crf
        )
        self.extractor.snap_hints = self.extractor.snap_hints and self.snap_hints

    def predict(self, texts: list[str]) -> list[list[Span]]:
        assert self.extractor is not None, "fit() first"
        return [[Span(s.start, s.end, s.label) for s in p] for p in self.extractor.predict_normalised(texts)]

    def predict_raw(self, raws: list[str]) -> list[list[tuple[int, int, str]]]:
        """Raw-offset spans exactly as the server returns them."""
        assert self.extractor is not None, "fit() first"
        return [[(e.start, e.end, e.label) for e in ents] for _, ents in self.extractor.extract(raws)]


def _raw_spans(norm: Normalised, spans: list[Span]) -> list[tuple[int, int, str]]:
    return [(*norm.to_raw(s.start, s.end), s.label) for s in spans]


def _renormalised(docs: list[Document]) -> tuple[list[Normalised | None], bool]:
    """Each document's source normalised again; where no source can be read here (no corpus), None for all,
    with a warning, so every document is scored on its label file's text (``exact raw`` then counts offsets
    into those texts)."""
    try:
        return [renormalised(d) for d in docs], False
    except SourceMissingError as e:
        warnings.warn(
            f"{e}. Scoring on the label files' own texts instead: 'exact raw' then counts offsets into them.",
            stacklevel=3,
        )
        return [None for _ in docs], True


def score(system: System, docs: list[Document], labels: tuple[str, ...]) -> dict[str, Any]:
    """Predict on ``docs`` and score: seqeval (normalised text) and exact spans (raw offsets)."""
    # A document with a source is scored on raw offsets too, as the server answers; one that carries its
    # own text (no source: imported corpora, public benchmarks) is its own raw text.
    sourced, missing = _renormalised(docs)
    for d, n in zip(docs, sourced, strict=True):
        if n is not None and n.text != d.text:
            raise ValueError(f"{d.id}: labels are out of date with the normaliser; run `planex labels renormalise`")
    norms = [n or as_is(d.text) for d, n in zip(docs, sourced, strict=True)]
    raws = [n.raw for n in norms]
    started = time.perf_counter()
    pred = system.predict([d.text for d in docs])
    seconds = time.perf_counter() - started
    pred_raw = [_raw_spans(n, p) for n, p in zip(norms, pred, strict=True)]
    if isinstance(system, BertSystem) and any(n is not None for n in sourced):
        with_source = [i for i, n in enumerate(sourced) if n is not None]
        for i, spans in zip(with_source, system.predict_raw([raws[i] for i in with_source]), strict=True):
            pred_raw[i] = spans
    gold_raw = [_raw_spans(n, d.spans) for n, d in zip(norms, docs, strict=True)]
    result = seqeval_scores([d.text for d in docs], [d.spans for d in docs], pred, labels)
    result["exact_raw"] = exact_span_scores(gold_raw, pred_raw, labels)
    result["links"] = document_link_scores(docs, pred, labels)
    result["predict_seconds"] = seconds
    result["characters"] = sum(len(r) for r in raws)
    if missing:
        result["raw_texts"] = "label files"
    result["per_document"] = [
        {"id": d.id, "predicted": len(p), **seqeval_scores([d.text], [d.spans], [p], labels)["micro"]}
        for d, p in zip(docs, pred, strict=True)
    ]
    errors = classify(docs, pred)
    result["error_counts"] = counts(errors)
    result["errors"] = sample(errors, 60)  # context for the notebooks; the counts above are complete
    result["fragment_examples"] = sample(errors, 12, "fragment")
    result["_pred"] = pred  # kept in memory for pooling across folds; removed before reports are written
    result["_pred_raw"], result["_gold_raw"] = pred_raw, gold_raw
    return result


def kfold(docs: list[Document], k: int, seed: int = 13) -> list[list[Document]]:
    """Split documents into ``k`` folds of whole documents, balanced by character count."""
    if not 2 <= k <= len(docs):
        raise ValueError(f"--cv must be between 2 and the number of documents ({len(docs)})")
    order = sorted(docs, key=lambda d: d.id)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda d: -len(d.text))  # greedy: largest first into the lightest fold
    folds: list[list[Document]] = [[] for _ in range(k)]
    for d in order:
        min(folds, key=lambda f: sum(len(x.text) for x in f)).append(d)
    return folds


def pooled(fold_results: list[dict[str, Any]], folds: list[list[Document]], labels: tuple[str, ...]) -> dict[str, Any]:
    """Score all folds' predictions together: each document predicted once, by a model that never saw it."""
    docs = [d for fold in folds for d in fold]
    pred = [p for r in fold_results for p in r["_pred"]]
    out = seqeval_scores([d.text for d in docs], [d.spans for d in docs], pred, labels)
    out["exact_raw"] = exact_span_scores(
        [g for r in fold_results for g in r["_gold_raw"]], [p for r in fold_results for p in r["_pred_raw"]], labels
    )
    out["links"] = document_link_scores(docs, pred, labels)
    out["predict_seconds"] = sum(r["predict_seconds"] for r in fold_results)
    out["characters"] = sum(r["characters"] for r in fold_results)
    out["per_document"] = [x for r in fold_results for x in r["per_document"]]
    if any(r.get("raw_texts") for r in fold_results):
        out["raw_texts"] = "label files"
    # Samples fair across folds, not the first folds' errors; the counts add up.
    out["errors"] = sample([x for r in fold_results for x in r["errors"]], 80)
    out["error_counts"] = add_counts([r["error_counts"] for r in fold_results])
    out["fragment_examples"] = sample([x for r in fold_results for x in r["fragment_examples"]], 12)
    out["folds"] = [
        {"micro_f1": r["micro"]["f1"], "documents": [d.id for d in f]} for r, f in zip(fold_results, folds, strict=True)
    ]
    return out


def public(result: dict[str, Any]) -> dict[str, Any]:
    """The result without in-memory predictions, ready for JSON."""
    return {k: v for k, v in result.items() if not k.startswith("_")}


__all__ = ["BertSystem", "kfold", "pooled", "public", "score"]
