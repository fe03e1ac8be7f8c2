"""Line breaks reach the model as a marker token, and never end up inside a predicted span."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from planex.document import Document, Span
from planex.inference import Extractor
from planex.linebreaks import DEFAULT_MARKER, check_marker, mark_lines
from planex.modelio import load_model
from planex.modelspec import WindowConfig
from planex.scheme import load_scheme
from tests.conftest import seed_tokenizer


def test_mark_lines_keeps_every_offset() -> None:
    text = "一、总体要求\n（一）加强监测。\n\n2025年底前完成"
    marked = mark_lines(text, DEFAULT_MARKER)
    assert len(marked) == len(text)
    assert [i for i, c in enumerate(marked) if c == DEFAULT_MARKER] == [i for i, c in enumerate(text) if c == "\n"]
    assert mark_lines(text, None) == text


def test_check_marker_accepts_a_vocabulary_character_and_refuses_bad_ones() -> None:
    tok = seed_tokenizer()
    check_marker(tok, DEFAULT_MARKER)
    for bad in ("", "§§", " ", "\n"):
        with pytest.raises(ValueError, match="line-marker"):
            check_marker(tok, bad)
    with pytest.warns(UserWarning, match=r"\[UNK\]"):
        check_marker(tok, "\U0001f600")  # one token of its own, but not in the vocabulary


def test_training_windows_see_line_breaks_as_outside_tokens() -> None:
    from training.data import build_dataset

    text = "一、加强监测\n牵头单位：市统计局"
    doc = Document("d", text, [Span(2, 6, "TASK"), Span(12, 16, "LEAD_UNIT")])
    scheme = load_scheme()
    tok = seed_tokenizer()
    with_marker, _ = build_dataset([doc], tok, scheme, 64, 62, DEFAULT_MARKER)
    without, _ = build_dataset([doc], tok, scheme, 64, 62, None)
    ids, labels = with_marker[0]["input_ids"], with_marker[0]["labels"]
    assert len(ids) == len(without[0]["input_ids"]) + 1  # one more token: the line break
    marker_pos = 1 + text.index("\n")  # after [CLS]
    assert ids[marker_pos] == tok.convert_tokens_to_ids(DEFAULT_MARKER)
    assert scheme.tags[labels[marker_pos]] == "O"
    assert scheme.tags[labels[marker_pos - 1]] == "I-TASK"
    assert scheme.tags[labels[marker_pos + 6]] == "B-LEAD_UNIT"


def test_extractor_never_returns_a_span_on_or_across_a_line_break(tiny_model_dir: Path) -> None:
    loaded = load_model(tiny_model_dir)
    assert loaded.spec.line_marker == DEFAULT_MARKER
    ex = Extractor(loaded, WindowConfig(max_tokens=32, stride=20))
    text = "加强监测\n完善制度\n\n市统计局\n"
    b_task = ex.tags.index("B-TASK")
    i_task = ex.tags.index("I-TASK")

    def all_task(texts: list[str], ruled: object = None) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        out = []
        for t in texts:
            offsets = [(i, i + 1) for i, c in enumerate(t) if not c.isspace() or c == "\n"]
            probs = np.zeros((len(offsets), len(ex.tags)))
            probs[:, i_task] = 0.9  # the model "wants" one span over everything, line breaks included
            probs[0, b_task] = 0.95
            out.append((offsets, probs))
        return out

    ex.token_probs = all_task  # type: ignore[method-assign]
    (spans,) = ex.predict_normalised([text])
    assert spans, "the forced probabilities yield spans"
    for s in spans:
        assert "\n" not in text[s.start : s.end]
        assert not text[s.start : s.end].isspace()
    whitespace_only = ex.extract(["  \n\t "])
    assert whitespace_only[0][1] == []


def test_models_without_a_marker_read_text_as_before(tiny_model_dir: Path) -> None:
    loaded = load_model(tiny_model_dir)
    plain = replace(loaded, spec=replace(loaded.spec, line_marker=None))
    ((offsets, _),) = Extractor(plain, WindowConfig(max_tokens=32, stride=20)).token_probs(["甲乙\n丙"])
    assert offsets == [(0, 1), (1, 2), (3, 4)]
    ((offsets, _),) = Extractor(loaded, WindowConfig(max_tokens=32, stride=20)).token_probs(["甲乙\n丙"])
    assert offsets == [(0, 1), (1, 2), (2, 3), (3, 4)]
