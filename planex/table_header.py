"""A task table's header, and which of its columns each cell of a row stands in.

:mod:`planex.tables` finds the tables; this module reads their headers (`序号 | 工作任务 | 牵头单位 |
完成时限`) into column kinds and places a row's cells under them. Exports often drop empty cells
(a row split by gaps, or one cell per line, leaves no trace of an empty 配合单位 cell), so a row may
have fewer cells than its header has names: :func:`place_cells` then places them by what they hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from math import comb

PIPES = re.compile(r"[|│]")
# A gap between table cells as text exports write them: a tab, or two or more spaces. One space is
# not enough: PDF text puts single spaces inside prose (`到 2025 年`), and a wrap there must still join.
CELL_GAP = re.compile(r"(?<=\S)(?:\t|[ \u3000\xa0]{2,})[ \t\u3000\xa0]*(?=\S)")
# Cells of a table row are short; a paragraph indented after a heading (`通知:   为进一步…`) has
# gaps too, but long pieces between them.
_MAX_MEDIAN_CELL = 20
BLANKS = " \t\u3000\xa0"
# Header cells, whitespace removed. A lead column names a unit that leads or is responsible
# (`牵头单位`, `责任处室`); `配合单位`, `责任领导`, `责任人` are not lead columns.
# A name may carry a bracketed gloss: `责任单位（部门）`, `完成时限（年月）`.
_GLOSS = r"(?:[（(][^（()）]{1,8}[）)])?"
_TASK_HEADER = re.compile(
    r"(?:(?:20\d{2}年)?(?:年度)?(?:重点|主要|具体|改革|目标)?(?:工作)?(?:任务|事项|工作|项目)(?:名称|内容)?|工作内容"
    rf"|工作措施|(?:具体|主要|重点)措施|(?:工作|主要|重点|具体)?举措){_GLOSS}"
)
_LEAD_HEADER = re.compile(
    r"(?:(?:牵头(?:责任)?|主体责任|主责|责任|负责|主办|承办)(?:单位|部门|处室|科室|股室)|牵头(?:单位)?|责任主体)"
    + _GLOSS
)
_DEADLINE_HEADER = re.compile(
    rf"(?:(?:完成|办结|计划完成)?(?:时限|时间|期限)(?:要求|节点|安排)?|时间节点|时序进度|(?:时间)?进度(?:安排)?){_GLOSS}"
)
NUMBER_HEADERS = ("序号", "编号")
# Placements of a row's cells under its columns tried at most (C(12, 6) = 924: a 12-column table is searched).
MAX_PLACEMENTS = 1000

# What a cell holds, for placing the cells of a row that lost its empty ones.
_NUMBER = re.compile(r"\d{1,3}|[一二三四五六七八九十]{1,3}")
_DATE = re.compile(r"\d{1,2}月|20\d{2}|年底|年内|全年|长期|持续|季度|半年|底前")
_UNITS = re.compile(
    r"(?:[^、，,；;\s]*(?:局|委|厅|办|部|院|会|室|署|政府|中心|公司|集团|银行|队|联|协|社|处|科|股|所|站|单位|部门|街道|乡镇)"
    r"(?:（[^）]*）)?等?[、，,；;\s]*)+"
)

Cell = tuple[int, int]


@dataclass(frozen=True)
class Row:
    """Cells of one table row under a typed header, as (start, end) offsets into the text (stripped).

    ``others`` are the row's other non-empty cells: 序号, 配合单位, 责任领导, 备注, 细化措施 …"""

    task: Cell | None
    leads: tuple[Cell, ...]
    deadline: Cell | None
    others: tuple[Cell, ...] = ()


@dataclass(frozen=True)
class Header:
    """The kind of each column: ``number``, ``task``, ``lead``, ``deadline`` or ``other``."""

    kinds: tuple[str, ...]

    def row(self, cells: list[Cell | None]) -> Row:
        """The typed row of ``cells``, one per column (None for an empty one)."""
        kind = [(k, c) for k, c in zip(self.kinds, cells, strict=True) if c is not None]
        return Row(
            next((c for k, c in kind if k == "task"), None),
            tuple(c for k, c in kind if k == "lead"),
            next((c for k, c in kind if k == "deadline"), None),
            tuple(c for k, c in kind if k in ("number", "other")),
        )


def is_table_row(line: str) -> bool:
    """True for a line of three or more short cells split by tabs or runs of spaces.

    ``序号\t工作任务\t牵头单位\t完成时限`` or ``1   新建农村公路50公里   县交通运输局   2023年11月底``:
    each row of a task table exported as plain text stands on its own line (the normaliser keeps
    it so), and a span never runs from one of its cells into the next (the rules cut it).
    """
    cells = CELL_GAP.split(line.strip(BLANKS))
    return len(cells) >= 3 and sorted(len(c) for c in cells)[len(cells) // 2] <= _MAX_MEDIAN_CELL


def read_header(names: list[str]) -> Header | None:
    """The header these cell texts make, when they name a task table's lead column and its task or deadline."""
    names = [re.sub(rf"[{BLANKS}]", "", n) for n in names]
    tasks = [i for i, n in enumerate(names) if _TASK_HEADER.fullmatch(n)]
    leads = [i for i, n in enumerate(names) if _LEAD_HEADER.fullmatch(n)]
    deadlines = [i for i, n in enumerate(names) if _DEADLINE_HEADER.fullmatch(n)]
    if not leads or not (tasks or deadlines):
        return None
    # Where a lead column is named, 责任单位 columns beside it are not leads (LABELING.md, LEAD_UNIT).
    leads = [i for i in leads if "牵头" in names[i]] or leads
    kinds = ["number" if n in NUMBER_HEADERS else "other" for n in names]
    for i in leads:
        kinds[i] = "lead"
    if tasks:
        kinds[tasks[0]] = "task"
    if deadlines:
        kinds[deadlines[0]] = "deadline"
    return Header(tuple(kinds))


def _fit(kind: str, cell: str) -> int | None:
    """How well ``cell`` fits a column of ``kind``: None where it cannot stand there, 1 for a typed match."""
    number, units, date = bool(_NUMBER.fullmatch(cell)), bool(_UNITS.fullmatch(cell)), bool(_DATE.search(cell))
    if kind == "number":
        return 0 if number else None
    if number:
        return None  # a row number stands in the number column only
    if kind == "lead":
        return 1 if units else None
    if kind == "deadline":
        return 1 if date and len(cell) <= 20 and not units else None
    if kind == "task":
        return 1 if not units and not (date and len(cell) <= 12) else None
    return 0


def place_cells(header: Header, texts: list[str]) -> list[int] | None:
    """The column of each of a row's cells, in order, when they are fewer than the columns.

    Each cell goes under a column it can stand in (a unit list under a lead column, a date under the
    deadline column, its number under 序号), keeping their order; of the placements, the one with most
    typed matches wins. None when no placement fits or two fit equally well: a guess would put a
    配合单位 list under 牵头单位."""
    if comb(len(header.kinds), len(texts)) > MAX_PLACEMENTS:
        return None  # a very wide table: no search over its placements (a posted text must not stall the server)
    fit = [[_fit(kind, t) for kind in header.kinds] for t in texts]
    best: list[tuple[int, tuple[int, ...]]] = []
    for columns in combinations(range(len(header.kinds)), len(texts)):
        fits = [fit[i][c] for i, c in enumerate(columns)]
        if any(f is None for f in fits):
            continue
        best.append((sum(f for f in fits if f is not None), columns))
    best.sort(reverse=True)
    if not best or (len(best) > 1 and best[0][0] == best[1][0]):
        return None
    return list(best[0][1])
