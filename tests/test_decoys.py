"""Decoy hints: looser proposals than the rules', shown in training so the model learns to overrule hints."""

from __future__ import annotations

import itertools
import random

from planex import rules
from planex.hints import hint_ids, hint_type
from training.batches import make_batches
from training.config import TrainConfig
from training.decoys import decoy_spans

TEXT = (
    "一、总体要求\n（一）指导思想。坚持创新发展。\n"
    "二、主要任务\n（一）建设数据平台。到2025年，覆盖率达到90%以上。（牵头单位：市数据局）\n"
    "全市现有基站1200个，1998年起步。"
)


def _texts(text: str, spans: list) -> set[tuple[str, str]]:
    return {(s.label, text[s.start : s.end]) for s in spans}


def test_decoys_keep_every_rule_span_and_add_what_looser_rules_would_propose() -> None:
    ruled, decoys = rules.extract(TEXT), decoy_spans(TEXT)
    assert set(ruled) <= set(decoys)
    added = _texts(TEXT, [s for s in decoys if s not in ruled])
    # category headings, an existing count and a past year: places where a hint would be wrong
    assert {("TASK", "总体要求"), ("TASK", "指导思想"), ("TASK", "主要任务")} <= added
    assert {("INDICATOR", "全市现有基站1200个"), ("DEADLINE", "1998年")} <= added
    ordered = sorted(decoys)
    assert all(a.end <= b.start for a, b in itertools.pairwise(ordered))  # never overlapping


def test_decoy_type_ids_mark_the_decoys_like_hints() -> None:
    offsets = [(i, i + 1) for i in range(len(TEXT))]
    types = hint_ids(TEXT, offsets, decoy_spans(TEXT))
    start = TEXT.index("总体要求")
    assert types[start] == hint_type("TASK", True) and types[start + 1] == hint_type("TASK", False)
    assert hint_ids(TEXT, offsets)[start] == 0  # the rules themselves do not mark it


def test_hint_decoys_show_decoy_types_to_that_share_of_windows() -> None:
    row = {"input_ids": [2, 5, 6, 3], "labels": [-100, 0, 0, -100], "token_type_ids": [0, 1, 2, 0]}
    rows = [{**row, "decoy_type_ids": [0, 3, 4, 0]}] * 400

    def shown(dropout: float, decoys: float) -> tuple[int, int, int]:
        batches = make_batches(rows, 8, random.Random(0), 0, dropout, decoys)
        firsts = [int(b["token_type_ids"][r, 1]) for b in batches for r in range(len(b["input_ids"]))]
        return firsts.count(0), firsts.count(1), firsts.count(3)

    assert shown(0.0, 0.0) == (0, 400, 0) and shown(0.0, 1.0) == (0, 0, 400)
    none, hints, decoys = shown(0.25, 0.5)
    assert 60 < none < 140 and 60 < hints < 140 and 160 < decoys < 240
    # without decoys the draws are the ones earlier recipes made: their runs stay reproducible
    assert [b["token_type_ids"].tolist() for b in make_batches(rows, 8, random.Random(0), 0, 0.25)] == [
        b["token_type_ids"].tolist() for b in make_batches(rows, 8, random.Random(0), 0, 0.25, 0.0)
    ]


def test_hint_decoys_and_dropout_must_leave_room_for_the_rules_hints() -> None:
    import pytest

    with pytest.raises(ValueError, match="add up to at most 1"):
        TrainConfig(labels=[], base_model="m", rule_hints=True, hint_dropout=0.5, hint_decoys=0.6)
    with pytest.raises(ValueError, match="needs --rule-hints"):
        TrainConfig(labels=[], base_model="m", hint_decoys=0.5)
