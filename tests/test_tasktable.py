"""The task table: section paths from item markers, attachment of spans to tasks, nothing lost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from planex import rules
from planex.inference import Entity
from planex.normalise import normalise
from planex.tasktable import build_task_table


def _ents(text: str, *pieces: tuple[str, str, int]) -> list[Entity]:
    """Entities for (label, piece, occurrence) over a normalised ``text`` whose raw form is itself."""
    out = []
    for label, piece, nth in pieces:
        start = -1
        for _ in range(nth + 1):
            start = text.index(piece, start + 1)
        out.append(Entity(label, piece, start, start + len(piece), 1.0, start, start + len(piece)))
    return out


def _summary(text: str, ents: list[Entity]) -> tuple[list[tuple[str, str, dict[str, list[str]]]], list[str]]:
    table = build_task_table(text, ents)
    tasks = [
        ("".join(s.marker for s in r.section), r.task.text, {k: [e.text for e in v] for k, v in r.attached.items()})
        for r in table.tasks
    ]
    return tasks, [e.text for e in table.unattached]


DOC = """关于印发实施方案的通知
2023年7月12日
一、总体要求
到2025年，基本建成数字政府。
二、重点任务
（一）完善平台能力
1.建设数据平台。2025年底前，平台接入率达到90%以上。（牵头单位：市大数据局）
2.推进数据共享。
（1）身份认证服务。2024年6月底前完成。
（2）电子证照。
（牵头单位：市政务服务中心）
（二）强化安全保障。
三、保障措施
各部门要按期完成。
"""


def test_tasktable_sections_and_attachment() -> None:
    ents = _ents(
        DOC,
        ("DEADLINE", "2023年", 0),
        ("DEADLINE", "到2025年", 0),
        ("TASK", "完善平台能力", 0),
        ("TASK", "建设数据平台", 0),
        ("DEADLINE", "2025年底前", 0),
        ("INDICATOR", "平台接入率达到90%以上", 0),
        ("LEAD_UNIT", "市大数据局", 0),
        ("TASK", "推进数据共享", 0),
        ("TASK", "身份认证服务", 0),
        ("DEADLINE", "2024年6月底前", 0),
        ("TASK", "电子证照", 0),
        ("LEAD_UNIT", "市政务服务中心", 0),
        ("TASK", "强化安全保障", 0),
    )
    tasks, unattached = _summary(DOC, ents)
    assert tasks == [
        ("二、（一）", "完善平台能力", {}),
        (
            "二、（一）1.",
            "建设数据平台",
            {"DEADLINE": ["2025年底前"], "INDICATOR": ["平台接入率达到90%以上"], "LEAD_UNIT": ["市大数据局"]},
        ),
        ("二、（一）2.", "推进数据共享", {}),
        ("二、（一）2.（1）", "身份认证服务", {"DEADLINE": ["2024年6月底前"]}),
        # the lead list on its own line after the sub-items lies in item (2) and goes to its task
        ("二、（一）2.（2）", "电子证照", {"LEAD_UNIT": ["市政务服务中心"]}),
        ("二、（二）", "强化安全保障", {}),
    ]
    assert unattached == ["2023年", "到2025年"]  # before any task: kept, not lost


def test_tasktable_item_without_task_falls_back_to_enclosing_task() -> None:
    text = "（一）完善平台能力\n1.围绕数据开展工作，2025年底前完成。\n（二）其他"
    tasks, unattached = _summary(text, _ents(text, ("TASK", "完善平台能力", 0), ("DEADLINE", "2025年底前", 0)))
    assert tasks == [("（一）", "完善平台能力", {"DEADLINE": ["2025年底前"]})]
    assert unattached == []


def test_tasktable_span_after_item_closes_is_unattached() -> None:
    text = "1.建设平台。\n二、保障措施\n2025年底前完成。"
    tasks, unattached = _summary(text, _ents(text, ("TASK", "建设平台", 0), ("DEADLINE", "2025年底前", 0)))
    assert tasks == [("1.", "建设平台", {})]
    assert unattached == ["2025年底前"]


def test_tasktable_nearest_preceding_task_in_same_item() -> None:
    text = "（一）启动第十二小学建设,新建中心幼儿园2所,2024年完成。"
    ents = _ents(
        text, ("TASK", "启动第十二小学建设", 0), ("INDICATOR", "新建中心幼儿园2所", 0), ("DEADLINE", "2024年", 0)
    )
    tasks, _ = _summary(text, ents)
    assert tasks == [("（一）", "启动第十二小学建设", {"INDICATOR": ["新建中心幼儿园2所"], "DEADLINE": ["2024年"]})]


def test_tasktable_marker_kinds_and_headings() -> None:
    text = "一、总体要求\n(一)指导思想：坚持\n1．建设网上政府。依托\n①一网通办\n——推进协同。\n十二、附则"
    table = build_task_table(text, _ents(text, ("TASK", "一网通办", 0), ("TASK", "推进协同", 0)))
    first, second = table.tasks
    assert [(s.marker, s.heading) for s in first.section] == [
        ("一、", "总体要求"),
        ("(一)", "指导思想"),
        ("1．", "建设网上政府"),
        ("①", "一网通办"),
    ]
    assert [s.marker for s in second.section] == ["一、", "(一)", "1．", "①", "——"]


def test_tasktable_decimal_and_inline_numbers_are_not_markers() -> None:
    text = "1.5%的增长，其中（1）和（2）并列\n2025.6完成"
    assert build_task_table(text, _ents(text, ("TASK", "增长", 0))).tasks[0].section == ()


def test_tasktable_seed_002_with_rule_spans(seed_texts: dict[str, str]) -> None:
    """Traditional script, pinyin annotations and misdecoded runs: markers are found in the normalised text."""
    raw = seed_texts["002_09fd2415f66b5df1"]
    norm = normalise(raw)
    ents = []
    for s in rules.extract(norm.text):
        a, b = norm.to_raw(s.start, s.end)
        ents.append(Entity(s.label, raw[a:b], a, b, 1.0, s.start, s.end))
    table = build_task_table(norm, ents)
    by_title = {r.task.text: r for r in table.tasks}
    party = by_title["助力黨建工作效能提升"]  # raw (traditional) text, sliced from the original
    assert [s.marker for s in party.section] == ["二、", "（一）", "1."]
    assert [e.text for e in party.spans("LEAD_UNIT")] == [
        "市委辦公室",
        "市紀(jì)委監(jiān)委機(jī)關",
        "市委組織部",
        "市大數(shù)據(jù)局",
    ]
    assert [s.marker for s in by_title["加強(qiáng)管理統(tǒng)籌"].section] == ["二、", "(三)", "14."]
    assert len(ents) == len(table.tasks) + sum(len(v) for r in table.tasks for v in r.attached.values()) + len(
        table.unattached
    )


_PIECES = st.lists(
    st.sampled_from(["一、", "（二）", "3.", "（4）", "①", "——", "建设", "平台", "。", "，", "\n", "2025年"]),
    max_size=40,
)


@given(
    _PIECES,
    st.lists(
        st.tuples(
            st.integers(0, 200),
            st.integers(1, 6),
            st.sampled_from(["TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR", "NEW_LABEL"]),
        ),
        max_size=30,
    ),
)
def test_tasktable_every_span_appears_exactly_once(pieces: list[str], raw_spans: list[tuple[int, int, str]]) -> None:
    text = "".join(pieces)
    ents = []
    for start, length, label in raw_spans:
        if start + length <= len(text):
            ents.append(Entity(label, text[start : start + length], start, start + length, 0.5, start, start + length))
    table = build_task_table(text, ents)
    seen = [r.task for r in table.tasks] + [e for r in table.tasks for v in r.attached.values() for e in v]
    seen += table.unattached
    assert sorted(map(id, seen)) == sorted(map(id, ents))
    assert all(r.task.label == "TASK" for r in table.tasks)


def test_marker_rank_orders_the_marker_kinds_outermost_first() -> None:
    from planex.tasktable import marker_rank

    ranks = [marker_rank(m) for m in ("十二、", "（三）", "(三)", "4.", "（5）", "⑥", "——")]
    assert ranks == [0, 1, 1, 2, 3, 4, 5]
    assert marker_rank("第一") == 6  # not a marker: deepest
