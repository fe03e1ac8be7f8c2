"""A rule-based extractor: regular expressions and word lists, no learning.

It serves twice: as the pre-annotator that proposes spans for human review, and as
the simplest baseline in the benchmark. It works on normalised text and returns
spans that never overlap. The task, deadline and lead-unit rules are here; the rules for
quantitative targets (INDICATOR) are in ``planex.indicator_rules``.
"""

from __future__ import annotations

import re

from planex.deadline_rules import CELL_DEADLINE, deadlines
from planex.document import Span
from planex.headings import is_category
from planex.indicator_rules import NUM, UNIT, indicators
from planex.markers import LINE_MARKER, MARKER, match_rank
from planex.tables import fits_tables, table_rows, within_cell

_HEAD_END = re.compile(r"[。：:；;！!？?\n|]")
# A heading (or a table's task cell taken whole) is a short phrase; longer ones are prose.
MAX_HEADING = 40
# Items under these headings are principles, not work (guideline T6).
_PRINCIPLES = {"基本原则", "工作原则", "主要原则"}
# One level of brackets may nest inside: `（责任单位：市直各单位、各县（市、区）人民政府）`. Some plans
# bracket the assignment otherwise: `【市教育局牵头，市人社局配合】`, `〔责任单位:市委组织部〕`, `[X牵头]`.
_LEAD_GROUP = re.compile(
    r"[（(]((?:[^（()）\n]|[（(][^（()）\n]{1,20}[）)]){2,200})[）)]"
    r"|[【〔\[]((?:[^【】〔〕\[\]\n]|[（(][^（()）\n]{1,20}[）)]){2,200})[】〕\]]"
)
_FIELD_NAMES = (
    r"(牵头单位|牵头部门|牵头责任单位|主办单位|主办部门|牵头(?=[：:])|主要责任单位|主体责任单位|主责单位|主责部门|责任单位|责任部门|负责部门|负责单位|责任主体"
    # a department's own plans name its offices: `责任科室：`, `牵头处室：`
    r"|(?:牵头|责任)(?:科室|处室|股室)"
    # rectification lists: `问题整改责任单位：市科技馆 整改时限：3天`
    r"|(?:问题)?整改责任单位)"
)
# Field names are often spaced out to align a form (`牵 头 单 位：`): a blank may stand between characters.
_FIELD_NAMES = re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", "[ \u3000]?", _FIELD_NAMES)
# A field is `名称：…` or, in some provinces' plans, `【名称】…`; a `【` starts the next field.
_LEAD_FIELD = re.compile(
    rf"{_FIELD_NAMES}(?:[ \u3000]?[：:]|】|均?为)([^；;，,【。：:]*(?:[、，,][^；;：:【。]*?)*?)"
    rf"(?=[；;【。]|$|[，,]\S{{2,6}}(?:[：:]|(?<=单位|部门)为)|\s+\S{{2,6}}[：:])"
)
# A field outside brackets, opening a line or following a sentence: `责任单位:市发改委、市经信局`,
# `…。牵头单位：市大数据局；配合单位：…`. The fields run to the end of the line.
# A target's own field: `该项目标责任单位为市经委`, `2项目标的责任单位均为市商务局`.
_TARGETS_OWN = r"(?:(?:该|本|\d+|[一二三四五六七八九十]+)项?目标的?)?"
_LEAD_FIELDS_AT = re.compile(
    rf"(?:^|(?<=[。；;]))[ \t\u3000]*【?{_TARGETS_OWN}{_FIELD_NAMES}(?:[ \u3000]?[：:]|】|均?为)", re.M
)
# The convention many plans declare once: the first unit of each list leads.
_FIRST_LEADS = re.compile(r"列第一位(?:者|的)?为牵头|(?:排在第一位|排名第一)的(?:部门|单位)?为牵头")
# 联, 协, 中央 and 社 end people's organisations and agencies (`全国妇联`, `中国科协`, `共青团中央`, `供销合作总社`);
# 处, 科, 股, 所 and 站 end a department's own offices (`宣传处`, `文化宣传股`, `派出所`).
# 队 ends brigades and teams (`消防救援支队`, `镇综合执法队`).
_ORG_SUFFIX = r"(?:局|委|厅|办|部|院|会|室|署|政府|中心|公司|集团|银行|法院|检察院|队|联|协|中央|社|处|科|股|所|站)"
# A list may also hold a collective reference (`各有关部门和单位`, `市直各部门`); 部门 alone is not enough
# (`由人力资源社会保障行政部门负责` describes, it does not list).
# Places named collectively lead too: `各乡镇`, `各县（市、区）`, `各村（社区）`, and a customs office (`杭州海关`).
# So do a zone standing for its committee (`荆州开发区`) and the related departments (`市政府相关部门`).
_ORG_END = re.compile(
    rf"(?:{_ORG_SUFFIX}|海关|机关|各\S*(?:部门|单位)|(?:相关|有关)(?:部门|单位)|开发区|高新区|新区|园区|^各(?:县|区|乡|镇|街道|村|社区|市|州|地)\S{{0,8}})(?:等)?$"
)
# `A、B等和各省级人民政府负责`: 等和 closes one list and adds another lead (guideline L1).
# A separator inside brackets is part of a name: `各县（市、区）人民政府` is one unit. So is the `、` between bare
# level words sharing one head, `各县、市、区人民政府` (guideline YV1): split there it names `市` and `区人民政府`.
_LEVELS = "[县区市乡镇]"
_NOT_LEVEL_JOINT = rf"(?<![各、]{_LEVELS})、|、(?!{_LEVELS}(?:、{_LEVELS})*(?:人民)?政府)"
_SPLIT = re.compile(rf"(?:{_NOT_LEVEL_JOINT}|[，,]|等和)(?![^（(]*[）)])")
# What ends a unit list that assigns the item: `…负责`, `…等按职责分工负责`, `…等有关部门和单位负责`.
_DUTY = r"(?:等(?:有关|相关)?(?:部门)?(?:和单位)?)?(?:按职责)?(?:分工)?(?:(?:具体)?负责(?:落实|实施)?|(?<=分工)落实)"
_ORG_NAME = rf"[^\s，,。；;、（）()：:“”【】〔〕\[\]由]{{1,20}}?{_ORG_SUFFIX}"
# A clause that only assigns the item, outside brackets: `市医保局牵头，…配合`, `由市生态环境局负责。`.
# Every name must look like an organisation: in prose `X牵头` is often a description, not a lead.
_LEAD_CLAUSE = re.compile(
    rf"(?:^|(?<=[。；;，,]))[ \t\u3000]*由?({_ORG_NAME}(?:、{_ORG_NAME})*)"
    rf"(?:牵头(?:负责)?|承办|{_DUTY})(?=[，,。；;]|$)",
    re.M,
)
# A sentence that opens an item or follows one and gives a unit its work: `（一）市食安办负责，…配合`,
# `市发改委负责提出全市节能规划；市经贸委负责全市工业节能；`, `由镇工办负责考核。` The unit leads that work
# (55 such gold lead units in the labels that no other rule found, 20 spans not gold: mostly an emergency
# plan's duty list). `负责人` is a person, and `向…负责并报告工作` answers to a body, it does not lead.
_DUTY_SENTENCE = re.compile(
    rf"(?:^|(?<=[。；;]))[ \t\u3000]*(?:{MARKER})?[ \t\u3000]*由?({_ORG_NAME}(?:、{_ORG_NAME})*)"
    r"等?(?:分别)?(?:牵头)?负责(?=[^\s人并，,。；;])",
    re.M,
)
# A bracketed clause that assigns the item: `（市发展改革委负责）`, `（…，市财政局按职责分工负责）`.
_DUTY_CLAUSE = re.compile(rf"(?:^|[，,；;。])由?([^，,；;。]+?){_DUTY}(?=$|[，,；;。])")
_MARKED_LEAD = re.compile(r"(?:^|(?<=[、，,]))([^、，,（()）]+?)[（(]牵头[）)]")
# A bracket that is not a name's: longer than a name's part or never closed.
_NOTE = re.compile(r"[（(](?![^（()）\n]{1,6}[）)])")
# What may follow a bracket that closes an item: its full stop, then the line's end, or, where a web page
# ran the items into one line, the next item's marker (`增长11%（市发改委，各县市区政府）。 2、…`).
_ITEM_CLOSE = re.compile(
    r"[。；;]?[ \t\u3000]*(?:\n|$)"
    r"|[。；;][ \t\u3000]*(?=(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.．]"
    r"|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[）)])"
)
_HEDGE_TAIL = re.compile(rf"(?:{_DUTY}|分别牵头|牵头(?:负责)?|等(?:[\d一二三四五六七八九十]+个(?:部门|单位))?)$")
# `由X会同Y负责`: X leads, Y works with it (as `Y配合`).
_WITH = re.compile(r"会同.*$")


def _tasks(text: str) -> list[Span]:
    spans = []
    principles_level = None  # inside a 基本原则 section: items deeper than its heading are principles
    for m in LINE_MARKER.finditer(text):
        level, _ = match_rank(m)
        start, head, end = _heading(text, m.end())
        if text.startswith(("：", ":"), end) and re.fullmatch(rf"{_ORG_NAME}|\w{{2,10}}部门", head):
            # `1.市教育局：推进学前教育普惠发展`, `2.工商行政管理部门:负责对…整治工作;`: the item is the unit's share
            # of the work (L11, YD2); the heading after the colon, less its 负责, names the work.
            spans.append(Span(start, end, "LEAD_UNIT"))
            start, head, end = _heading(text, end + 1)
            if head.startswith("负责"):
                start, head = start + 2, head[2:]
        if principles_level is not None and level <= principles_level:
            principles_level = None
        if is_category(head):
            if head in _PRINCIPLES:
                principles_level = level
            continue
        if principles_level is not None or not head:
            continue
        if re.search(rf"{NUM}{UNIT}", head):
            first = _work_before_targets(head)
            if first:
                spans.append(Span(start, start + len(first), "TASK"))
            continue
        # A heading is a short phrase: a comma may join two parallel phrases (guideline T2),
        # brackets and longer clause lists are prose.
        # Dot leaders (`…………30`) make a line of the table of contents, not an item.
        if re.search(r"[（(]|[…·.]{3}", head) or len(head) > (24 if re.search(r"[，,]", head) else MAX_HEADING):
            continue
        spans.append(Span(start, start + len(head), "TASK"))
    return spans


def _heading(text: str, pos: int) -> tuple[int, str, int]:
    """Start, text and end of the heading phrase from ``pos`` to the first stop (`。`, `：`, a line end)."""
    end_m = _HEAD_END.search(text, pos)
    end = end_m.start() if end_m else len(text)
    raw = text[pos:end]
    head = raw.strip().strip("*").strip()  # `**加强组织领导**`: Markdown residue is outside (T1)
    return (pos + raw.index(head) if head else pos), head, end


def _work_before_targets(head: str) -> str | None:
    """The work phrase of an item that names work and then only targets (guideline T12, Q3):
    `推进政务云资源统一调度，省级部门上云率达到95%` → `推进政务云资源统一调度`."""
    m = re.match(r"([^，,]{4,24})[，,](.+)", head)
    if not m or re.search(rf"{NUM}{UNIT}|[（(]", m.group(1)):
        return None
    rest = m.group(2)
    found = indicators(rest)
    covered = sum(sp.end - sp.start for sp in found)
    # The rest is targets when little but their joints is left (`，`, `、`, `并`, a deadline word).
    return m.group(1) if found and len(rest) - covered <= 2 + 2 * len(found) else None


def _leads(text: str) -> list[Span]:
    first_leads = bool(_FIRST_LEADS.search(text))
    pieces: list[tuple[int, str]] = []
    for g in _LEAD_GROUP.finditer(text):
        closes_item = bool(_ITEM_CLOSE.match(text, g.end()))
        inner = 1 if g.group(1) is not None else 2
        pieces += _lead_lists(g.group(inner), g.start(inner), first_leads, closes_item)
    line_done = lead_line_done = -1
    for field in _LEAD_FIELDS_AT.finditer(text):
        if field.start() < line_done or _in_brackets(text, field.start()):
            continue  # a later field of a line already read, or one inside a bracket (read above)
        line_end = text.find("\n", field.start())
        line_done = len(text) if line_end < 0 else line_end
        if "牵头" in re.sub(r"[ \u3000]", "", field.group(1)):
            lead_line_done = line_done
        elif lead_line_done >= 0 and not text[lead_line_done : field.start()].strip():
            continue  # `牵头单位：X` then `责任单位：Y` on the next line: Y is no lead (L2)
        # A bracket after the fields is a note (or a declaration, read above), not part of the list; a short
        # one is part of a name or marks a lead (`各市（州）人民政府`, `省发展改革委（牵头）`).
        line = text[field.start() : line_done]
        note = _NOTE.search(line)
        pieces += _lead_lists(line[: note.start()] if note else line, field.start(), first_leads)
    for clause in (*_LEAD_CLAUSE.finditer(text), *_DUTY_SENTENCE.finditer(text)):
        if not _in_brackets(text, clause.start()):
            pieces.append((clause.start(1), clause.group(1)))
    spans = []
    for offset, lst in pieces:
        pos = 0
        for part in _SPLIT.split(lst):
            s = offset + lst.index(part, pos)
            pos = s - offset + len(part)
            name = _WITH.sub("", _HEDGE_TAIL.sub("", part)).strip()
            if 2 <= len(name) <= 30:
                s += len(part) - len(part.lstrip())
                spans.append(Span(s, s + len(name), "LEAD_UNIT"))
    return spans


def _lead_lists(body: str, base: int, first_leads: bool, closes_item: bool = False) -> list[tuple[int, str]]:
    """The lead lists in one bracket or field line, as (offset, list text).

    ``closes_item``: the bracket ends its line, where many plans put the units of an item with no
    field name (`…加强监测。（市生态环境局、市水利局）`); a bare list of units there is the lead list."""
    declared = _FIRST_LEADS.search(body)
    if declared:  # `（A、B等负责，列第一位者为牵头单位，下同）` declares the convention and names A
        first = _SPLIT.split(re.split(rf"{_DUTY}|[，,。；;]", body[: declared.start()])[0])[0]
        return [(base, first)] if _ORG_END.search(first.strip()) else []
    fields = list(_LEAD_FIELD.finditer(body))
    names = [re.sub(r"[ \u3000]", "", f.group(1)) for f in fields]
    has_lead = any("牵头" in n for n in names)
    chosen = [f for f, n in zip(fields, names, strict=True) if "牵头" in n or not has_lead]
    pieces = [(base + f.start(2), f.group(2)) for f in chosen]
    # `责任单位：省发展改革委（牵头）、省财政厅`: the marked unit leads and the others do not (L2).
    marked = [(off + m.start(1), m.group(1)) for off, lst in pieces for m in _MARKED_LEAD.finditer(lst)]
    if marked:
        return marked
    if not fields:
        m = re.match(r"(.+?)(?:牵头|承办|主办)", body)
        if m and not re.search(r"[：:]", m.group(1)):  # a field the pattern missed is no unit (`责任单位：X（`)
            # `（分管副省长负责，省发改委牵头）`: a duty clause before the lead clause is no part of it
            duties = list(re.finditer(r"负责[，,；;]", m.group(1)))
            at = duties[-1].end() if duties else 0
            return [(base + at, m.group(1)[at:].removeprefix("由"))]
        listed = re.split(_DUTY, body)[0]  # `（市税务局负责，持续推进）`: what follows the duty is no unit
        # `（市教育局，2024年底）`: a deadline after the units is no part of the list
        dated = re.search(r"[，,；;]\s*[^，,；;]*\d{4}年[^，,；;]*$", listed)
        if dated and closes_item and deadlines(listed[dated.start() + 1 :]):
            listed = listed[: dated.start()]
        parts = _SPLIT.split(listed)
        duty = _DUTY_CLAUSE.search(body)
        if (first_leads or closes_item) and _all_orgs(parts):
            pieces = [(base, listed)]  # a bare unit list closing an item, or under the first-leads convention
        elif duty and _all_orgs(_SPLIT.split(duty.group(1))):
            return [(base + duty.start(1), duty.group(1))]
        else:
            return []
    if first_leads and not has_lead and "分别牵头" not in body:
        # Only the first unit of the list leads.
        pieces = [(offset, _SPLIT.split(lst)[0]) for offset, lst in pieces[:1]]
    return pieces


def _all_orgs(names: list[str]) -> bool:
    # a field or clause the patterns missed (`主办单位：X；协办单位：Y`) is no unit
    return all(_ORG_END.search(name.strip()) and not re.search(r"[：:；;]", name) for name in names)


def _in_brackets(text: str, pos: int) -> bool:
    before = text[text.rfind("\n", 0, pos) + 1 : pos]
    return sum(map(before.count, "（(【〔[")) > sum(map(before.count, "）)】〕]"))


# Units in a lead cell are split by the list separators and, in a table, by spaces too, never inside
# brackets (`各县（市、区）人民政府`); a role note after a unit (`（配合）`) is not part of it.
_CELL_SPLIT = re.compile(rf"(?:(?:{_NOT_LEVEL_JOINT}|[，,；;\s])+|等和)(?![^（(]*[）)])")
_LEVEL_JOINT = rf"(?<=[各、]{_LEVELS})、(?={_LEVELS}(?:、{_LEVELS})*(?:人民)?政府)"
_CELL_UNIT = re.compile(rf"(?:[^、，,；;\s（(]|[（(][^）)]*[）)]|{_LEVEL_JOINT})+")
_ROLE_NOTE = re.compile(r"[（(](?:牵头|配合|参与|协办|负责)[）)]$")


def table_cells(text: str) -> list[Span]:
    """Spans read off the cells of task tables, by their header (planex.tables)."""
    spans = []
    for row in table_rows(text):
        if row.task:
            s, e = row.task
            head = text[s:e].rstrip("。；;★☆")  # `★` marks a project's list (ZD1), outside the task
            if re.search(rf"{NUM}{UNIT}", head):
                head = _work_before_targets(head) or ""  # a target cell names no task, work then targets does (T12)
            if head and len(head) <= MAX_HEADING and "。" not in head and not is_category(head):
                spans.append(Span(s, s + len(head), "TASK"))
        for s, e in row.leads:
            cell = text[s:e]
            # `市发改委（牵头）、市财政局`: the marked unit leads (L2); else every unit of the cell does.
            names = [(m.start(1), m.group(1)) for m in _MARKED_LEAD.finditer(cell)]
            blanked = _CELL_SPLIT.sub(lambda m: " " * len(m.group()), cell)  # same length: offsets hold
            names = names or [(m.start(), m.group()) for m in _CELL_UNIT.finditer(blanked)]
            for at, unit in names:
                name = _HEDGE_TAIL.sub("", _ROLE_NOTE.sub("", unit)).strip()
                if 2 <= len(name) <= 30:
                    spans.append(Span(s + at, s + at + len(name), "LEAD_UNIT"))
        if row.deadline:
            s, e = row.deadline
            found = [Span(s + d.start, s + d.end, d.label) for d in deadlines(text[s:e])]
            month = CELL_DEADLINE.match(text, s, e)
            if not found and text[s:e] == "全年":  # this year, as 年内 (P1)
                found = [Span(s, e, "DEADLINE")]
            spans += found or ([Span(s, month.end(), "DEADLINE")] if month else [])
    return spans


def extract(text: str) -> list[Span]:
    """Return non-overlapping spans; earlier rule families win conflicts (table cells, TASK, LEAD_UNIT,
    DEADLINE, INDICATOR)."""
    chosen: list[Span] = []
    taken = bytearray(len(text))
    for family in (table_cells, _tasks, _leads, deadlines, indicators):
        for span in (Span(*within_cell(text, s.start, s.end), s.label) for s in family(text)):
            if span.start < span.end and not any(taken[span.start : span.end]):
                chosen.append(span)
                taken[span.start : span.end] = b"\x01" * (span.end - span.start)
    return sorted(fits_tables(text, chosen))
