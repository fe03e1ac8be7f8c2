"""Spans no reader would take whole: a lead unit that does not end as an organisation's name does, a target
without a value.

The network, reading a layout it never saw, sometimes returns a piece of a name or a bare number:
`市司` of `市司法局`, `区发` of `区发改局`, `招聘教` of `招聘教师800名`, `200` of `评查案卷不少于200卷`. Each is
a wrong row in the task table. Every one of the 1,381 gold LEAD_UNIT and INDICATOR spans of the 462
training documents passes these tests (`tests/test_spanform.py` checks them when the labels are there), so the
spans that fail can be dropped at decoding (``Extractor.drop_malformed``). TASK and DEADLINE spans are left
alone: two-character tasks are real (`自查`, `抽查`), and a date piece is caught by the deadline's own form.
"""

from __future__ import annotations

import re

# How organisations' names end: offices and bodies, governments and places named as units (`各区`, `各县
# （市、区）`), collective references (`有关单位`, `市直各部门`).
_UNIT_END = re.compile(
    r"(?:局|委|厅|办|部|院|会|室|署|政府|中心|公司|集团|银行|队|联|协|中央|社|处|科|股|所|站|关|组|团|馆|台|行|校"
    r"|区|县|市|镇|乡|街道|村|社区|地|州|单位|部门|[）)])$"
)
_VALUE = re.compile(r"\d|[一二三四五六七八九十百千万两半倍]")
MIN_INDICATOR = 4


def well_formed(text: str, start: int, end: int, label: str) -> bool:
    """Whether ``text[start:end]`` can stand whole as a span of ``label``."""
    piece = text[start:end]
    if label == "LEAD_UNIT":
        return bool(_UNIT_END.search(piece))
    if label == "INDICATOR":
        return len(piece) >= MIN_INDICATOR and bool(_VALUE.search(piece))
    return True
