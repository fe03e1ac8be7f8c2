"""The item markers of plan documents: the one table the rules, the task table, decoys and augmentation read.

Items are introduced by ``一、`` ``任务一：`` ``（一）`` ``(一)`` ``1.`` ``1．`` ``（1）`` ``①`` ``——`` at the start
of a line (LABELING.md, TASK). The kinds rank in that order, the order official documents use (GB/T 9704).

Two choices are made here once, where the copies this table replaced disagreed:

- A Chinese item number has one to three numerals (``一`` … ``九十九``); a run of four or more
  (``一二三四、``) numbers no item.
- The one-character forms Unicode has for `（一）`, `1.` and `（1）` (`㈠`, `⒈`, `⑴`) and the small full stop
  (`1﹒`) of some word processors are the same markers: plans use them (guideline YV5), and read as text they
  ended up inside spans.
- Blanks around a marker include the no-break space (``&nbsp;`` of HTML pages, kept by normalisation),
  so the heading after ``一、\\xa0`` starts at its first character, not at the blank.
"""

from __future__ import annotations

import re

CN_NUMBER = r"[一二三四五六七八九十]{1,3}"
ARABIC_NUMBER = r"\d{1,2}"
# Blanks that may indent a marker or separate it from its heading.
BLANK = r"[ \t\u3000\xa0]"

# (kind, pattern) per marker kind, outermost first.
KINDS: tuple[tuple[str, str], ...] = (
    ("cn", rf"{CN_NUMBER}[、．.﹒]"),
    # Task lists and work schedules number their entries by name: `任务一：`, `工程3：`, `专项行动二、`.
    ("named", rf"(?:任务|工程|行动|专项行动|项目)(?:{CN_NUMBER}|{ARABIC_NUMBER})[：:、]"),
    ("paren_cn", rf"[（(]{CN_NUMBER}[）)]|[㈠-㈩]"),
    ("num", rf"{ARABIC_NUMBER}[.．、﹒](?!\d)|[⒈-⒛]"),  # not the `2.5` of a figure
    ("paren_num", rf"[（(]{ARABIC_NUMBER}[）)]|[⑴-⒇]"),
    ("circled", r"[①-⑳]"),
    ("dash", r"——"),
)
DEEPEST = len(KINDS)  # the rank of anything that is not a marker

# Any one marker, without its blanks.
MARKER = "(?:" + "|".join(pattern for _, pattern in KINDS) + ")"
# A marker opening a line, with its blanks on both sides; the group named for its kind holds the marker.
LINE_MARKER = re.compile(
    rf"^{BLANK}*(?:" + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in KINDS) + rf"){BLANK}*",
    re.M,
)
_RANK = {kind: rank for rank, (kind, _) in enumerate(KINDS)}
_KIND_RES = [re.compile(pattern) for _, pattern in KINDS]


def match_rank(m: re.Match[str]) -> tuple[int, str]:
    """Rank and marker text of a :data:`LINE_MARKER` match."""
    kind = next(k for k, v in m.groupdict().items() if v is not None)
    return _RANK[kind], m.group(kind)


def marker_rank(marker: str) -> int:
    """Nesting rank of an item marker such as ``（一）`` (0 is outermost); anything else ranks :data:`DEEPEST`."""
    return next((rank for rank, kind in enumerate(_KIND_RES) if kind.fullmatch(marker)), DEEPEST)
