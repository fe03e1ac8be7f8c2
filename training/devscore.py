"""A model still in training, scored and decoded as the server will run it (same spec, same window rule)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from planex.crf import CrfScores
from planex.document import Document, Span
from planex.hints import HINT_LABELS, RULES_FINGERPRINT
from planex.inference import Extractor
from planex.modelio import LoadedModel
from planex.modelspec import ModelSpec
from planex.scheme import LabelScheme
from training.config import TrainConfig
from training.scoring import seqeval_scores


def model_spec(
    cfg: TrainConfig,
    scheme: LabelScheme,
    single_token_labels: list[str] | None = None,
    name: str = "",
    version: str = "unversioned",
    info: dict[str, Any] | None = None,
) -> ModelSpec:
    """What inference must know to feed and decode the model as training did (saved as ``planex.json``).

    ``single_token_labels``: the labels that had a one-token span in the training data; the decoder
    predicts no one-token span of any other label (:func:`planex.codec.viterbi_tags`).
    """
    return ModelSpec(
        scheme=scheme,
        name=name or "in-training",
        version=version,
        max_length=cfg.max_tokens,
        line_marker=cfg.line_marker or None,
        rule_hints=HINT_LABELS if cfg.rule_hints else None,
        rules_fingerprint=RULES_FINGERPRINT if cfg.rule_hints else None,
        single_token_labels=None if single_token_labels is None else tuple(single_token_labels),
        crf=cfg.crf,
        info=info or {},
    )


def extractor_for(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    cfg: TrainConfig,
    single_token_labels: list[str] | None = None,
    crf: CrfScores | None = None,
) -> Extractor:
    """The server's extractor over a model still in memory, fed and decoded as ``cfg`` trained it.

    Its windows come from the spec by the server's rule (:func:`planex.modelspec.window_config`);
    ``crf``: a CRF's learned scores (``--crf``), decoded with the logits.
    """
    spec = model_spec(cfg, scheme, single_token_labels)
    return Extractor(LoadedModel(model, tokenizer, spec, Path("."), model.device, crf))


def dev_f1(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    docs: list[Document],
    cfg: TrainConfig,
    single_token_labels: list[str] | None = None,
    crf: CrfScores | None = None,
) -> float:
    """Micro-F1 (seqeval, strict) on dev documents, decoded exactly as the server decodes."""
    model.eval()
    extractor = extractor_for(model, tokenizer, scheme, cfg, single_token_labels, crf)
    preds = extractor.predict_normalised([d.text for d in docs])
    model.train()
    pred_spans = [[Span(s.start, s.end, s.label) for s in p] for p in preds]
    texts, gold = [d.text for d in docs], [d.spans for d in docs]
    return float(seqeval_scores(texts, gold, pred_spans, scheme.names)["micro"]["f1"])
