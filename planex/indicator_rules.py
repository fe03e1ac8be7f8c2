"""The indicator rules: quantitative targets (INDICATOR spans), their values, units and measured things.

A target is a clause that commits to a value: a target verb and a number with a unit (`到2025年，
全市5G基站达到1万个`), or a share or ranked count standing before its predicate (`全市30%的社区建成智慧社区`).
Its span runs from where the measured thing starts (past item markers, hedges and the deadline, each
outside it) to the value and the counted thing after it. ``planex.rules`` calls :func:`indicators` last,
so tasks, lead units and deadlines win where spans overlap.
"""

from __future__ import annotations

import re

from planex.document import Span
from planex.markers import MARKER

# A value and its unit; the task rules read them too (a heading that holds a value is no task).
NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+)"
UNIT = (
    r"(?:%|％|‰|个百分点|个工作日|微克/立方米|亿立方米|立方米|平方公里|平方米|万元|亿元|元|万人|人次|万亩|万吨|万|亿|"
    r"个|家|项|所|条|座|台|套|户|人|张|件|篇|次|处|辆|公里|千米|米|亩|吨|小时|天|日|分钟|秒|GB|TB|Mbps|M|G(?<!\D[2-6]G))"
)
# (`5G` names a network generation, not a value: `新建5G基站3000个` counts base stations.)
_CMP = r"(?:以上|以下|以内|左右|及以上|或以上|内)"
# The words that announce a target value; the value may follow at a distance
# (`比2015年下降22%`, `从0.9提升到1.2左右`).
_TARGET_VERB = (
    r"(?:达到|达|超过|不少于|不低于|不超过|高于|低于|提高到|提升到|提升至|提高至|降至|降低至|降低到|下降到|下降|"
    r"缩短至|缩短到|压缩至|压缩到|压减至|压减到|控制在|保持在|稳定在|增长|提高|提升|减少|新增|累计|新建|建设|建成|打造|培育|"
    r"创建|完成|实现|投资|安排|招引|引进|推广|突破|新改建|组建|盘活|淘汰|改建|改造|扩展到|扩大到|推出|遴选|争创|培养|出台|汇聚|归集|接入|培训|带动)"
)
# Verb, value (several values share one comparator: `下降24%、25%以上`), and up to 24
# characters naming the counted thing when the value stands before it
# (`完成80%全市涉农行政村益农信息社建设任务`).
_INDICATOR = re.compile(
    rf"{_TARGET_VERB}[^\n，,。；;：:（）()]{{0,14}}?{NUM} ?(?:{UNIT}|(?={_CMP}))(?:[、和]{NUM}{UNIT})*{_CMP}?"
    rf"(?:[^\s，,。；;：:、（）()\d“”]{{1,24}}?(?=[，,。；;、）)\n]|$))?"
)
# Targets whose value comes before the predicate, with no target verb ahead of it: a share of the
# measured things (`全市30%的社区建成智慧社区`, `事项100%实现网上可办`) or a ranked count
# (`使用频率最高的前100项电子证照…`). The whole clause is the span. A share of something
# (`按扣除标准的100%扣除`) and a threshold (`涨幅在20%以上`) are not targets.
_FRONT_VALUE = re.compile(
    rf"(?<![\d.的在—～~-]){NUM}(?:%|％)(?:{_CMP})?的?(?=[^\s，,。；;、或]{{2}})|的前?(?!一){NUM}项"
)
_HEDGE_VERB = re.compile(rf"实现(?! ?{NUM})")
_PAST = re.compile(r"上年|同比|已")
# Where a target's measured thing starts: after a clause boundary, never further back than this.
_CLAUSE_END = re.compile(r"[，,。；;：:！!？?\n]")
_MAX_LEFT = 40
# What opens a clause but is not part of the measured thing: item markers, hedges, the
# deadline (its own span), frequency words.
_LEAD_IN = re.compile(
    rf"(?:[ \t\u3000]+|{MARKER}|努力|力争|确保|争取|计划|预计|其中|并|要|每年|全年|实现(?!{NUM})|将|在(?![线建])|"
    # the deadline, PDF blanks included (`到 2025 年`)
    r"(?:(?:到|至|在)[ \u3000]?)?(?:20\d{2}[ \u3000]?年(?:第?[一二三四]季度|[上下]半年)?(?:年底|底|末)?(?:前)?"
    r"|“十[四五六]五”(?:末|时期|期间)?|"
    r"年内|今年(?:内|底前)?|(?:第?[一二三四]季度|[上下]半年)(?:末|底)?前)[，,]?)"
)


def indicators(text: str) -> list[Span]:
    """INDICATOR spans of ``text``: targets after a target verb, then those whose value comes first."""
    spans: list[Span] = []
    floor = 0  # never reach back into the previous target (`面积稳定在…以上、产量稳定在…`)
    for m in _INDICATOR.finditer(text):
        # A number followed by 级 or inside quotes names something (`百亿级`, `“五个决不能”`);
        # after 第 it is an ordinal; a lone 一 is a slogan (`一张图`, `一人一码`).
        value = re.search(rf"第?({NUM})(?:{UNIT})?(级)?", m.group())
        if (
            _quoted(text, m.end() - 1)
            or text.startswith("级", m.end())
            or (value and (value.group().startswith("第") or value.group(2) or value.group(1) == "一"))
        ):
            continue
        s = _clause_start(text, max(floor, m.start() - _MAX_LEFT), m.start())
        if s == m.start() and _HEDGE_VERB.match(text, s):
            s += 2  # `实现` before the measured thing is a hedge; before the number it counts (I3)
        e = m.end()
        # Past figures are not targets: comparisons with last year, things already done
        # (work reports use the same verbs as plans).
        if _PAST.search(text, s, e):
            continue
        if e - s >= 4:
            spans.append(Span(s, e, "INDICATOR"))
            floor = e
    return _with_front_values(text, spans)


def _clause_start(text: str, left: int, pos: int) -> int:
    """Where the measured thing ending at ``pos`` starts: the clause start, past lead-in words."""
    cut = [b.end() for b in _CLAUSE_END.finditer(text, left, pos)]
    s = cut[-1] if cut else left
    while s < pos:
        if text[s] in "、和":
            s += 1
            continue
        lead = _LEAD_IN.match(text, s, pos)
        if not lead or not lead.group():
            break
        s = lead.end()
    return s


def _with_front_values(text: str, spans: list[Span]) -> list[Span]:
    """Add clauses whose value precedes the predicate (:data:`_FRONT_VALUE`) and hold no other target."""
    found = list(spans)
    start = 0
    for boundary in [*_CLAUSE_END.finditer(text), None]:
        clause_start, end = start, (boundary.start() if boundary else len(text))
        start = boundary.end() if boundary else len(text)
        while end > clause_start and text[end - 1].isspace():
            end -= 1
        m = _FRONT_VALUE.search(text, clause_start, end)
        if not m or _PAST.search(text, clause_start, end) or any(s.start < end and clause_start < s.end for s in spans):
            continue
        s = _clause_start(text, clause_start, m.start())
        if 4 <= end - s <= _MAX_LEFT and not _quoted(text, m.start()):
            found.append(Span(s, end, "INDICATOR"))
    return sorted(found)


def _quoted(text: str, pos: int) -> bool:
    """True when ``pos`` lies inside “…” on its line (quoted names and slogans are not targets)."""
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos]
    return before.count("“") > before.count("”")
