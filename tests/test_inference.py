"""Inference: offsets into exactly what was posted, on noisy and long input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planex.inference import Extractor
from planex.modelio import load_model
from planex.modelspec import WindowConfig


@pytest.fixture(scope="module")
def extractor(tiny_model_dir: Path) -> Extractor:
    return Extractor(load_model(tiny_model_dir), WindowConfig(max_tokens=32, stride=20, batch_size=8))


def test_inference_offsets_into_traditional_noisy_seed(extractor: Extractor, seed_texts: dict[str, str]) -> None:
    raw = seed_texts["002_09fd2415f66b5df1"]
    norm, entities = extractor.extract([raw])[0]
    assert entities, "the random tiny model predicts something on 4,000 characters"
    for e in entities:
        assert raw[e.start : e.end] == e.text
        assert norm.text[e.norm_start : e.norm_end]
        assert (e.start, e.end) == norm.to_raw(e.norm_start, e.norm_end)


def test_inference_windows_give_each_token_one_prediction(tiny_model_dir: Path, seed_texts: dict[str, str]) -> None:
    """Windowing changes only context, never loses or duplicates tokens: every token gets one prediction."""
    loaded = load_model(tiny_model_dir)
    text = seed_texts["003_73a913652c5a0285"][:3000]
    ((offsets, probs),) = Extractor(loaded, WindowConfig(max_tokens=32, stride=16)).token_probs([text])
    # one token per visible character and per line break (the model's line marker), many windows
    assert len(offsets) == sum(not c.isspace() or c == "\n" for c in text) > 30
    assert probs.shape == (len(offsets), len(loaded.scheme.tags))
    assert abs(probs.sum(-1) - 1).max() < 1e-4  # every token got exactly one softmax row


def test_inference_batch_equals_single(extractor: Extractor, seed_texts: dict[str, str]) -> None:
    texts = [seed_texts["001_f7c1b273358ac10b"][:800], "加强数据管理。", seed_texts["004_e3e2c72c916db378"][:500]]
    together = extractor.extract(texts)
    for text, (_, ents) in zip(texts, together, strict=True):
        alone = extractor.extract([text])[0][1]
        assert [(e.start, e.end, e.label) for e in alone] == [(e.start, e.end, e.label) for e in ents]


def test_inference_empty_and_whitespace(extractor: Extractor) -> None:
    assert [ents for _, ents in extractor.extract(["", "  \n\t "])] == [[], []]


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=200))
def test_inference_offsets_property(extractor: Extractor, raw: str) -> None:
    for e in extractor.extract([raw])[0][1]:
        assert raw[e.start : e.end] == e.text
        assert 0 <= e.start < e.end <= len(raw)


def test_inference_decodes_one_token_spans_only_for_labels_trained_so(
    tiny_model_dir: Path, seed_texts: dict[str, str]
) -> None:
    """A model's ``single_token_labels`` (planex.json) reach the decoder: other labels get no one-token span."""
    from dataclasses import replace

    loaded = load_model(tiny_model_dir)
    text = seed_texts["001_f7c1b273358ac10b"][:2000]
    ((offsets, _),) = Extractor(loaded).token_probs([text])  # tokens do not depend on the decoding
    starts = [a for a, _ in offsets]

    def lengths(single: list[str] | None) -> dict[str, int]:
        labels = None if single is None else tuple(single)
        model = replace(loaded, spec=replace(loaded.spec, single_token_labels=labels))
        spans = Extractor(model).predict_normalised([text])[0]
        return {f"{s.label}@{s.start}": sum(s.start <= a < s.end for a in starts) for s in spans}

    free = lengths(None)
    assert 1 in free.values(), "the random tiny model makes one-token spans when nothing forbids them"
    assert 1 not in lengths([]).values()
    allowed = lengths(["TASK"])
    assert all(n > 1 for k, n in allowed.items() if not k.startswith("TASK@"))


def test_o_weight_trades_precision_for_recall(extractor: Extractor) -> None:
    """``o_weight`` below 1 only ever adds span tokens, keeps each span's score the network's, and 1 changes
    nothing; at 0 every token that could be in a span is in one."""
    import numpy as np

    tags = extractor.tags
    o = tags.index("O")
    text = "甲乙丙丁戊己庚"
    offsets = [(i, i + 1) for i in range(len(text))]
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(len(tags)), size=len(text))
    probs[:, o] += 3.0  # the network is sure of O everywhere
    probs /= probs.sum(-1, keepdims=True)

    def covered(weight: float) -> tuple[set[int], list[float]]:
        extractor.o_weight = weight
        try:
            spans = extractor.decode(text, offsets, probs.copy())
        finally:
            extractor.o_weight = 1.0
        return {i for s in spans for i in range(s.start, s.end)}, [s.score for s in spans]

    assert covered(1.0)[0] == set()
    loose, scores = covered(0.05)
    assert loose, "a small enough weight lets the other tags win"
    assert all(0 < s < 0.5 for s in scores), "scores stay the network's probabilities, not the weighted ones"
    assert covered(0.0)[0] == set(range(len(text)))
