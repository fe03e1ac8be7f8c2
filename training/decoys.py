"""Decoy hints: rule hints where the rules would be wrong, so the model learns to overrule them.

A hinted model trained on the seed plans sees hints that are almost always right there (the
rules were written by reading them) and learns to copy them; on unfamiliar layouts the rules
over-mark (section headings of a review of past work, signing dates, past achievements) and the
model follows. Decoys add what a looser rule set would propose: every item heading a TASK,
every date a DEADLINE, every number with a unit an INDICATOR. The gold labels stay as they are,
so where a decoy lands on a category heading, a principle, a long sentence, a signing date or a
past figure, the model must read the text to say no. Decoys never replace a rule span, and they
are a training device only: inference always sees the rules' own hints.
"""

from __future__ import annotations

import re

from planex import rules
from planex.document import Span
from planex.markers import BLANK, MARKER

_ITEM_HEAD = re.compile(rf"^{BLANK}*{MARKER}{BLANK}*([^。：:；;！!？?\n|]{{2,60}})", re.M)
_DATE = re.compile(
    r"(?:到|至)?(?:19|20)\d{2} ?年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:年底|底前|底|末|前|以前)?|"
    r"\d{1,2}月\d{1,2}日(?:前)?|\d{1,2}月(?:底|前)"
)
# A number with a unit, with up to 20 characters of its clause before it (the measured thing).
_FIGURE = re.compile(
    r"[^\s，,。；;：:、（）()\d]{0,20}?\d+(?:\.\d+)? ?(?:%|％|个百分点|万元|亿元|万人|人次|万亩|万吨|平方公里|公里|"
    r"万|亿|个|家|项|所|条|座|台|套|户|人|张|件|次|处|亩|吨|天)(?:以上|以下|以内|左右)?"
)


def decoy_spans(text: str, ruled: list[Span] | None = None) -> list[Span]:
    """The rules' spans (``ruled``, if already computed) plus the looser proposals that overlap none
    of them (and none of each other)."""
    spans = list(rules.extract(text) if ruled is None else ruled)
    taken = [False] * len(text)
    for s in spans:
        taken[s.start : s.end] = [True] * (s.end - s.start)

    def add(start: int, end: int, label: str) -> None:
        if end > start and not any(taken[start:end]):
            spans.append(Span(start, end, label))
            taken[start:end] = [True] * (end - start)

    for m in _ITEM_HEAD.finditer(text):
        head = m.group(1).rstrip()
        add(m.start(1), m.start(1) + len(head), "TASK")
    for m in _DATE.finditer(text):
        add(m.start(), m.end(), "DEADLINE")
    for m in _FIGURE.finditer(text):
        add(m.start(), m.end(), "INDICATOR")
    return sorted(spans)
