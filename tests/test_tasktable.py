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
def test_tasktable_every_span_appears(pieces: list[str], raw_spans: list[tuple[int, int, str]]) -> None:
    text = "".join(pieces)
    ents = []
    for start, length, label in raw_spans:
        if start + length <= len(text):
            ents.append(Entity(label, text[start : start + length], start, start + length, 0.5, start, start + length))
    table = build_task_table(text, ents)
    attached = [e for r in table.tasks for v in r.attached.values() for e in v]
    seen = [r.task for r in table.tasks] + attached + table.unattached
    assert set(map(id, seen)) == set(map(id, ents))  # nothing lost
    # a span is unattached or attached (to one task, or to each task under a heading that states it), never both
    assert not set(map(id, attached)) & set(map(id, table.unattached))
    assert all(len(set(map(id, v))) == len(v) for r in table.tasks for v in r.attached.values())
    assert len(table.tasks) + len(set(map(id, attached))) + len(table.unattached) == len(ents)
    assert all(r.task.label == "TASK" for r in table.tasks)


def test_tasktable_span_before_the_items_task_is_the_items_not_the_parents() -> None:
    # lead_in_prose: the lead comes before the task in its item; it is that item's, not the parent's.
    text = (
        "一、推进产业升级\n（一）由市发改委牵头，2025年底前加快推进产业园建设。\n（二）由市财政局负责，落实资金保障。"
    )
    ents = _ents(
        text,
        ("TASK", "推进产业升级", 0),
        ("LEAD_UNIT", "市发改委", 0),
        ("DEADLINE", "2025年底前", 0),
        ("TASK", "加快推进产业园建设", 0),
        ("LEAD_UNIT", "市财政局", 0),
        ("TASK", "落实资金保障", 0),
    )
    tasks, unattached = _summary(text, ents)
    assert tasks == [
        ("一、", "推进产业升级", {}),
        ("一、（一）", "加快推进产业园建设", {"LEAD_UNIT": ["市发改委"], "DEADLINE": ["2025年底前"]}),
        ("一、（二）", "落实资金保障", {"LEAD_UNIT": ["市财政局"]}),
    ]
    assert unattached == []


def test_tasktable_table_row_cells_before_the_task_cell_are_the_rows() -> None:
    # A table whose unit column comes before the task column: every cell of a row is the row's task's.
    text = (
        "序号 | 责任单位 | 工作任务 | 完成时限\n"
        "1 | 市发改委 | 建设产业平台 | 2025年底前\n"
        "2 | 市财政局、市科技局 | 落实资金保障 | 2026年6月底前\n"
        " | 市人社局 | | 2026年底前"  # a continuation row under the merged task cell
    )
    ents = _ents(
        text,
        ("LEAD_UNIT", "市发改委", 0),
        ("TASK", "建设产业平台", 0),
        ("DEADLINE", "2025年底前", 0),
        ("LEAD_UNIT", "市财政局", 0),
        ("LEAD_UNIT", "市科技局", 0),
        ("TASK", "落实资金保障", 0),
        ("DEADLINE", "2026年6月底前", 0),
        ("LEAD_UNIT", "市人社局", 0),
        ("DEADLINE", "2026年底前", 0),
    )
    tasks, unattached = _summary(text, ents)
    assert tasks == [
        ("", "建设产业平台", {"LEAD_UNIT": ["市发改委"], "DEADLINE": ["2025年底前"]}),
        (
            "",
            "落实资金保障",
            {"LEAD_UNIT": ["市财政局", "市科技局", "市人社局"], "DEADLINE": ["2026年6月底前", "2026年底前"]},
        ),
    ]
    assert unattached == []


def test_tasktable_heading_lead_goes_to_each_task_under_it() -> None:
    # A heading without a TASK that states a lead and a deadline for its items (LABELING.md "Task links").
    text = (
        "（一）数据共享工作（牵头单位：市大数据局；完成时限：2025年底前）\n"
        "1.建设数据目录。\n2.推进部门共享。\n（二）推进平台建设。"
    )
    ents = _ents(
        text,
        ("LEAD_UNIT", "市大数据局", 0),
        ("DEADLINE", "2025年底前", 0),
        ("TASK", "建设数据目录", 0),
        ("TASK", "推进部门共享", 0),
        ("TASK", "推进平台建设", 0),
    )
    tasks, unattached = _summary(text, ents)
    both = {"LEAD_UNIT": ["市大数据局"], "DEADLINE": ["2025年底前"]}
    assert tasks == [
        ("（一）1.", "建设数据目录", both),
        ("（一）2.", "推进部门共享", both),
        ("（二）", "推进平台建设", {}),
    ]
    assert unattached == []


def test_tasktable_goal_sentence_on_a_heading_line_is_no_heading_lead() -> None:
    # After the heading's sentence end the body begins: a 目标 section's goal year links to no item (K6).
    text = "（二）工作目标。经过4年努力，到2022年年底建成数字政府。\n1.建设网上政府。\n2.建设数据政府。"
    ents = _ents(text, ("DEADLINE", "到2022年年底", 0), ("TASK", "建设网上政府", 0), ("TASK", "建设数据政府", 0))
    tasks, unattached = _summary(text, ents)
    assert [t[2] for t in tasks] == [{}, {}]
    assert unattached == ["到2022年年底"]


def test_tasktable_lead_and_deadline_lines_under_unnumbered_tasks() -> None:
    # lead_resp_lines: tasks without markers under a section heading, their units and deadlines on the lines after.
    text = (
        "二、重点任务\n建设产业平台\n牵头单位：市发改委\n责任单位：市财政局、市科技局\n完成时限：2025年底前\n"
        "落实资金保障\n牵头单位：市财政局\n完成时限：2026年6月底前"
    )
    ents = _ents(
        text,
        ("TASK", "建设产业平台", 0),
        ("LEAD_UNIT", "市发改委", 0),
        ("LEAD_UNIT", "市财政局", 0),
        ("LEAD_UNIT", "市科技局", 0),
        ("DEADLINE", "2025年底前", 0),
        ("TASK", "落实资金保障", 0),
        ("LEAD_UNIT", "市财政局", 1),
        ("DEADLINE", "2026年6月底前", 0),
    )
    tasks, _ = _summary(text, ents)
    assert tasks == [
        ("二、", "建设产业平台", {"LEAD_UNIT": ["市发改委", "市财政局", "市科技局"], "DEADLINE": ["2025年底前"]}),
        ("二、", "落实资金保障", {"LEAD_UNIT": ["市财政局"], "DEADLINE": ["2026年6月底前"]}),
    ]


def test_tasktable_spans_before_the_first_task_on_other_lines_stay_unattached() -> None:
    # A document that starts inside an item (K12): what comes before the first TASK, on its own line, has no task.
    text = "居乡村建设。2017年年底前完成（市建委牵头）\n10.完善乡镇污水处理机制。"
    ents = _ents(text, ("DEADLINE", "2017年年底前", 0), ("LEAD_UNIT", "市建委", 0), ("TASK", "完善乡镇污水处理机制", 0))
    tasks, unattached = _summary(text, ents)
    assert tasks == [("10.", "完善乡镇污水处理机制", {})]
    assert unattached == ["2017年年底前", "市建委"]


def test_tasktable_span_on_a_later_line_before_the_items_first_task_is_not_that_tasks() -> None:
    # Outline numbers the markers do not read (5.1.2) leave an item running on; a span there, on a line
    # before the item's first TASK, is not that task's: it goes to the enclosing task, or nowhere.
    text = "（3）执行指令。\n5.1.2 按照“产区保持三个月销量”的要求。\n建立健全加工网络。"
    ents = _ents(text, ("INDICATOR", "产区保持三个月销量", 0), ("TASK", "建立健全加工网络", 0))
    tasks, unattached = _summary(text, ents)
    assert tasks == [("（3）", "建立健全加工网络", {})] and unattached == ["产区保持三个月销量"]
    parent = "一、强化粮食储备\n" + text
    ents = _ents(
        parent, ("TASK", "强化粮食储备", 0), ("INDICATOR", "产区保持三个月销量", 0), ("TASK", "建立健全加工网络", 0)
    )
    tasks, unattached = _summary(parent, ents)
    assert tasks[0] == ("一、", "强化粮食储备", {"INDICATOR": ["产区保持三个月销量"]}) and unattached == []


def test_tasktable_task_before_the_first_marker_takes_nothing_from_the_items() -> None:
    text = "建设数字政府。\n一、保障措施。2025年底前完成。\n（一）资金保障。由市财政局负责。"
    ents = _ents(text, ("TASK", "建设数字政府", 0), ("DEADLINE", "2025年底前", 0), ("LEAD_UNIT", "市财政局", 0))
    tasks, unattached = _summary(text, ents)
    assert tasks == [("", "建设数字政府", {})] and unattached == ["2025年底前", "市财政局"]


def test_tasktable_table_cell_before_a_cell_of_tasks_goes_to_each_of_them() -> None:
    # A pipe-table row: the target cell comes before the measures cell, which holds two tasks (t00005's
    # layout); a span after a task, in its cell or a later one, goes to the nearest task before it.
    text = (
        "序号 | 整改目标 | 整改措施 | 责任单位\n"
        "1 | 做到100%受理 | 1、开展领导包案。2、推动积案化解,每年至少核查一次。 | 县信访局 |"
    )
    ents = _ents(
        text,
        ("INDICATOR", "100%受理", 0),
        ("TASK", "开展领导包案", 0),
        ("TASK", "推动积案化解", 0),
        ("INDICATOR", "每年至少核查一次", 0),
        ("LEAD_UNIT", "县信访局", 0),
    )
    tasks, unattached = _summary(text, ents)
    assert tasks == [
        ("", "开展领导包案", {"INDICATOR": ["100%受理"]}),
        ("", "推动积案化解", {"INDICATOR": ["100%受理", "每年至少核查一次"], "LEAD_UNIT": ["县信访局"]}),
    ]
    assert unattached == []


def test_tasktable_field_before_the_items_goes_to_each_items_task() -> None:
    # A one-row table exported one cell per line: the 责任单位 cell comes before the measures (一)(二),
    # so both units belong to each measure's task; a date in the notice above them stays unattached.
    text = (
        "公示期为2026年1月27日至2月9日。\n整改任务\n河长巡查流于形式。\n责任单位\n县水利局、商城镇\n"
        "整改措施\n(一)强化履职监督。加强培训。\n(二)加强排查整治。建立台账。"
    )
    ents = _ents(
        text,
        ("DEADLINE", "2026年1月27日至2月9日", 0),
        ("LEAD_UNIT", "县水利局", 0),
        ("LEAD_UNIT", "商城镇", 0),
        ("TASK", "强化履职监督", 0),
        ("TASK", "加强排查整治", 0),
    )
    tasks, unattached = _summary(text, ents)
    both = {"LEAD_UNIT": ["县水利局", "商城镇"]}
    assert tasks == [("(一)", "强化履职监督", both), ("(二)", "加强排查整治", both)]
    assert unattached == ["2026年1月27日至2月9日"]
    # the same units in prose before the items are no field: unattached, as a plan-wide lead (K6)
    prose = text.replace("责任单位\n县水利局", "由县水利局")
    ents = _ents(
        prose,
        ("LEAD_UNIT", "县水利局", 0),
        ("LEAD_UNIT", "商城镇", 0),
        ("TASK", "强化履职监督", 0),
        ("TASK", "加强排查整治", 0),
    )
    assert _summary(prose, ents)[1] == ["县水利局", "商城镇"]


def test_tasktable_table_rows_bound_their_cells_and_a_row_without_task_links_nothing() -> None:
    # A table exported one cell per line (u00003's layout): each numbered row is its own; a row headed by an
    # INDICATOR links to no task (K11), and a row's cells before its task are the task's.
    text = (
        "序号\n指标\n工作任务\n完成时限\n责任股室\n"
        "1\n文化产业\n培育文化服务企业1家。\n12月底前\n文化股\n"
        "2\n非遗保护\n完成非遗展厅布展。\n羌研会\n"
        "3\n执法大队\n开展专项整治行动。\n10月底前"
    )
    ents = _ents(
        text,
        ("INDICATOR", "培育文化服务企业1家", 0),
        ("DEADLINE", "12月底前", 0),
        ("LEAD_UNIT", "文化股", 0),
        ("TASK", "完成非遗展厅布展", 0),
        ("LEAD_UNIT", "羌研会", 0),
        ("LEAD_UNIT", "执法大队", 0),
        ("TASK", "开展专项整治行动", 0),
        ("DEADLINE", "10月底前", 0),
    )
    tasks, unattached = _summary(text, ents)
    assert tasks == [
        ("", "完成非遗展厅布展", {"LEAD_UNIT": ["羌研会"]}),
        ("", "开展专项整治行动", {"LEAD_UNIT": ["执法大队"], "DEADLINE": ["10月底前"]}),
    ]
    assert unattached == ["培育文化服务企业1家", "12月底前", "文化股"]


def test_tasktable_pipe_rows_and_their_continuation_lines() -> None:
    # u00014's layout: row 2 is headed by an INDICATOR (no task); a continuation line without a number
    # stays in its row. Numbers out of sequence, or before any 序号 header, are no rows.
    text = (
        "序号 | 项目内容 | 进度安排 | 牵头单位 |\n"
        "1 | 完成县中崛起。 | 第一季度:结对 | 县教育局 |\n"
        " | | 第二季度:研修 | |\n"
        "2 | 随迁子女100%保障入学。 | 第一季度:转学 | 县教育局 |"
    )
    ents = _ents(
        text,
        ("TASK", "完成县中崛起", 0),
        ("DEADLINE", "第一季度", 0),
        ("LEAD_UNIT", "县教育局", 0),
        ("DEADLINE", "第二季度", 0),
        ("INDICATOR", "随迁子女100%保障入学", 0),
        ("DEADLINE", "第一季度", 1),
        ("LEAD_UNIT", "县教育局", 1),
    )
    tasks, unattached = _summary(text, ents)
    assert tasks == [("", "完成县中崛起", {"DEADLINE": ["第一季度", "第二季度"], "LEAD_UNIT": ["县教育局"]})]
    assert unattached == ["随迁子女100%保障入学", "第一季度", "县教育局"]
    no_header = text.replace("序号", "编次")  # then nothing bounds row 1: row 2's cells go to its task
    pieces = [("TASK", "完成县中崛起", 0), ("INDICATOR", "随迁子女100%保障入学", 0), ("LEAD_UNIT", "县教育局", 1)]
    assert _summary(no_header, _ents(no_header, *pieces))[1] == []


def test_tasktable_heading_that_lost_its_marker_heads_the_items_under_it() -> None:
    # u00027: `5组织开展特色活动` lost its `5、` to a page header, so its items (一)(二) stand first in the
    # outline with no 一、-level item above; its TASK on the line before heads them (K3).
    text = "工作要点 5组织开展特色活动\n(一)举办知行大赛。(推进办负责)\n(二)继续深入开展救护培训活动。(红十字会牵头)"
    ents = _ents(
        text,
        ("TASK", "组织开展特色活动", 0),
        ("TASK", "举办知行大赛", 0),
        ("LEAD_UNIT", "推进办", 0),
        ("LEAD_UNIT", "红十字会", 0),
    )
    tasks, unattached = _summary(text, ents)
    assert tasks == [
        ("", "组织开展特色活动", {"LEAD_UNIT": ["红十字会"]}),
        ("(一)", "举办知行大赛", {"LEAD_UNIT": ["推进办"]}),
    ]
    assert unattached == []


def test_tasktable_a_document_run_together_on_one_line_gives_nothing_to_a_later_task() -> None:
    # t00007: a PDF table whose columns ran together on one line, no marker: a lead and a deadline before
    # the first TASK are no cells of its row (there is no row to see), so they stay unattached (K12).
    text = "序号 重点任务 牵头部门 时限 一 空气质量目标 市生态环境局 年底前 二 实施VOCs专项治理行动 年底前 市交通委"
    ents = _ents(
        text,
        ("LEAD_UNIT", "市生态环境局", 0),
        ("DEADLINE", "年底前", 0),
        ("TASK", "实施VOCs专项治理行动", 0),
        ("DEADLINE", "年底前", 1),
        ("LEAD_UNIT", "市交通委", 0),
    )
    tasks, unattached = _summary(text, ents)
    assert tasks == [("", "实施VOCs专项治理行动", {"DEADLINE": ["年底前"], "LEAD_UNIT": ["市交通委"]})]
    assert unattached == ["市生态环境局", "年底前"]


def test_tasktable_a_deadline_after_a_comma_of_the_heading_line_is_no_heading_deadline() -> None:
    # s044 (a 批复): the item's first sentence runs on after its heading; a date in it is stated for the
    # item's own matter, not for each sub-item, so it goes nowhere (the item has no TASK).
    text = "二、口岸区的土地使用权以租赁方式取得，使用期限至2047年6月30日止。\n1.划定界址点坐标。\n2.测定弧长。"
    ents = _ents(text, ("DEADLINE", "至2047年6月30日", 0), ("TASK", "划定界址点坐标", 0), ("TASK", "测定弧长", 0))
    tasks, unattached = _summary(text, ents)
    assert [t[2] for t in tasks] == [{}, {}] and unattached == ["至2047年6月30日"]


def test_tasktable_lead_bracket_with_responsible_units_and_helper_lines() -> None:
    # lead_resp_bracket and lead_helper_lines: a 责任单位 list beside a named 牵头单位 and a 完成时限 in the
    # same bracket, or 牵头领导 / 责任部门 lines after the item, all belong to the item's task.
    text = (
        "1.建设产业平台。（牵头单位：市发改委；责任单位：市财政局、市科技局；完成时限：2025年底前）\n"
        "2.推进安全生产。\n牵头领导：张三副局长\n责任部门：建工科、安全站\n3.落实资金保障。"
    )
    ents = _ents(
        text,
        ("TASK", "建设产业平台", 0),
        ("LEAD_UNIT", "市发改委", 0),
        ("LEAD_UNIT", "市财政局", 0),
        ("LEAD_UNIT", "市科技局", 0),
        ("DEADLINE", "2025年底前", 0),
        ("TASK", "推进安全生产", 0),
        ("LEAD_UNIT", "建工科", 0),
        ("LEAD_UNIT", "安全站", 0),
        ("TASK", "落实资金保障", 0),
    )
    tasks, unattached = _summary(text, ents)
    assert tasks == [
        ("1.", "建设产业平台", {"LEAD_UNIT": ["市发改委", "市财政局", "市科技局"], "DEADLINE": ["2025年底前"]}),
        ("2.", "推进安全生产", {"LEAD_UNIT": ["建工科", "安全站"]}),
        ("3.", "落实资金保障", {}),
    ]
    assert unattached == []
