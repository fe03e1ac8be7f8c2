"""Well-formed spans (planex.spanform): pieces the network returns are told from whole names and targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from planex.labelfile import load_documents
from planex.spanform import well_formed


def _ok(text: str, label: str) -> bool:
    return well_formed(text, 0, len(text), label)


@pytest.mark.parametrize(
    ("piece", "label", "ok"),
    [
        ("市司法局", "LEAD_UNIT", True),
        ("各县（市、区）", "LEAD_UNIT", True),
        ("市直各有关部门", "LEAD_UNIT", True),
        ("杭州海关", "LEAD_UNIT", True),
        ("施工企业", "LEAD_UNIT", True),
        ("市直属机构", "LEAD_UNIT", True),
        ("市司", "LEAD_UNIT", False),  # a piece of 市司法局
        ("区发", "LEAD_UNIT", False),
        ("新增学位3000个", "INDICATOR", True),
        ("覆盖率达到百分之九十", "INDICATOR", True),
        ("招聘教", "INDICATOR", False),  # no value
        ("200", "INDICATOR", False),  # a value alone
        ("自查", "TASK", True),  # a two-character task is real
        ("加强(市）管理", "TASK", True),  # brackets of either width close each other
        ("大气污染防治(", "TASK", False),  # cut inside its bracket
        ("防震减灾(1分", "TASK", False),
        ("菜市场提升改造工程★", "TASK", False),  # a list's mark is no part of the task
        ("20", "DEADLINE", True),  # deadlines are left alone
    ],
)
def test_pieces_are_told_from_whole_spans(piece: str, label: str, ok: bool) -> None:
    assert _ok(piece, label) is ok


def test_every_gold_span_of_the_training_labels_is_well_formed() -> None:
    labels = Path(__file__).resolve().parents[1] / "labels"
    if not any(labels.glob("*/*.jsonl")):
        pytest.skip("no training labels in this checkout")
    docs = load_documents([labels])  # the gold folders: neither heldout/ nor work/
    bad = [
        (d.id, s.label, d.text[s.start : s.end])
        for d in docs
        for s in d.spans
        if not well_formed(d.text, s.start, s.end, s.label)
    ]
    assert len(docs) > 400 and bad == []


def test_the_extractor_drops_malformed_spans_by_default(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planex.codec import ScoredSpan
    from planex.inference import Extractor
    from planex.modelio import load_model

    extractor = Extractor(load_model(tiny_model_dir))
    text = "责任单位：市司法局。"
    found = [ScoredSpan(5, 7, "LEAD_UNIT", 0.9), ScoredSpan(5, 9, "LEAD_UNIT", 0.8)]  # `市司`, then `市司法局`
    monkeypatch.setattr(extractor, "decode", lambda *args: found)
    assert extractor.drop_malformed
    assert [(s.start, s.end) for s in extractor.predict_normalised([text])[0]] == [(5, 9)]
    extractor.drop_malformed = False
    assert len(extractor.predict_normalised([text])[0]) == 2


@pytest.mark.parametrize(
    ("piece", "label", "ok"),
    [
        ("区域教育中心建设专班", "LEAD_UNIT", True),
        ("各乡镇场", "LEAD_UNIT", True),
        ("各村〔社区〕", "LEAD_UNIT", True),
        ("市场", "LEAD_UNIT", False),
        ("厅属普通高中", "LEAD_UNIT", True),
        ("各市<州>", "LEAD_UNIT", True),
        ("6条路", "INDICATOR", True),
        ("≥2%", "INDICATOR", True),
        ("20个", "INDICATOR", False),
        ("15%", "INDICATOR", False),
    ],
)
def test_short_names_and_targets_that_stand_whole(piece: str, label: str, ok: bool) -> None:
    assert well_formed(piece, 0, len(piece), label) is ok
