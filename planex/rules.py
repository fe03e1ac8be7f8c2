"""A rule-based extractor: regular expressions and word lists, no learning.

It serves twice: as the pre-annotator that proposes spans for human review, and as
the simplest baseline in the benchmark. It works on normalised text and returns
spans that never overlap.
"""

from __future__ import annotations

import re

from planex.labelfile import Span

MARKER = (
    r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、](?!\d)|"
    r"[（(]\d{1,2}[）)]|[①-⑳]|——)"
)
_ITEM = re.compile(rf"^[ \t\u3000\xa0]*{MARKER}[ \t\u3000]*", re.M)
_HEAD_END = re.compile(r"[。：:；;！!？?\n]")
NOT_TASKS = {
    "总体要求",
    "指导思想",
    "基本原则",
    "工作目标",
    "总体目标",
    "主要目标",
    "发展目标",
    "保障措施",
    "主要任务",
    "重点任务",
    "工作任务",
    "组织保障",
    "组织实施",
    "工作要求",
    "实施步骤",
    "工作原则",
    "重点工作",
    "任务分工",
    "工作措施",
    "具体目标",
    "适用范围",
    "编制依据",
    "工作机制",
    "职责分工",
}
_NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+)"
_UNIT = r"(?:%|‰|个百分点|万元|亿元|元|万人|人次|万|亿|个|家|项|所|条|座|台|套|户|人|件|篇|次|处|公里|千米|米|平方米|亩|吨|小时|天|日|分钟|秒|GB|TB|Mbps|G)"  # noqa: E501
_CMP = r"(?:以上|以下|以内|左右|及以上|或以上)"
_INDICATOR = re.compile(
    rf"(?:全[市省县区国]|各[县市区])?[^\s，,。；;：:、（）()“”]{{0,20}}?"
    rf"(?:达到|超过|不少于|不低于|不超过|提高到|提升到|提升至|提高至|缩短至|降低至|控制在|保持在|稳定在|"
    rf"增长|新建|建设|建成|打造|培育|创建|完成|实现|新增|累计|高于|低于)"
    rf"[^\s，,。；;：:（）()]{{0,12}}?{_NUM}{_UNIT}{_CMP}?(?:[^\s，,。；;：:、（）()\d]{{0,8}}?(?=[，,。；;、）)\n]))?"
)
_DEADLINE = re.compile(
    r"(?:到|至|于)?(?:20\d{2}|“十[四五六]五”)(?: ?年)?(?:\d{1,2}月)?(?:\d{1,2}日)?"
    r"(?:年底前|年底|底前|年末|末|前|底|起|以前)?|"
    r"年内|年底前|(?:\d{1,2}月)(?:底前|底|前)"
)
_LEAD_GROUP = re.compile(r"[（(]([^（()）\n]{2,200})[）)]")
_LEAD_FIELD = re.compile(
    r"(牵头单位|牵头部门|牵头责任单位|责任单位|责任部门)[：:]([^；;，,]*(?:[、，,][^；;：:]*?)*?)(?=[；;]|$|[，,]\S{2,6}[：:])"
)
_SPLIT = re.compile(r"[、，,]")
_HEDGE_TAIL = re.compile(r"(按职责分工负责|按职责负责|分工负责|负责|等)$")


def _tasks(text: str) -> list[Span]:
    spans = []
    for m in _ITEM.finditer(text):
        end_m = _HEAD_END.search(text, m.end())
        end = end_m.start() if end_m else len(text)
        head = text[m.end() : end].strip()
        start = m.end() + (len(text[m.end() : end]) - len(text[m.end() : end].lstrip()))
        if not head or len(head) > 40 or head in NOT_TASKS or re.search(rf"{_NUM}{_UNIT}", head):
            continue
        if re.search(r"[，,（(]", head):  # a heading is a phrase, not a clause list
            continue
        spans.append(Span(start, start + len(head), "TASK"))
    return spans


def _deadlines(text: str) -> list[Span]:
    spans = []
    for m in _DEADLINE.finditer(text):
        s, e = m.span()
        piece = m.group()
        before, after = text[max(0, s - 3) : s], text[e : e + 3]
        if re.fullmatch(r"20\d{2}", piece) or (piece.startswith("于") and not piece.endswith(("前", "底"))):
            continue
        if "截至" in before or after.startswith(("以来", "—", "-", "年）", ")", "）")) or "〔" in before:
            continue
        if re.fullmatch(r"20\d{2}年", piece) and not re.match(r"[，,]?(?:初步|全面|基本|实现|建成|完成)", after):
            continue
        spans.append(Span(s, e, "DEADLINE"))
    return spans


def _leads(text: str) -> list[Span]:
    spans = []
    for g in _LEAD_GROUP.finditer(text):
        body, base = g.group(1), g.start(1)
        fields = list(_LEAD_FIELD.finditer(body))
        has_lead = any("牵头" in f.group(1) for f in fields)
        chosen = [f for f in fields if "牵头" in f.group(1) or not has_lead]
        pieces: list[tuple[int, str]] = [(base + f.start(2), f.group(2)) for f in chosen]
        if not fields:
            m = re.match(r"(.+?)牵头", body)
            if m:
                pieces = [(base, m.group(1).removeprefix("由"))]
        for offset, lst in pieces:
            pos = 0
            for part in _SPLIT.split(lst):
                s = offset + lst.index(part, pos)
                pos = s - offset + len(part)
                name = _HEDGE_TAIL.sub("", part).strip()
                if 2 <= len(name) <= 30:
                    s += len(part) - len(part.lstrip())
                    spans.append(Span(s, s + len(name), "LEAD_UNIT"))
    return spans


def _indicators(text: str) -> list[Span]:
    spans = []
    for m in _INDICATOR.finditer(text):
        s, e = m.span()
        piece = m.group()
        stripped = re.sub(r"^(努力|力争|确保|计划|争取|，|,)+", "", piece)
        s += len(piece) - len(stripped)
        if e - s >= 4:
            spans.append(Span(s, e, "INDICATOR"))
    return spans


def extract(text: str) -> list[Span]:
    """Return non-overlapping spans; earlier rule families win conflicts (TASK, LEAD_UNIT, DEADLINE, INDICATOR)."""
    chosen: list[Span] = []
    taken = bytearray(len(text))
    for family in (_tasks, _leads, _deadlines, _indicators):
        for span in family(text):
            if span.start < span.end and not any(taken[span.start : span.end]):
                chosen.append(span)
                taken[span.start : span.end] = b"\x01" * (span.end - span.start)
    return sorted(chosen)
