"""Exact values read from DEADLINE and INDICATOR spans."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planex.values import cn_int, parse_deadline, parse_indicator


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("百", 100),
        ("两百", 200),
        ("一百二十", 120),
        ("千", 1000),
        ("三千零五", 3005),
        ("二〇二五", 2025),
        ("万", None),
        ("", None),
        ("三x", None),
    ],
)
def test_values_cn_int(text: str, value: int | None) -> None:
    assert cn_int(text) == value


@pytest.mark.parametrize(
    ("text", "date", "period", "kind"),
    [
        ("2025年底前", "2025-12-31", "2025", "by"),
        ("2025年年底前", "2025-12-31", "2025", "by"),
        ("2022年年底", "2022-12-31", "2022", "by"),
        ("2022年末", "2022-12-31", "2022", "by"),
        ("2023年6月底前", "2023-06-30", "2023-06", "by"),
        ("2024年2月底", "2024-02-29", "2024-02", "by"),
        ("到2035年", "2035-12-31", "2035", "by"),
        ("到2025年", "2025-12-31", "2025", "by"),
        ("2024年起", "2024-01-01", "2024", "from"),
        ("2021年5月1日起", "2021-05-01", "2021-05-01", "from"),
        ("至2022年12月31日", "2022-12-31", "2022-12-31", "by"),
        ("“十四五”末", "2025-12-31", "2025", "by"),
        ('"十三五"期末', "2020-12-31", "2020", "by"),
        ("十四五时期", "2025-12-31", "2021/2025", "range"),
        ("2023年", "2023-12-31", "2023", "by"),
        ("2023年12月", "2023-12-31", "2023-12", "by"),
        ("完成时限：2023年12月", "2023-12-31", "2023-12", "by"),
        ("2021.8", "2021-08-31", "2021-08", "by"),
        ("2023-12-31", "2023-12-31", "2023-12-31", "by"),
        ("２０２５年底前", "2025-12-31", "2025", "by"),
        ("二〇二五年底前", "2025-12-31", "2025", "by"),
        ("2025年上半年", "2025-06-30", "2025-H1", "by"),
        ("2025年第三季度", "2025-09-30", "2025-Q3", "by"),
        ("2023年6月中旬", "2023-06-20", "2023-06", "by"),
        ("2023-2025年", "2025-12-31", "2023/2025", "range"),
        ("2023年至2025年", "2025-12-31", "2023/2025", "range"),
        ("年内", None, None, "by"),  # relative: no document year given
        ("6月底前", None, None, "by"),
        ("2022年以来", None, None, None),  # not a deadline: nothing is read
        ("持续推进", None, None, None),
        ("", None, None, None),
    ],
)
def test_values_parse_deadline(text: str, date: str | None, period: str | None, kind: str | None) -> None:
    assert parse_deadline(text) == {"date": date, "period": period, "kind": kind}


@pytest.mark.parametrize(
    ("text", "date", "period"),
    [
        ("年内", "2024-12-31", "2024"),
        ("年底前", "2024-12-31", "2024"),
        ("6月底前", "2024-06-30", "2024-06"),
        ("十二月底前", "2024-12-31", "2024-12"),
        ("9月", "2024-09-30", "2024-09"),
        ("明年底前", "2025-12-31", "2025"),
        ("2026年底前", "2026-12-31", "2026"),  # a written year wins over the document year
    ],
)
def test_values_parse_deadline_relative_to_doc_year(text: str, date: str, period: str) -> None:
    assert parse_deadline(text, doc_year=2024) == {"date": date, "period": period, "kind": "by"}


@pytest.mark.parametrize(
    ("text", "metric", "comparator", "value", "unit"),
    [
        ("统一提供数据服务比例达到80%以上", "统一提供数据服务比例", ">=", 80.0, "%"),
        ("智慧社区覆盖率达到95%以上", "智慧社区覆盖率", ">=", 95.0, "%"),
        ("全市建设不少于100个智慧社区", "全市建设智慧社区", ">=", 100.0, "个"),
        ("打造10个以上样板社区", "打造样板社区", ">=", 10.0, "个"),
        ("具有实用价值的政府开放数据集超过3000项", "具有实用价值的政府开放数据集", ">", 3000.0, "项"),
        ("“不见面审批事项”达到100%", "“不见面审批事项”", ">=", 100.0, "%"),
        ("投资5000万元", "投资", "=", 5000.0, "万元"),
        ("在线率、完好率达到98%以上", "在线率、完好率", ">=", 98.0, "%"),
        ("新建基站1500个以上", "新建基站", ">=", 1500.0, "个"),
        ("新建5G基站2000个", "新建5G基站", "=", 2000.0, "个"),
        ("完成80%以上的事项改造", "完成事项改造", ">=", 80.0, "%"),
        ("地区生产总值增长6.2%左右", "地区生产总值增长", "~", 6.2, "%"),
        ("办理时限缩短至3个工作日以内", "办理时限", "<=", 3.0, "个工作日"),
        ("企业开办时间压缩至1个工作日内", "企业开办时间", "<=", 1.0, "个工作日"),
        ("综合能耗不超过1,200吨", "综合能耗", "<=", 1200.0, "吨"),
        ("不良率控制在5%以下", "不良率", "<=", 5.0, "%"),
        ("空置率低于3%", "空置率", "<", 3.0, "%"),
        ("新增100多个站点", "新增站点", ">", 100.0, "个"),
        ("打造百项应用", "打造应用", "=", 100.0, "项"),
        ("建设三个示范区", "建设示范区", "=", 3.0, "个"),
        ("培育两千家企业", "培育企业", "=", 2000.0, "家"),
        ("三千万元", None, "=", 3000.0, "万元"),
    ],
)
def test_values_parse_indicator(text: str, metric: str | None, comparator: str, value: float, unit: str) -> None:
    assert parse_indicator(text) == {"metric": metric, "comparator": comparator, "value": value, "unit": unit}


@pytest.mark.parametrize("text", ["全覆盖", "一体化平台", ""])
def test_values_parse_indicator_without_number(text: str) -> None:
    assert parse_indicator(text) == {"metric": text or None, "comparator": None, "value": None, "unit": None}


@given(st.text(max_size=30), st.one_of(st.none(), st.integers(1900, 2200)))
def test_values_parsers_never_raise(text: str, year: int | None) -> None:
    deadline = parse_deadline(text, year)
    assert set(deadline) == {"date", "period", "kind"}
    assert set(parse_indicator(text)) == {"metric", "comparator", "value", "unit"}
