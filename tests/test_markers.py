"""One item-marker table: the rules, the task table, decoys and augmentation read the same markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from planex import markers, rules
from planex.document import Document
from planex.hints import RULE_MODULES, RULES_FINGERPRINT, code_fingerprint
from planex.tasktable import _items
from training.augment import swap_markers
from training.decoys import decoy_spans


def _tasks(text: str) -> list[str]:
    return [text[s.start : s.end] for s in rules.extract(text) if s.label == "TASK"]


def test_marker_rank_orders_the_marker_kinds_outermost_first() -> None:
    ranks = [markers.marker_rank(m) for m in ("十二、", "任务一：", "（三）", "(三)", "4.", "（5）", "⑥", "——")]
    assert ranks == [0, 1, 2, 2, 3, 4, 5, 6]
    # the one-character forms rank with the marker they stand for
    assert [markers.marker_rank(m) for m in ("㈢", "⒋", "4﹒", "⑸")] == [2, 3, 3, 4]
    assert markers.marker_rank("第一") == markers.DEEPEST == 7  # not a marker: deepest


@pytest.mark.parametrize(
    "marker",
    [
        *("一、", "任务三：", "工程12、", "九十九、", "（二十）", "(三)", "㈢"),
        *("1.", "12．", "3、", "1﹒", "⒊", "（4）", "⑷", "⑤", "——"),
    ],
)
def test_rules_and_task_table_see_the_same_markers(marker: str) -> None:
    text = f"前言。\n{marker}加强组织领导。\n"
    assert _tasks(text) == ["加强组织领导"]
    assert [s.marker for it in _items(text) for s in it.section[-1:]] == [marker]


@pytest.mark.parametrize(
    "line", ["一二三四、加强组织领导。", "（一二三四）加强组织领导。", "100.加强组织领导。", "2.5加强组织领导。"]
)
def test_what_is_not_a_marker_is_none_to_rules_and_task_table(line: str) -> None:
    # The rules took a run of any length of Chinese numerals (`一二三四、`), the task table one to three:
    # item numbers stop at 九十九, so the rules' reading was the bug.
    text = f"前言。\n{line}\n"
    assert _tasks(text) == []
    assert _items(text) == []


def test_a_no_break_space_after_a_marker_is_a_blank_everywhere() -> None:
    # HTML pages write `一、&nbsp;`; normalisation keeps the no-break space.
    text = "一、\xa0总体要求\n（一）\xa0加强组织领导。\n"
    assert _tasks(text) == ["加强组织领导"]
    assert [it.section[-1].heading for it in _items(text)] == ["总体要求", "加强组织领导"]
    # Decoys took only ASCII and ideographic blanks after a marker, so their heading started at the
    # no-break space: a TASK hint on a blank (guideline T1: the marker and blanks are outside).
    decoy_tasks = [text[s.start : s.end] for s in decoy_spans(text) if s.label == "TASK"]
    assert decoy_tasks == ["总体要求", "加强组织领导"]


def test_augmented_markers_are_markers_of_the_table_and_figures_stay() -> None:
    doc = Document("d", "\xa0（一）加强领导。\n1、加强统筹。\n1、2万元用于奖补。\n", [], None)
    assert swap_markers(doc).text == "\xa0(一)加强领导。\n1.加强统筹。\n1、2万元用于奖补。\n"


def test_rules_fingerprint_covers_the_marker_table() -> None:
    assert markers in RULE_MODULES
    sources = [Path(str(m.__file__)).read_text(encoding="utf-8") for m in RULE_MODULES]
    assert code_fingerprint(*sources) == RULES_FINGERPRINT
    table = RULE_MODULES.index(markers)
    looser = sources[table].replace(
        'CN_NUMBER = r"[一二三四五六七八九十]{1,3}"', 'CN_NUMBER = r"[一二三四五六七八九十]+"', 1
    )
    assert looser != sources[table]
    sources[table] = looser
    assert code_fingerprint(*sources) != RULES_FINGERPRINT
