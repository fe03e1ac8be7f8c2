"""Spans no reader would take whole: a lead unit that does not end as an organisation's name does, a target
without a value.

The network, reading a layout it never saw, sometimes returns a piece of a name or a bare number:
`市司` of `市司法局`, `区发` of `区发改局`, `招聘教` of `招聘教师800名`, `200` of `评查案卷不少于200卷`. Each is
a wrong row in the task table. Every gold span of the 840 training documents passes these tests
(`tests/test_spanform.py` checks them when the labels are there; the batches gathered on 2026-12-07 evening
added task forces `…专班`, farms `各乡镇场`, schools `厅属普通高中`, a site's nested brackets `各市<州>`, `6条路` and
`≥2%`; those of 2026-12-08 kinds of enterprise `施工企业`, `直属机构`, development zones `临平新城`, a utility
`国网四川电力`, a coordination mechanism named in a lead column `市政务数据共享协调机制`, `相关镇街`, and bounds
such as `≥80` in a target table's value cells), so the spans that fail can be dropped at decoding
(``Extractor.drop_malformed``). TASK spans are only held to their brackets (no gold task leaves one open) and to
not ending on a list's `★`: two-character tasks are real (`自查`, `抽查`). DEADLINE spans are left alone: a date
piece is caught by the deadline's own form.
"""

from __future__ import annotations

import re

# How organisations' names end: offices and bodies, governments and places named as units (`各区`, `各县
# （市、区）`), collective references (`有关单位`, `市直各部门`).
_UNIT_END = re.compile(
    r"(?:局|委|厅|办|部|院|会|室|署|政府|中心|公司|集团|银行|队|联|协|中央|社|处|科|股|所|站|关|组|团|馆|台|行|校"
    r"|区|县|市|镇|乡|街道|村|社区|地|州|单位|部门|专班|[农林牧渔茶]场|乡镇场|高中|中学|小学|幼儿园|[）)〕】>〉]"
    r"|企业|机构|新城|电力|机制|镇街)$"
)
_VALUE = re.compile(r"\d|[一二三四五六七八九十百千万两半倍]")
MIN_INDICATOR = 4
# Shorter targets that stand whole: a count with its unit and noun (`6条路`), a bound in a value cell (`≥2%`,
# `≥80` under a column that names its unit), never a bare number or a number and its unit alone (`200`, `20个`,
# pieces of longer targets).
_SHORT_TARGET = re.compile(r"\d+[^\d\s]{2}|[≥≤><＞＜]\d+(?:\.\d+)?[%％]?")
_MARKS = ("★", "☆")


def well_formed(text: str, start: int, end: int, label: str) -> bool:
    """Whether ``text[start:end]`` can stand whole as a span of ``label``."""
    piece = text[start:end]
    if label == "LEAD_UNIT":
        return bool(_UNIT_END.search(piece))
    if label == "INDICATOR":
        return bool(_VALUE.search(piece)) and (len(piece) >= MIN_INDICATOR or bool(_SHORT_TARGET.fullmatch(piece)))
    if label == "TASK":  # a task cut inside a bracket (`大气污染防治(`, `防震减灾(1分`), or a list's mark (`…工程★`)
        # Brackets of either width count together: no gold TASK leaves one open or closes one it did not open.
        opened, closed = (sum(map(piece.count, pair)) for pair in ("(（", ")）"))
        return opened == closed and not piece.endswith(_MARKS)
    return True
