"""Task tables in plain text: find the header row and say which cell of each row holds what.

A 任务分工 plan is most often a table: 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限. As text it
arrives with ``|`` between cells (how :mod:`planex.documents` writes DOCX and HTML tables), or
with tabs or runs of spaces (copied from a word processor or a spreadsheet), one row per line.
Nothing in a row says which cell is the lead unit: the header does. This module reads the header
once and types the cells of the rows under it, so the rules (and through their hints the model)
can find a lead unit in a cell that no `牵头单位：` field announces.

It only parses layout. What a cell yields (a TASK, LEAD_UNIT names, a DEADLINE) is decided by
:mod:`planex.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar

PIPES = re.compile(r"[|│]")
# A gap between table cells as text exports write them: a tab, or two or more spaces. One space is
# not enough: PDF text puts single spaces inside prose (`到 2025 年`), and a wrap there must still join.
CELL_GAP = re.compile(r"(?<=\S)(?:\t|[ \u3000\xa0]{2,})[ \t\u3000\xa0]*(?=\S)")
# Cells of a table row are short; a paragraph indented after a heading (`通知:   为进一步…`) has
# gaps too, but long pieces between them.
_MAX_MEDIAN_CELL = 20
_BLANKS = " \t\u3000\xa0"
# Header cells, whitespace removed. A lead column names a unit that leads or is responsible
# (`牵头单位`, `责任处室`); `配合单位`, `责任领导`, `责任人` are not lead columns.
_TASK_HEADER = re.compile(
    r"(?:20\d{2}年)?(?:年度)?(?:重点|主要|具体|改革|目标)?(?:工作)?(?:任务|事项|工作|项目)(?:名称|内容)?|工作内容|工作措施"
)
_LEAD_HEADER = re.compile(
    r"(?:牵头(?:责任)?|主体责任|主责|责任|负责|主办|承办)(?:单位|部门|处室|科室|股室)|牵头(?:单位)?|责任主体"
)
_DEADLINE_HEADER = re.compile(r"(?:完成|办结|计划完成)?(?:时限|时间|期限)(?:要求|节点|安排)?|时间节点|时序进度")


def is_table_row(line: str) -> bool:
    """True for a line of three or more short cells split by tabs or runs of spaces.

    ``序号\t工作任务\t牵头单位\t完成时限`` or ``1   新建农村公路50公里   县交通运输局   2023年11月底``:
    each row of a task table exported as plain text stands on its own line (the normaliser keeps
    it so), and a span never runs from one of its cells into the next (the rules cut it).
    """
    cells = CELL_GAP.split(line.strip(_BLANKS))
    return len(cells) >= 3 and sorted(len(c) for c in cells)[len(cells) // 2] <= _MAX_MEDIAN_CELL


Cell = tuple[int, int]


@dataclass(frozen=True)
class Row:
    """Cells of one table row under a typed header, as (start, end) offsets into the text (stripped).

    ``others`` are the row's other non-empty cells: 序号, 配合单位, 责任领导, 备注, 细化措施 …"""

    task: Cell | None
    leads: tuple[Cell, ...]
    deadline: Cell | None
    others: tuple[Cell, ...] = ()


class _Spanlike(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...


S = TypeVar("S", bound=_Spanlike)


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The stripped cells of the line ``text[start:end]``, or None when it is no table row.

    Pipe rows keep empty cells (so columns stay aligned); rows split by tabs or runs of spaces
    have no empty cells to keep, and need at least three cells.
    """
    line = text[start:end]
    if PIPES.search(line):
        bounds = [-1, *(m.start() for m in PIPES.finditer(line)), len(line)]
        pieces = [(bounds[i] + 1, bounds[i + 1]) for i in range(len(bounds) - 1)]
        if line.strip(_BLANKS).startswith(("|", "│")):
            pieces = pieces[1:]  # `| a | b |`: nothing stands before the first pipe
        if line.strip(_BLANKS).endswith(("|", "│")):
            pieces = pieces[:-1]
    else:
        if not is_table_row(line):  # first: most lines are prose, and this is their only pass
            return None
        bounds = [0]
        for m in CELL_GAP.finditer(line):
            bounds += [m.start(), m.end()]
        bounds.append(len(line))
        pieces = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    cells = []
    for s, e in pieces:
        cell = line[s:e]
        lead = len(cell) - len(cell.lstrip(_BLANKS))
        cells.append((start + s + lead, start + s + len(cell.rstrip(_BLANKS))))
    return cells if len(cells) >= 2 else None


def _header(text: str, cells: list[tuple[int, int]]) -> tuple[int | None, list[int], int | None] | None:
    """(task column, lead columns, deadline column) when the row is a task-table header."""
    names = [re.sub(rf"[{_BLANKS}]", "", text[s:e]) for s, e in cells]
    tasks = [i for i, n in enumerate(names) if _TASK_HEADER.fullmatch(n)]
    leads = [i for i, n in enumerate(names) if _LEAD_HEADER.fullmatch(n)]
    deadlines = [i for i, n in enumerate(names) if _DEADLINE_HEADER.fullmatch(n)]
    if not leads or not (tasks or deadlines):
        return None
    # Where a lead column is named, 责任单位 columns beside it are not leads (LABELING.md, LEAD_UNIT).
    named_lead = [i for i in leads if "牵头" in names[i]]
    return (tasks[0] if tasks else None), (named_lead or leads), (deadlines[0] if deadlines else None)


def _lines(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line)
        start += len(line) + 1


def table_rows(text: str) -> tuple[Row, ...]:
    """Typed rows of every task table in ``text``: the rows under a header, while they keep its cell count."""
    return _scan(text)[0]


def fits_tables(text: str, spans: list[S]) -> list[S]:
    """``spans`` less what a task table rules out: any span in its header row, and a LEAD_UNIT in a cell
    of a column that is not a lead column (配合单位, 责任领导, 备注 …; LABELING.md names leads by their column).

    The network has no view of a column's header a dozen rows up, and in a table it proposes pieces of
    header names (`完成` of `完成时限`) and units of the 配合单位 column; the header says they are neither."""
    rows, headers = _scan(text)
    if not rows and not headers:
        return spans
    others = tuple(c for r in rows for c in r.others)

    def inside(span: S, cells: tuple[Cell, ...]) -> bool:
        return any(s < span.end and span.start < e for s, e in cells)

    return [x for x in spans if not inside(x, headers) and not (x.label == "LEAD_UNIT" and inside(x, others))]


# The rules read the rows and then filter their spans by them, and the network's spans are filtered
# again beside the rules' hints: one text is scanned by several callers in turn, so the last few
# scans are kept (the result is immutable).
@lru_cache(maxsize=8)
def _scan(text: str) -> tuple[tuple[Row, ...], tuple[Cell, ...]]:
    """Typed rows, and the header lines of the task tables they sit under."""
    rows: list[Row] = []
    headers: list[Cell] = []
    header: tuple[int | None, list[int], int | None] | None = None
    width = 0
    for start, end in _lines(text):
        cells = _cells(text, start, end)
        if cells is None:
            if text[start:end].strip(_BLANKS + "|│-—"):
                header = None  # prose ends the table (a line of bars alone, as exports leave between rows, does not)
            continue
        if all(re.fullmatch(r"[-:=—\s]*", text[s:e]) for s, e in cells):
            continue  # the rule under a Markdown header: `|---|---|`
        typed = _header(text, cells)
        if typed is not None:
            header, width = typed, len(cells)
            headers.append((start, end))
            continue
        # Pipe rows keep their empty cells, so only trailing ones may be missing (`… | 长期推进 |` under a
        # header that ends with 备注); a row split by gaps with another cell count has merged or wrapped cells.
        piped = bool(PIPES.search(text[start:end]))
        if header is None or len(cells) > width or (len(cells) < width and not piped):
            continue
        task, leads, deadline = header
        filled: list[tuple[int, int] | None] = [c if c[0] < c[1] else None for c in cells]
        filled += [None] * (width - len(cells))
        typed_columns = {task, deadline, *leads}
        rows.append(
            Row(
                None if task is None else filled[task],
                tuple(c for c in (filled[i] for i in leads) if c is not None),
                None if deadline is None else filled[deadline],
                tuple(c for i, c in enumerate(filled) if c is not None and i not in typed_columns),
            )
        )
    return tuple(rows), tuple(headers)


def within_cell(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` cut to its longest piece between table-cell separators: no span crosses a cell.

    Pipes always separate cells; tabs and runs of spaces only on a table row (elsewhere they are
    noise inside a name: `市统计局　　数据中心`). The cut may leave an empty span (start == end).
    """
    piece = text[start:end]
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    gaps = list(PIPES.finditer(piece))
    if is_table_row(text[line_start : len(text) if line_end < 0 else line_end]):
        gaps += CELL_GAP.finditer(piece)
    if not gaps:
        return start, end
    bounds = sorted([0, *(i for m in gaps for i in m.span()), len(piece)])
    s, e = max(zip(bounds[::2], bounds[1::2], strict=True), key=lambda b: b[1] - b[0])
    cell = piece[s:e]
    s += len(cell) - len(cell.lstrip(_BLANKS + "|│"))
    e -= len(cell) - len(cell.rstrip(_BLANKS + "|│"))
    return start + s, start + max(s, e)
