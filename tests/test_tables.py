"""Task tables in plain text: the header types the cells, the rules read them (planex.tables, planex.rules)."""

from __future__ import annotations

import pytest

from planex import rules
from planex.normalise import normalise
from planex.tables import fits_tables, table_rows, within_cell

_ROWS = [
    ["序号", "工作任务", "责任领导", "牵头单位", "配合单位", "完成时限"],
    ["1", "推进政务服务标准化", "李明", "县政务服务中心", "各乡镇人民政府", "2023年11月底"],
    ["2", "建设智慧农业平台", "王强", "县农业农村局、县大数据局", "县财政局", "9月投入使用"],
]


def _table(sep: str, pipes: bool = False) -> str:
    lines = [sep.join(r) for r in _ROWS]
    if pipes:
        lines = [f"| {x} |" for x in lines]
        lines.insert(1, "|" + "---|" * len(_ROWS[0]))
    return "某县重点工作任务分工表\n" + "\n".join(lines) + "\n"


def _spans(text: str) -> list[tuple[str, str]]:
    return [(s.label, text[s.start : s.end]) for s in rules.extract(text)]


@pytest.mark.parametrize(("sep", "pipes"), [(" | ", True), ("\t", False), ("   ", False)])
def test_rules_read_lead_task_and_deadline_cells_by_the_header(sep: str, pipes: bool) -> None:
    text = normalise(_table(sep, pipes)).text
    assert len(table_rows(text)) == 2
    assert _spans(text) == [
        ("TASK", "推进政务服务标准化"),
        ("LEAD_UNIT", "县政务服务中心"),
        ("DEADLINE", "2023年11月底"),
        ("TASK", "建设智慧农业平台"),
        ("LEAD_UNIT", "县农业农村局"),
        ("LEAD_UNIT", "县大数据局"),
        ("DEADLINE", "9月"),  # the month of a 完成时限 cell (LABELING.md)
    ]


def test_a_named_lead_column_wins_over_a_responsible_column() -> None:
    text = "序号\t重点任务\t牵头单位\t责任单位\n1\t建设数据平台\t市大数据局\t各区政府\n"
    assert [x for x in _spans(text) if x[0] == "LEAD_UNIT"] == [("LEAD_UNIT", "市大数据局")]
    text = "序号\t重点任务\t责任单位\t完成时限\n1\t建设数据平台\t市大数据局、各区政府\t年内\n"
    assert [x for x in _spans(text) if x[0] == "LEAD_UNIT"] == [("LEAD_UNIT", "市大数据局"), ("LEAD_UNIT", "各区政府")]


def test_rows_are_read_only_under_a_header_and_while_they_keep_its_cells() -> None:
    assert table_rows("1\t建设数据平台\t市大数据局\t年内\n") == ()  # no header: nothing says which cell leads
    text = "序号\t工作任务\t牵头单位\t完成时限\n1\t建设数据平台\t市大数据局\t年内\n2\t市委政法委\t建设平台\n"
    assert len(table_rows(text)) == 1  # cells that fit no placement under the columns (a unit before the task)
    text = "序号\t工作任务\t牵头单位\t完成时限\n下面是正文，不是表格。\n1\t建设数据平台\t市大数据局\t年内\n"
    assert table_rows(text) == ()  # prose ends the table


def test_no_rule_span_crosses_a_cell() -> None:
    # A quantitative task cell is an INDICATOR, read from the cell alone: not from the row number before it.
    text = normalise(_table("\t").replace("推进政务服务标准化", "新建改建农村公路50公里")).text
    spans = _spans(text)
    assert ("INDICATOR", "新建改建农村公路50公里") in spans
    assert not any(c in t for _, t in spans for c in "\t|")


def test_a_lead_that_takes_the_item_on_is_a_lead() -> None:
    text = "（一）推进政务服务标准化。全面梳理事项清单。（市政务服务管理局负责落实）"
    assert ("LEAD_UNIT", "市政务服务管理局") in _spans(text)


@pytest.mark.parametrize(
    ("text", "span", "cut"),
    [
        ("| 1 | 新建改建农村公路50公里 | 县交通运输局 |", "1 | 新建改建农村公路50公里", "新建改建农村公路50公里"),
        ("1\t新建改建农村公路50公里\t县交通运输局\t年内", "1\t新建改建农村公路50公里", "新建改建农村公路50公里"),
        # off a table row, a run of spaces is noise inside a name and stays in the span
        ("（牵头单位：市统计局\u3000\u3000数据中心）", "市统计局\u3000\u3000数据中心", "市统计局\u3000\u3000数据中心"),
    ],
)
def test_within_cell_cuts_a_span_to_one_cell(text: str, span: str, cut: str) -> None:
    start = text.index(span)
    a, b = within_cell(text, start, start + len(span))
    assert text[a:b] == cut


def test_a_pipe_row_may_lack_its_trailing_cells() -> None:
    text = "序号 | 工作任务 | 责任处室 | 完成时限 | 备注 |\n1 | 做好信息发布 | 宣传处 | 长期推进 |\n"
    [row] = table_rows(text)
    assert row.leads and text[row.leads[0][0] : row.leads[0][1]] == "宣传处"
    assert ("LEAD_UNIT", "宣传处") in _spans(text)


def test_fits_tables_drops_header_pieces_and_leads_outside_the_lead_column() -> None:
    from planex.document import Span

    text = _table(" | ", pipes=True)
    spans = [
        Span(text.index("完成时限"), text.index("完成时限") + 2, "TASK"),  # a piece of a header name
        Span(text.index("各乡镇人民政府"), text.index("各乡镇人民政府") + 7, "LEAD_UNIT"),  # the 配合单位 column
        Span(text.index("县政务服务中心"), text.index("县政务服务中心") + 7, "LEAD_UNIT"),  # the 牵头单位 column
        Span(text.index("2023年11月底"), text.index("2023年11月底") + 9, "DEADLINE"),
    ]
    kept = fits_tables(text, spans)
    assert [text[s.start : s.end] for s in kept] == ["县政务服务中心", "2023年11月底"]
    prose = "（一）推进政务服务标准化。（牵头单位：县政务服务中心）"
    assert fits_tables(prose, [Span(8, 14, "LEAD_UNIT")]) == [Span(8, 14, "LEAD_UNIT")]  # no table: nothing dropped


def test_a_lead_cell_keeps_bracketed_names_whole_and_its_marked_lead() -> None:
    head = "序号\t工作任务\t责任单位\t完成时限\n"
    text = head + "1\t建设数据平台\t市大数据局、各县（市、区）人民政府\t年内\n"
    assert [t for label, t in _spans(text) if label == "LEAD_UNIT"] == ["市大数据局", "各县（市、区）人民政府"]
    text = head + "1\t建设数据平台\t市大数据局、 市财政局等和各区政府\t年内\n"  # separators of two characters
    assert [t for label, t in _spans(text) if label == "LEAD_UNIT"] == ["市大数据局", "市财政局", "各区政府"]
    text = head + "1\t建设数据平台\t市发展改革委（牵头）、市财政局\t年内\n"
    assert [t for label, t in _spans(text) if label == "LEAD_UNIT"] == ["市发展改革委"]


def test_a_line_of_bars_between_rows_does_not_end_the_table() -> None:
    text = (
        "序号 | 工作任务 | 责任处室 | 完成时限 |\n1 | 做好信息发布 | 宣传处 | 长期推进 |\n|\n"
        "2 | 做好预算公开 | 财务处 | 年内 |\n"
    )
    assert len(table_rows(text)) == 2


def test_a_main_responsibility_column_is_a_lead_column() -> None:
    text = (
        "序号\t重点工作\t具体目标\t主责部门\t配合部门\t完成期限\n"
        "1\t实施城区供水管网改造\t改造管网35公里\t县住建局\t县水务公司\t2024年12月\n"
    )
    assert [(s.label, text[s.start : s.end]) for s in rules.extract(text) if s.label != "INDICATOR"] == [
        ("TASK", "实施城区供水管网改造"),
        ("LEAD_UNIT", "县住建局"),
        ("DEADLINE", "2024年12月"),
    ]


def test_a_row_that_lost_its_empty_cells_is_placed_by_what_its_cells_hold() -> None:
    head = "序号\t工作任务\t牵头单位\t配合单位\t完成时限\n"
    # no 配合单位 cell: the date goes under 完成时限, the unit under 牵头单位 (a typed column beats 配合单位)
    text = head + "1\t建设数据平台\t市大数据局\t2024年底\n2   推进数据共享\n3\t完善制度\t市委政法委\n"
    assert _spans(text) == [
        ("TASK", "建设数据平台"),
        ("LEAD_UNIT", "市大数据局"),
        ("DEADLINE", "2024年底"),
        ("TASK", "推进数据共享"),  # a numbered row of two cells under the header is a row
        ("TASK", "完善制度"),
        ("LEAD_UNIT", "市委政法委"),
    ]


def test_place_cells_refuses_a_guess_between_equal_placements() -> None:
    from planex.table_header import place_cells, read_header

    header = read_header(["序号", "工作任务", "备注", "说明", "牵头单位"])
    assert header is not None and header.kinds == ("number", "task", "other", "other", "lead")
    assert place_cells(header, ["1", "建设平台", "市大数据局"]) == [0, 1, 4]
    assert place_cells(header, ["1", "建设平台", "见附件", "市大数据局"]) is None  # 备注 or 说明: no telling
    assert place_cells(header, ["市大数据局", "1"]) is None  # a row number stands first
    wide = read_header(["序号", "工作任务", "牵头单位", *(f"备注{i}" for i in range(30))])
    assert wide is not None and place_cells(wide, ["1", "建设平台", *["见附件"] * 15]) is None  # not searched


def test_a_table_with_one_cell_per_line_is_read_by_its_header() -> None:
    raw = (
        "2024年度重点任务台账\n序号\n重点任务\n具体举措\n牵头单位\n完成时限\n"
        "1\n健全依法决策机制\n制定重大行政决策事项目录并公布\n市司法局\n2024年3月底前\n"
        "2\n加强行政复议工作\n市行政复议局\n全年\n"
    )
    text = normalise(raw).text
    assert "3月底前\n2\n" in text  # a row number keeps its line
    assert [x for x in _spans(text) if x[0] != "INDICATOR"] == [
        ("TASK", "健全依法决策机制"),
        ("LEAD_UNIT", "市司法局"),
        ("DEADLINE", "2024年3月底前"),
        ("TASK", "加强行政复议工作"),  # its empty 具体举措 cell left no line
        ("LEAD_UNIT", "市行政复议局"),
        ("DEADLINE", "全年"),  # this year, in a 完成时限 cell (P1)
    ]


@pytest.mark.parametrize(
    "rows",
    [
        # each cell's line closed by its pipe, header names spaced out (ca00008)
        "序号 |\n工 作 任 务 |\n负责部门 |\n时间进度 |\n"
        "1 |\n推进城市轨道交通建设 |\n省发展改革委,交通运输厅 |\n2017年底 |\n"
        "2 |\n优先发展城市公交 |\n交通运输厅 |\n长期 |\n",
        # the pipes on lines of their own between the cells (w00009)
        "|\n序号\n|\n工作任务\n|\n负责部门\n|\n时间进度\n|\n|\n1\n|\n推进城市轨道交通建设\n|\n省发展改革委,交通运输厅\n|\n"
        "2017年底\n|\n|\n2\n|\n优先发展城市公交\n|\n交通运输厅\n|\n长期\n|\n",
    ],
)
def test_one_cell_per_line_with_pipes_at_line_ends_or_between_lines(rows: str) -> None:
    assert _spans(rows) == [
        ("TASK", "推进城市轨道交通建设"),
        ("LEAD_UNIT", "省发展改革委"),
        ("LEAD_UNIT", "交通运输厅"),
        ("DEADLINE", "2017年底"),
        ("TASK", "优先发展城市公交"),
        ("LEAD_UNIT", "交通运输厅"),
    ]


def test_a_task_cell_of_work_then_targets_is_split_and_a_target_cell_names_no_task() -> None:
    text = (
        "序号\t工作任务\t牵头单位\n1\t推进医养结合机构建设，医养结合机构达到15家\t市卫健委\n"
        "2\t新建养老服务设施20处\t市民政局\n"
    )
    assert _spans(text) == [
        ("TASK", "推进医养结合机构建设"),
        ("INDICATOR", "医养结合机构达到15家"),
        ("LEAD_UNIT", "市卫健委"),
        ("INDICATOR", "新建养老服务设施20处"),
        ("LEAD_UNIT", "市民政局"),
    ]


def test_header_names_may_carry_a_bracketed_gloss() -> None:
    text = (
        "序号\t工作举措\t牵头单位（部门）\t配合单位（部门）\t完成时限（年月）\n"
        "1\t建设数据平台\t市大数据局\t各区政府\t2024年12月\n"
        "2\t完善数据共享制度\t市政务服务办（牵头）、市司法局\t\t2024年6月\n"
    )
    assert _spans(text) == [
        ("TASK", "建设数据平台"),
        ("LEAD_UNIT", "市大数据局"),
        ("DEADLINE", "2024年12月"),
        ("TASK", "完善数据共享制度"),
        ("LEAD_UNIT", "市政务服务办"),
        ("DEADLINE", "2024年6月"),
    ]
