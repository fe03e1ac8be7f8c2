"""The rule extractor on the labelling guideline's own cases (labels/GUIDELINES.md, LABELING.md)."""

from __future__ import annotations

import itertools

import pytest

from planex import rules


def spans_of(text: str, label: str) -> list[str]:
    return [text[s.start : s.end] for s in rules.extract(text) if s.label == label]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The measured thing starts at the clause; hedges, deadlines and markers stay outside.
        (
            "到2030年，受污染耕地安全利用率、污染地块安全利用率均达到95%以上。",
            ["受污染耕地安全利用率、污染地块安全利用率均达到95%以上"],
        ),
        ("1.生产总值增长6%以上,高质量前提下能快则快。", ["生产总值增长6%以上"]),
        # `年内` is the deadline, outside the target; 汇聚 announces a value like 新增
        ("2.推进“高效办成一件事”，年内新增集成办理事项10项。", ["新增集成办理事项10项"]),
        ("建成数据共享交换平台，汇聚数据50亿条以上。", ["汇聚数据50亿条以上"]),
        ("支持高校设置相关专业，每年培养专业人才1万名以上。", ["培养专业人才1万名以上"]),
        ("推进审批制度改革，审批时间压减至60个工作日以内。", ["审批时间压减至60个工作日以内"]),
        (
            "全面完成指标。全市PM2.5浓度比2015年下降22%以上,PM2.5平均浓度降至47微克/立方米。",
            ["全市PM2.5浓度比2015年下降22%以上", "PM2.5平均浓度降至47微克/立方米"],
        ),
        (
            "确保2022年全省粮食播种面积稳定在6287万亩以上、产量稳定在1930万吨以上。",
            ["全省粮食播种面积稳定在6287万亩以上", "产量稳定在1930万吨以上"],
        ),
        (
            "重点推动数据开放,实现具有实用价值的政府开放数据集超过3000项,规模居前。",
            ["具有实用价值的政府开放数据集超过3000项"],
        ),
        ("居民消费价格指数控制在103.5以内;", ["居民消费价格指数控制在103.5以内"]),
        ("比2015年分别下降24%、25%以上。", ["比2015年分别下降24%、25%以上"]),
        # The value may come before the predicate: a share of the measured things, a ranked count.
        ("2023年年底前，全市30%的社区建成智慧社区，形成一批可复制的经验。", ["全市30%的社区建成智慧社区"]),
        (
            "除经本级政府批准的事项外,市、区县级依申请政务服务事项100%实现网上可办。",
            ["市、区县级依申请政务服务事项100%实现网上可办"],
        ),
        (
            "2023年年底前，使用频率最高的前100项电子证照证明在政务服务和社会生活场景中全面应用。",
            ["使用频率最高的前100项电子证照证明在政务服务和社会生活场景中全面应用"],
        ),
        # `实现` before the measured thing is a hedge; before the number it counts (I3). So are `将` and `在` (I1).
        ("打造一批典型应用场景，实现机关内部100个事项线上办理。", ["机关内部100个事项线上办理"]),
        ("实现100个移动端轻应用功能,", ["实现100个移动端轻应用功能"]),
        ("完善法人库,将数据标签扩展到100个,为企业画像。", ["数据标签扩展到100个"]),
        ("2025年年底前，统一提供的数据服务达到70％以上，", ["统一提供的数据服务达到70％以上"]),  # full-width ％
        ("到 2025 年全市5G基站达到1万个。", ["全市5G基站达到1万个"]),  # a deadline with PDF blanks is a lead-in
        # A share of something and a threshold are not targets; neither are slogans with 一.
        ("父母可以选择由其中一方按扣除标准的100%扣除，也可以选择由双方分别扣除。", []),
        ("1.警戒状态。粮食价格在一周内涨幅在20%以上或市内国有粮食库存不足。", []),
        ("实施主城区排水管网智慧管理，实现排水设施综合地理信息一张图，提高管理水平。", []),
        # Numbers that name things are not targets.
        ("严守生态文明建设“五个决不能”底线。", []),
        ("努力实现百亿级重大产业项目接二连三再突破。", []),
        ("“十四五”是全面建设社会主义现代化国家新征程的第一个五年。", []),  # an ordinal
        # Past figures in work reports use the same verbs as targets.
        ("全年一般公共预算收入49406万元,较上年增长19.7%。", []),
        ("全市已建成5G基站1500个。", []),
    ],
)
def test_indicator_spans(text: str, expected: list[str]) -> None:
    assert spans_of(text, "INDICATOR") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("各牵头单位于2024年2月8日前报送。", ["2024年2月8日前"]),  # 于 is outside (D1)
        ("从2024年第二季度起，各牵头单位按季报送。", ["2024年第二季度起"]),
        ("请认真贯彻执行。\n湖南省人民政府\n2024年11月30日\n(此件主动公开)", []),  # a signing date
        ("关于做好2022年全面推进乡村振兴重点工作的意见", []),  # a year that scopes the work
        ("确保2022年全省粮食播种面积稳定。", ["2022年"]),
        ("“十四五”时期是关键时期。", []),
        ("到“十四五”末，基本建成。", ["到“十四五”末"]),
    ],
)
def test_deadline_spans(text: str, expected: list[str]) -> None:
    assert spans_of(text, "DEADLINE") == expected


def test_first_listed_unit_leads_where_the_plan_says_so() -> None:
    text = (
        "（一）加快发展。（市发展改革委、市财政局、市商务局等负责,列第一位者为牵头单位,下同）\n"
        "（二）扩大就业。（市人力资源社会保障局、市财政局）"
    )
    assert spans_of(text, "LEAD_UNIT") == ["市发展改革委", "市人力资源社会保障局"]


def test_the_first_leads_note_has_several_spellings() -> None:
    # Guideline L3's `排在第一位的部门为牵头部门`: the declaring list and later lists keep their first unit.
    text = (
        "1.推广试点。（税务总局、财政部负责，排在第一位的部门为牵头部门，下同）\n"
        "2.优化监管。（海关总署、商务部等有关部门负责）\n"
        "3.促进就业。（各有关部门和单位，各省级人民政府按职责分工负责）"
    )
    assert spans_of(text, "LEAD_UNIT") == ["税务总局", "海关总署", "各有关部门和单位"]


def test_without_the_convention_every_unit_of_a_bare_list_closing_an_item_leads() -> None:
    # GUIDELINES V10: a bracket of bare unit names closing an item is its responsible list (L4)
    assert spans_of("（二）扩大就业。（市人力资源社会保障局、市财政局）", "LEAD_UNIT") == [
        "市人力资源社会保障局",
        "市财政局",
    ]


def test_field_lines_outside_brackets_and_shared_leads() -> None:
    text = (
        "(除标注“分别牵头”外,列第一位为牵头单位,下同)\n"
        "4.固定资产投资增长10%。\n责任单位:市发改委、市经信局、市科技局\n"
        "6.城乡居民收入增速保持全省领先。\n责任单位:市人力社保局、市农业农村局分别牵头\n"
    )
    assert spans_of(text, "LEAD_UNIT") == ["市发改委", "市人力社保局", "市农业农村局"]


def test_lead_field_in_brackets_still_wins_over_other_units() -> None:
    text = "（一）推进改革。（牵头单位：市委办公室；责任单位：市政府各部门）"
    assert spans_of(text, "LEAD_UNIT") == ["市委办公室"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # LABELING.md's lead forms: `X负责` where it assigns the item, in brackets or as a clause.
        ("4.加强统筹。（市发展改革委负责）", ["市发展改革委"]),
        ("4.加强统筹。（2024年底前完成，市财政局按职责分工负责）", ["市财政局"]),
        # What follows the duty in a bracket closing the item is a note, not another unit.
        ("4.全面落实减税降费政策。（市税务局负责，持续推进）", ["市税务局"]),
        ("5.开展专项行动。由市生态环境局负责。", ["市生态环境局"]),
        ("（四）加强监督检查。市纪委监委、市委组织部按职责分工负责。", ["市纪委监委", "市委组织部"]),
        ("6.完善医保政策。市医保局牵头，市卫健委、市财政局配合，2024年底前完成。", ["市医保局"]),
        # A field after a sentence, not only at a line's start; the hedge stays outside.
        ("2.扩大消费。责任单位：市商务局，各区按职责分工负责", ["市商务局", "各区"]),
        ("1、推进数字政府建设。牵头领导：张三；牵头单位：市大数据局；配合单位：市财政局", ["市大数据局"]),
        ("牵头单位：市发改委；责任单位：市财政局", ["市发改委"]),
        # Guideline L1: `等有关部门（和单位）`, `等` and the list label are outside; `等和` separates.
        ("3.扩大进口。（工业和信息化部等有关部门和单位负责）", ["工业和信息化部"]),
        ("3.扩大进口。（海关总署、商务部等有关部门负责）", ["海关总署", "商务部"]),
        (
            "（二）促进消费。（商务部、全国妇联、共青团中央等和各省级人民政府负责）",
            ["商务部", "全国妇联", "共青团中央", "各省级人民政府"],
        ),
        ("（二）促进消费。（各有关部门和单位按职责分工负责）", ["各有关部门和单位"]),
        # Guideline L4: a 负责部门 field with no lead names the leads; the next field is not a unit.
        ("（一）放宽准入。（负责部门：人民银行、外汇局；适用范围：所有试验区）", ["人民银行", "外汇局"]),
        # A description of who is competent, not a list of units.
        ("按规定管理（技工院校内由人力资源社会保障行政部门负责），", []),
        # Prose that describes who does something is not a lead assignment.
        ("县发展改革委组建规划编制专班,牵头开展“十四五”规划纲要编制工作。", []),
        ("明确政务公开由局办公室牵头,落实专职工作人员3名。", []),
        ("（二）扩大就业。（各地要加大投入，确保资金负责到位）", []),
    ],
)
def test_lead_assignments(text: str, expected: list[str]) -> None:
    assert spans_of(text, "LEAD_UNIT") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一、强化工作统筹,科学制订办理方案。各责任单位要系统谋划。", ["强化工作统筹,科学制订办理方案"]),  # T2
        ("一、指导思想和基本原则\n（一）指导思想。", []),  # T4, joined categories
        ("（二）环境保障。认真贯彻落实。", []),  # T5
        ("（五）强化资金支持。加大投入。", ["强化资金支持"]),
        ("1. **创新服务供给模式。**准确把握。", ["创新服务供给模式"]),  # T1
        ("一、紧扣“十四五”开好局,进一步深化政务公开 |\n", ["紧扣“十四五”开好局,进一步深化政务公开"]),
        # a unit and a colon open the item: the unit leads, the heading after the colon is the task (L11)
        (
            "1.市教育局：推进学前教育普惠发展。\n2.市卫健委：完善基层医疗服务体系。",
            ["推进学前教育普惠发展", "完善基层医疗服务体系"],
        ),
        # work, then only targets: the work phrase is split off (T12, Q3); work, then more work, is prose
        ("1. 推进政务云资源统一调度，省级部门上云率达到95%。", ["推进政务云资源统一调度"]),
        ("1. 推进政务云资源统一调度，省级部门上云率达到95%，完善运维体系和安全防护制度。", []),
        ("任务二：推进科技创新平台建设\n主要内容：新建研发平台20个。", ["推进科技创新平台建设"]),
        # a long sentence with commas is prose (T10)
        ("（三）进一步加强防震减灾立法工作，努力推进减轻地震灾害法的出台。各省要落实。", []),
    ],
)
def test_task_heads(text: str, expected: list[str]) -> None:
    assert spans_of(text, "TASK") == expected


def test_items_under_principles_are_not_tasks_until_the_section_ends() -> None:
    text = (
        "一、总体要求\n（二）基本原则\n1.经济发展与环境保护相协调。采取措施。\n——坚持生态优先、绿色发展。\n"
        "（三）加强组织领导。\n二、推进重点工作\n"
    )
    assert spans_of(text, "TASK") == ["加强组织领导", "推进重点工作"]


def test_spans_never_overlap_and_point_into_the_text(seed_texts: dict[str, str]) -> None:
    for text in seed_texts.values():
        found = rules.extract(text)
        assert found == sorted(found)
        for a, b in itertools.pairwise(found):
            assert a.end <= b.start
        for span in found:
            piece = text[span.start : span.end]
            assert piece and piece == piece.strip()


@pytest.mark.parametrize(
    ("text", "leads", "deadlines"),
    [
        # 【field】 headings, as some provinces write them: each 【 starts the next field
        (
            "2．实施人才引育工程。【牵头单位】市委人才办【配合单位】市人社局【完成时限】2023年底前",
            ["市委人才办"],
            ["2023年底前"],
        ),
        # a deadline field closing a bracket is a deadline, not a title's period
        ("1．加快平台建设。（牵头单位：市科技局；完成时限：2023年12月底）", ["市科技局"], ["2023年12月底"]),
        ("3．推动转型。主要责任单位：市工业和信息化局；完成时间：2024年6月。", ["市工业和信息化局"], ["2024年6月"]),
        ("4．提升城市管理水平。责任主体：各区县人民政府", ["各区县人民政府"], []),
        ("5．深化改革。市政务服务中心牵头负责，各相关部门配合。", ["市政务服务中心"], []),
        # a township's and a department's own fields: 主责单位, 责任科室 (the marked office leads, L2)
        (
            "（一）开展垃圾治理。主责单位：镇城建办；协办单位：各村委会；完成时限：2024年12月31日前。",
            ["镇城建办"],
            ["2024年12月31日前"],
        ),
        ("（四）加强河道保洁。责任科室：镇水利站（牵头）、镇生态环境办。", ["镇水利站"], []),
        # a field name spaced out to align a form
        ("3.开展涉企执法检查专项清理。\n牵 头 单 位：县司法局\n完成时限：2024年12月底", ["县司法局"], ["2024年12月底"]),
        ("（三）整治村容村貌。由镇综合执法队具体负责实施，各村（社区）配合。", ["镇综合执法队"], []),
        # a bracket inside the lead bracket: 各县（市、区）人民政府 is one unit
        (
            "1.健全体系。(责任单位:市直各有关单位、各县(市、区)人民政府、各开发区管委会)",
            ["市直各有关单位", "各县(市、区)人民政府", "各开发区管委会"],
            [],
        ),
        # a bare list of units in a bracket that closes the item is its lead list; in prose it is not
        (
            "2.开展科普活动。（科技部、国家卫生健康委、中国科协）\n3.下一项。",
            ["科技部", "国家卫生健康委", "中国科协"],
            [],
        ),
        ("2.依托平台（市大数据中心）开展工作。", [], []),
        ("1.发布权威信息。（应急处、监督处等按职责分工落实）", ["应急处", "监督处"], []),
        # a short bracket is part of a name, or marks the lead of a field's list
        (
            "（三）加强生态环境保护。责任单位：各市（州）人民政府，省生态环境厅。",
            ["各市（州）人民政府", "省生态环境厅"],
            [],
        ),
        ("（一）推进项目建设。\n责任单位：省发展改革委（牵头）、省交通运输厅、省财政厅", ["省发展改革委"], []),
        # a field ends where the next field starts after a space
        ("1.扩大学位供给。\n责任单位：市教育局  完成时限：2023年9月", ["市教育局"], ["2023年9月"]),
        ("2.加强师资建设。\n牵头单位：市教育局 配合单位：市财政局、市人社局", ["市教育局"], []),
        # a field ends at the sentence's end: the next field is no part of its list
        (
            "3．谋划项目。牵头单位：市发展改革委。配合单位：市财政局。时间节点：2023年6月底前完成。",
            ["市发展改革委"],
            ["2023年6月底前"],
        ),
        # 由X会同Y负责: X leads
        ("6．加强耕地保护。由市自然资源局会同市农业农村局负责。", ["市自然资源局"], []),
        # the marked unit of a field list leads, and the next field's line stays its own
        (
            "（一）完善县城商业设施。\n责任单位：市商务局（牵头）、市发展改革委，各县（市、区）人民政府\n完成时限：2025年底前",
            ["市商务局"],
            ["2025年底前"],
        ),
        # a bound closing the bracket is a deadline; a bare year in a time field is one too (P1)
        ("2.压缩开办时间。（区市场监管局牵头，区税务局配合；2023年底前）", ["区市场监管局"], ["2023年底前"]),
        ("任务一：实施产业链培育工程\n牵头部门：市工业和信息化局\n完成时间：2025年", ["市工业和信息化局"], ["2025年"]),
        # short field names, 【】 brackets, `责任单位为`, a bare unit bracket with its deadline
        ("1.扩充学位。（牵头：市教育局；配合：市发展改革委；时限：2024年9月前）", ["市教育局"], ["2024年9月前"]),
        ("3.加强教师队伍建设。【市教育局牵头，市人社局、市委编办配合】", ["市教育局"], []),
        ("4.深化“双减”工作。责任单位为市教育局，配合单位为市市场监管局。", ["市教育局"], []),
        ("2.推进集团化办学。（市教育局，2024年底）\n3.下一项。", ["市教育局"], ["2024年底"]),
        # places named collectively and customs offices close an item's bare list; a counted hedge is outside
        ("1.推进改革。（市发展改革委、各县（市、区））\n2.下一项。", ["市发展改革委", "各县（市、区）"], []),
        ("1.推进改革。（杭州海关、市商务局）\n2.下一项。", ["杭州海关", "市商务局"], []),
        # bare level words sharing one head are one unit (YV1), in a field, a bracket and a table cell
        (
            "1.保障粮食安全。\n责任单位：市农业农村局，各县、市、区人民政府",
            ["市农业农村局", "各县、市、区人民政府"],
            [],
        ),
        ("（三）强化监管。（市教育局、市财政局，各区、市政府负责）", ["市教育局", "市财政局", "各区、市政府"], []),
        (
            "序号 | 工作任务 | 责任单位\n1 | 加强粮食生产 | 市农业农村局、各市、县人民政府",
            ["市农业农村局", "各市、县人民政府"],
            [],
        ),
        ("1.推进改革。（市发改委、区政府负责）", ["市发改委", "区政府"], []),  # a list of two units stays split
        # a sentence that gives units their work names them as leads; a body answered to does not lead
        (
            "市发改委负责提出全市节能规划；市规划局、市建设局负责建筑节能。",
            ["市发改委", "市规划局", "市建设局"],
            [],
        ),
        ("县人民政府向县人民代表大会负责并报告工作。\n1.项目负责人负责组织实施。", [], []),
        # a period whose ends name part of a month, one from today, one that 截止 bounds (YR1, YX5)
        (
            "(三)重点检查阶段(2009年7月初至9月底)\n(四)整改落实阶段(截止2009年10月底)",
            [],
            ["2009年7月初至9月底", "截止2009年10月底"],
        ),
        (
            "二、时间安排\n即日起至6月30日。\n禁烧时段为2014年10月至2015年3月底。",
            [],
            ["即日起至6月30日", "2014年10月至2015年3月底"],
        ),
        ("1.市教育局：推进学前教育普惠发展。\n（三）工作要求：各单位要高度重视。", ["市教育局"], []),  # L11
        ("1.推进改革。责任单位：市发展改革委等12个部门", ["市发展改革委"], []),
        ("（一）推进改革。\n牵头单位 ：市发展改革委\n完成时限 ：2024年底", ["市发展改革委"], ["2024年底"]),  # a blank
    ],
)
def test_lead_fields_and_clauses_of_other_provinces(text: str, leads: list[str], deadlines: list[str]) -> None:
    assert spans_of(text, "LEAD_UNIT") == leads
    assert spans_of(text, "DEADLINE") == deadlines


def test_a_table_of_contents_line_is_no_task() -> None:
    text = "目录\n(一)完善综合立体交通网络…………………………………20\n(一)完善综合立体交通网络。加快建设。"
    assert spans_of(text, "TASK") == ["完善综合立体交通网络"]


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("2019年1月1日至12月31日，对面临暂时性生产经营困难的企业返还保费。", "2019年1月1日至12月31日"),
        ("(四)抽查和重点检查阶段(9月1日至9月30日)。", "9月1日至9月30日"),
        ("领导小组要将整改情况于9月25日前报省环保专项行动领导小组办公室。", "9月25日前"),
        ("各承办单位务必在今年8月31日前全面完成办理工作。", "今年8月31日前"),
        ("从2019年开始，探索建立职业教育个人学习账号。", "2019年开始"),
        # quarters and half-years: with their year, or alone before 前
        ("1.完善政务服务平台。2024年三季度前完成平台迁移升级。", "2024年三季度前"),
        ("2.推进电子证照应用。2025年上半年实现全覆盖。", "2025年上半年"),
        ("5.强化数据共享。第三季度末前新增共享数据目录200条。", "第三季度末前"),
        # years from one to another in a time field are one period; elsewhere they span a plan
        ("1.推进改革。完成时限：2024—2025年", "2024—2025年"),
        ("1.推进改革。完成时限：2024年至2025年", "2024年至2025年"),
        # PDF text puts blanks between digits and characters
        ("（一）推进数据共享。完成时限：2024 年 12 月底前", "2024 年 12 月底前"),
        ("（二）加强监管。到 2025 年，抽查覆盖率达到100%。", "到 2025 年"),
        ("（三）推进改革。要于 2024 年 6 月底前完成。", "2024 年 6 月底前"),
        # 月份, and the steps of a schedule: quarters, and months opening a line
        ("新建休闲绿道1575米,预计2021年12月份完成。", "2021年12月份"),
        ("1、推进验收工作(一季度:制定年度验收工作任务。", "一季度"),
        ("完成立项。\n8—9月,重点搞好机关内部的环境卫生。", "8—9月"),
        ("按照部署,今年5—12月是我市争创国家文明城市的关键时期。", "今年5—12月"),
    ],
)
def test_deadline_periods_and_days(text: str, deadline: str) -> None:
    assert spans_of(text, "DEADLINE") == [deadline]


@pytest.mark.parametrize(
    "text",
    [
        "海盐县人民政府办公室 2022年4月18日 (此件公开发布)",  # a signing date inside a line
        "《实施方案》已经2019年6月24日市政府第13次常务会议研究通过。",  # a meeting date
        "经营性文化事业单位转制为企业后，五年内免征企业所得税。",  # a duration
        "国家卫生健康委每年3月底前完成上述工作。",  # a recurring date
        "《某市数字政府建设规划（2021-2025年）》",  # a plan's years
        "2021—2025年，全市深入推进数字政府建设。",
        "已完成。从2020年1月1日起,已将我市城乡低保标准提高到每人每月609元。",  # work done
        "区政府办公室从2023年3月份起,每季度通报目标任务完成情况。",  # a routine
        "提高特困人员供养标准,其中,端州区提高到20100元/人年。",  # a number, not a year
    ],
)
def test_dates_that_bound_nothing_are_no_deadlines(text: str) -> None:
    assert spans_of(text, "DEADLINE") == []


def test_a_full_date_after_a_closing_word_is_a_deadline() -> None:
    assert spans_of("（二）收集意见的截止日期为2022年9月26日。", "DEADLINE") == ["2022年9月26日"]


def test_a_network_generation_is_no_value() -> None:
    text = "1.加快新型基础设施建设。新建5G基站3000个，实现乡镇以上区域5G网络全覆盖。"
    assert spans_of(text, "INDICATOR") == ["新建5G基站3000个"]


@pytest.mark.parametrize(
    ("text", "leads"),
    [
        # A bare unit list closes an item although a web page ran the items into one line.
        (
            "1、地区生产总值增长11%(市发改委,市政府相关部门,各县市区政府,荆州开发区)。"
            " 2、固定资产投资增长25%(市发改委)。",
            ["市发改委", "市政府相关部门", "各县市区政府", "荆州开发区", "市发改委"],
        ),
        # Units that lead a rectification, a target of their own, or that host the work (承办, 主办).
        ("(5)院内宣传栏破损。\n问题整改责任单位:市卫生健康委员会 整改时限:5天\n", ["市卫生健康委员会"]),
        ("4.社会消费品零售总额增长16%;\n  2项目标的责任单位均为市商务局。\n", ["市商务局"]),
        ("6.地方财政收入净增50亿元;\n  该目标责任单位为市财政局。\n", ["市财政局"]),
        ("一、治理畜牧业产品污染\n由省经贸委承办,省农业厅、卫生厅协办。\n", ["省经贸委"]),
        # A duty clause of officials before the lead clause is no unit.
        ("单位GDP能耗下降3%以上(分管副省长、协管副秘书长负责,省发改委牵头,省经信委配合)。", ["省发改委"]),
        # 牵头单位 named on one line, 责任单位 on the next: the latter are no leads (L2).
        ("1.加大帮扶力度。\n牵头单位:市工业和信息化局\n责任单位:市发改委、市商务局\n", ["市工业和信息化局"]),
        # A field inside square brackets is read with its bracket, not again as a line's field.
        ("1.推动合作。[牵头单位:市制造业服务中心;责任单位:市经信局、市发改委]\n", ["市制造业服务中心"]),
    ],
)
def test_lead_units_of_other_provinces_forms(text: str, leads: list[str]) -> None:
    assert spans_of(text, "LEAD_UNIT") == leads


@pytest.mark.parametrize(
    "text",
    [
        "一、征集日期\n2022年11月3日至2022年11月20日止。\n二、征集途径\n",
        "一、2021年经济社会发展主要预期目标\n(一)地区生产总值增长6%。\n",
        "具体问题如下:\n(1)院内电动车未按指定区域停放;\n(2)灭火器过期未更换;\n(3)院内宣传栏破损。\n",
        "一、重大基础设施互联互通方面\n",
        "三、主要任务及责任单位\n",
        # a leader's group of a work-report breakdown (C9)
        "一、王纲市长牵头重点工作\n",
        "二、洪湖鹏市长主抓重点工作\n",
    ],
)
def test_notice_fields_target_tables_and_inspection_problems_are_no_tasks(text: str) -> None:
    assert spans_of(text, "TASK") == []


def test_an_item_that_works_on_a_problem_is_a_task() -> None:
    text = "(1)整治车辆乱停乱放;\n(2)解决防鼠设施不足问题。\n"
    assert spans_of(text, "TASK") == ["整治车辆乱停乱放", "解决防鼠设施不足问题"]


def test_a_duty_list_names_the_unit_and_the_work_it_does() -> None:
    text = "2.工商行政管理部门:负责对小副食店的卫生整治工作;对整改不达标的,督促整改。\n(一)省编办牵头的工作\n"
    assert spans_of(text, "LEAD_UNIT") == ["工商行政管理部门"]
    assert spans_of(text, "TASK") == ["对小副食店的卫生整治工作"]
