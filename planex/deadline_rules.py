"""Deadline rules: the time expressions that bound a task, milestone or target (LABELING.md, DEADLINE).

Part of the rule extractor (:mod:`planex.rules`), kept apart as :mod:`planex.indicator_rules` is.
"""

from __future__ import annotations

import re

from planex.document import Span

_TIME_FIELD = re.compile(r"(?:时限|时间|期限)(?:[ \u3000]?[：:]|】)\s*$")
# PDF text puts a blank between digits and characters (`2024 年 12 月底前`): one may stand at each joint.
_B = "[ \u3000]?"
_DATE = rf"(?:(?:19|20)\d{{2}}{_B}年{_B})?\d{{1,2}}{_B}月(?:{_B}\d{{1,2}}{_B}日)?"
# Years from one to another: in a time field a period (`完成时限：2024—2025年`), elsewhere a plan's span.
_YEARS = r"20\d{2}年?(?:至|到|—{1,2}|―{1,2}|－|-|～|~)20\d{2}年(?:底前|底|末)?"
# A period's ends may name part of a month: `2009年7月初至9月底`, `9月上旬至12月上旬`.
_END = rf"{_DATE}(?:{_B}(?:[上中下]旬|初|底|末))?"
_DEADLINE = re.compile(
    # A period from one date to another is one span: `2019年1月1日至12月31日`, `9月1日至9月30日`; so is one
    # from today, `即日起至6月30日` (YR1).
    rf"(?:即日起{_B}(?:至|到){_B})?{_END}(?:至|到|—{{1,2}}|―{{1,2}}|－|-){_END}|即日起{_B}(?:至|到){_B}{_END}|{_YEARS}|"
    # `截止` bounding a date stays inside it (YX5), as `至` and `到` do.
    rf"(?:(?:到|至|于|截止){_B})?(?:20\d{{2}}(?!\d)|“十[四五六]五”)(?:{_B}年)?(?:{_B}(?:\d{{1,2}}{_B}月份?|第?[一二三四]季度|[上下]半年))?"
    rf"(?:{_B}\d{{1,2}}{_B}日)?"
    r"(?:年底前|年底|底前|年末|末|前|底|起|开始|以前)?|"
    r"(?:今年)?(?:年内|年底前|\d{1,2}月(?:底前|底|前)|\d{1,2}月\d{1,2}日(?:前|以前)"
    # a quarter or a half-year without its year bounds only with 前: `第三季度末前`, `上半年前`
    r"|(?:第?[一二三四]季度|[上下]半年)(?:末|底)?前)|"
    # a schedule's steps: `一季度：制定…`, `第二季度(共16分):`, a line opening `8—9月，重点…`, `今年5—12月`
    r"(?:第?[一二三四]季度)(?=[：:]|[（(][^（()）\n]{1,8}[）)][：:])|"
    rf"(?m:^)\d{{1,2}}(?:{_B}(?:—{{1,2}}|-|－|至){_B}\d{{1,2}})?{_B}月(?=[，,：:])|"
    rf"今年\d{{1,2}}{_B}(?:—{{1,2}}|-|－|至){_B}\d{{1,2}}{_B}月"
)
# A deadline cell that the deadline pattern misses: `9月投入使用` in a 完成时限 column → `9月` (LABELING.md).
CELL_DEADLINE = re.compile(r"(?:20\d{2}年)?\d{1,2}月(?:\d{1,2}日)?(?:[上中下]旬|底|末|份)?前?")


def deadlines(text: str) -> list[Span]:
    """DEADLINE spans of ``text``: time expressions that bound work, less dates that bound nothing."""
    spans = []
    for m in _DEADLINE.finditer(text):
        s, e = m.span()
        piece = m.group()
        compact = re.sub(r"[ \u3000]", "", piece)  # the forms below are tested without PDF blanks
        before, after = text[max(0, s - 3) : s], text[e : e + 3]
        if piece.startswith("于"):  # `于` is outside the span, and `于2023年` alone is not a bound
            if not piece.endswith(("前", "底")):
                continue
            piece, compact = piece[1:].lstrip(" \u3000"), compact[1:]
            s = e - len(piece)
        if re.fullmatch(r"20\d{2}", compact) or piece.endswith("”"):
            continue
        # A year closing a bracket is a title's period (`（2023-2025年）`), unless a field names it a deadline;
        # a bracketed month is a stage's period (`阶段(9月1日至9月30日)`).
        # A bound (`2023年底前）`) closing a bracket is a deadline all the same.
        in_field = bool(_TIME_FIELD.search(text, max(0, s - 8), s))
        if re.fullmatch(_YEARS, compact) and not in_field:
            continue
        closes = after.startswith((")", "）")) and "月" not in piece and not piece.endswith(("前", "底", "末"))
        closes = closes and not in_field
        if "截至" in before or closes or after.startswith(("以来", "—", "-", "年）")) or "〔" in before:
            continue
        if (
            re.fullmatch(r"20\d{2}年", compact)
            and not in_field
            and (  # `完成时间：2025年` is a deadline (P1)
                before.endswith(("做好", "关于"))  # a year that scopes the work, not a bound
                or not (
                    re.match(r"[，,]?(?:初步|全面|基本|实现|建成|完成)", after)
                    or before.endswith(("确保", "力争", "争取", "预计", "计划"))
                )
            )
        ):
            continue
        if re.fullmatch(r"20\d{2}年\d{1,2}月\d{1,2}日", compact) and not re.search(
            r"截止|于$", text[max(0, s - 8) : s]
        ):
            # A bare full date is a signing, publication, meeting or census date (62 of 65 in the training
            # labels); one is a deadline only after 截止 or 于 (`要于2019年4月15日`).
            continue
        if piece.endswith("年内") and re.search(r"[一二三四五六七八九十两\d]$|每$", text[max(0, s - 1) : s]):
            continue  # `五年内`, `三年内`: a duration, not a bound
        if piece.endswith("起") and re.match(r"[，,]?(?:已|每)", after):
            continue  # `从2020年1月1日起，已将…` reports work done; `…起，每季度通报` starts a routine
        if re.search(r"每(?:年|季度|月)$", text[max(0, s - 3) : s]):
            continue  # `每年1月底前`: a recurring date (LABELING.md: frequencies are not deadlines)
        spans.append(Span(s, e, "DEADLINE"))
    return spans
