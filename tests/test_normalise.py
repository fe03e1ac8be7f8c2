"""Normalisation: content checks on the seeds and offset properties on arbitrary text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planex.normalise import InvalidTextError, normalise

SEED_002 = "002_09fd2415f66b5df1"


def _assert_map_ok(n) -> None:
    assert len(n.starts) == len(n.ends) == len(n.text)
    prev_start = 0
    for i in range(len(n.text)):
        a, b = n.starts[i], n.ends[i]
        assert 0 <= a < b <= len(n.raw)
        assert a >= prev_start  # ordered
        prev_start = a
    if n.text:
        a, b = n.to_raw(0, len(n.text))
        assert 0 <= a < b <= len(n.raw)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("區(qū)域", "区域"),
        ("設(shè)立", "设立"),
        ("a\r\nb", "a\nb"),
        ("（2023-2025年）", "（2023-2025年）"),  # ordinary parentheses stay
        ("(PC)端", "(PC)端"),
        ("数字政府", "数字政府"),
    ],
)
def test_normalise_exact(raw: str, text: str) -> None:
    assert normalise(raw).text == text


_WRAP = "加快经济社会运行数据整合利用，充分利用统计数据、行业数据、政务数据"  # 33 characters, no sentence end
_ROW = "1 | 加快经济社会运行数据整合利用，构建经济治理数据库 | 市发展改革委、市大数据局 | 2023年年底前"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (_WRAP + "\n社会数据等数据资源。", _WRAP + "社会数据等数据资源。"),  # a PDF line wrap is joined
        (_ROW + "\n2 | 建设平台 | 市委政法委 | 2023年年底前", None),  # a table row stays a line
        (_WRAP + "\n" + _ROW, None),  # so does the break before a row
        # a task table exported as text with tabs or runs of spaces between cells: every row stays a line
        (
            "序号\t工作任务\t牵头单位\t完成时限\n1\t" + _WRAP + "\t市发展改革委\t2023年年底前\n"
            "2\t建设平台\t市委政法委\t年内",
            None,
        ),
        (_WRAP + "\n1   建设数据平台   市大数据局   2023年年底前\n2   建设平台   市委政法委   年内", None),
        # a paragraph indented after its heading has a gap but is no row: its wrap is still joined
        ("各区人民政府，市直各单位：   " + _WRAP + "\n社会。", "各区人民政府，市直各单位：   " + _WRAP + "社会。"),
        # one space is no cell gap: PDF text spaces numbers inside prose, and the wrap joins
        ("到 2025 年，" + _WRAP + "\n社会数据。", "到 2025 年，" + _WRAP + "社会数据。"),
    ],
)
def test_normalise_keeps_table_rows_apart(raw: str, text: str | None) -> None:
    assert normalise(raw).text == (raw if text is None else text)


def test_normalise_to_raw_covers_annotation_source() -> None:
    n = normalise("各功能區(qū)管委會(huì)")
    assert n.text == "各功能区管委会"
    a, b = n.to_raw(1, 4)  # 功能区
    assert n.raw[a:b] == "功能區"
    a, b = n.to_raw(4, 7)  # 管委会
    assert n.raw[a:b] == "管委會"


def test_normalise_joins_wrapped_name_in_seed_000(seed_texts: dict[str, str]) -> None:
    n = normalise(seed_texts["000_c36e1dec5c4ec8d6"])
    assert "市人力资源社会保障局" in n.text
    assert "（一）指导思想\n\n以习近平" in n.text  # a heading's break is kept
    a, b = n.to_raw(n.text.index("市人力资源社会保障局"), n.text.index("市人力资源社会保障局") + 10)
    assert n.raw[a:b].replace("\n", "") == "市人力资源社会保障局"


@pytest.mark.parametrize(
    "field",
    # one-character item markers too (wb00001: `㈦依法治理…` had been joined to the lead line above it)
    [
        "完成时限：2025年底前",
        "牵 头 单 位：市商务局",
        "【责任单位】市商务局",
        "任务二：建设中心",
        "12",
        "㈦依法治理",
        "⑴推进改革",
    ],
)
def test_a_line_opening_with_a_field_a_named_item_or_a_row_number_keeps_its_break(field: str) -> None:
    # The line before is long and does not end a sentence, as a PDF wrap's would.
    text = f"责任单位：市商务局（牵头）、市发展改革委，各县（市、区）人民政府\n{field}"
    assert normalise(text).text == text


def test_a_wrap_inside_a_field_name_is_still_joined() -> None:
    text = "（一）统筹推进各项重点工作落实，确保取得实效。具体工作由各责\n任单位：市发展改革委负责"
    assert "各责任单位：" in normalise(text).text


def test_normalise_seed_002_simplified_without_annotations(seed_texts: dict[str, str]) -> None:
    n = normalise(seed_texts[SEED_002])
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", n.text)
    assert "泰安市数字政府建设一体化综合改革实施方案" in n.text
    assert "（一）助力十大领域数智化效能提升。" in n.text  # misdecoded run repaired
    assert "（二）提升一体化数智平台支撑能力。" in n.text
    assert "”全流程旅游" in n.text  # partly recoverable run: the bytes that survive are repaired
    assert not re.search(r"[\ue000-\uf8ff]", n.text)  # no private-use garbage left


def test_normalise_leaves_clean_text_after_question_mark() -> None:
    assert normalise("?廣元市人民政府").text == "?广元市人民政府"


@pytest.mark.parametrize("bad", [b"bytes", None, 12])
def test_normalise_rejects_non_text(bad: object) -> None:
    with pytest.raises(InvalidTextError, match="expected text"):
        normalise(bad)  # type: ignore[arg-type]


def test_normalise_rejects_lone_surrogate() -> None:
    with pytest.raises(InvalidTextError, match="lone surrogate at offset 2"):
        normalise("ab\ud800c")


def test_normalise_seeds_map_back(seed_texts: dict[str, str]) -> None:
    for raw in seed_texts.values():
        n = normalise(raw)
        _assert_map_ok(n)
        # every normalised character that is not a rewrite comes from the raw character it maps to
        same = sum(n.raw[n.starts[i] : n.ends[i]] == n.text[i] for i in range(len(n.text)))
        assert same / len(n.text) > 0.5


_pieces = st.sampled_from(
    [
        "區(qū)",
        "設(shè)",
        "\n",
        "\r\n",
        "\n\n",
        " ",
        "\u3000",
        "?。ㄒ唬┲\ue310κ\ue18b箢I",
        "（一）",
        "1.",
        "、",
        "，",
        "。",
        "市人力资源",
        "😀",
        "é",
        "\x00",
        "\u200b",
        "(lǐng)",
        "a" * 30,
    ]
)
_arbitrary = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_pieces, _arbitrary), max_size=25).map("".join))
def test_normalise_offsets_property(raw: str) -> None:
    n = normalise(raw)
    _assert_map_ok(n)
    for i in range(len(n.text)):
        for j in (i + 1, min(len(n.text), i + 5)):
            if j > i:
                a, b = n.to_raw(i, j)
                assert 0 <= a < b <= len(raw)


def test_normalise_to_raw_rejects_bad_span() -> None:
    with pytest.raises(ValueError, match="outside the normalised text"):
        normalise("abc").to_raw(2, 9)


def test_a_unit_cell_after_a_unit_list_keeps_its_blank_line() -> None:
    # One cell per line: the list of 责任单位 then the 牵头单位 cell; joined, two units would run into one name.
    raw = (
        "1\n\n地区生产总值增长6.5%以上。\n\n"
        "区农业农村局、区经商局、区市场监管局、区建设局、区人力社保局\n\n区发改局\n\n2\n"
    )
    assert "区人力社保局\n\n区发改局" in normalise(raw).text
    # A name a PDF wrapped across a blank line is still joined.
    wrapped = "推进就业服务，由区农业农村局、区经商局、区市场监管局、区人力\n\n资源社会保障局负责。\n"
    assert "区人力资源社会保障局负责" in normalise(wrapped).text
