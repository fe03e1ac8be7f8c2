"""The reader's text of a span: normalised characters, whitespace dropped beside Chinese, collapsed elsewhere."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planex.celltext import cell_text, tidy
from planex.normalise import normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市发展和改革委员会", "市发展和改革委员会"),
        ("市统计局\u3000\u3000", "市统计局"),  # table padding
        ("市 发 改 委", "市发改委"),  # a justified PDF line
        ("市发展和改\n革委员会", "市发展和改革委员会"),
        ("2025 年底前", "2025年底前"),
        ("Wi-Fi \u3000 6", "Wi-Fi 6"),
        ("PM2.5\xa0\xa0浓度", "PM2.5浓度"),
        ("（牵头单位： 市大数据局 ）", "（牵头单位：市大数据局）"),
        ("", ""),
    ],
)
def test_celltext_tidy(text: str, expected: str) -> None:
    assert tidy(text) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("市紀(jì)委監(jiān)委機(jī)關", "市纪委监委机关"),  # traditional script with pinyin annotations
        ("市發展和改\n\n革委員會", "市发展和改革委员会"),  # a wrap the normaliser keeps (short line): joined here
        ("\u3000\u3000市大數據局\u3000", "市大数据局"),
    ],
)
def test_celltext_cell_text_of_a_normalised_span(raw: str, expected: str) -> None:
    norm = normalise(raw)
    assert cell_text(norm, 0, len(norm.text)) == expected


@given(st.text(alphabet=st.sampled_from(list("市局a1 \u3000\xa0\n\t，"))))
def test_celltext_tidy_leaves_no_layout_spacing(text: str) -> None:
    out = tidy(text)
    assert out == out.strip() and "  " not in out and not re.search(r"[\u3000\xa0\n\t]", out)
    assert not re.search(r"(?<=[市局，]) | (?=[市局，])", out)
    assert tidy(out) == out
    assert re.sub(r"\s", "", out) == re.sub(r"\s", "", text)  # only whitespace is touched
