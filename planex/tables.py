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
from functools import lru_cache
from typing import Protocol, TypeVar

from planex.table_header import (
    BLANKS,
    CELL_GAP,
    NUMBER_HEADERS,
    PIPES,
    Cell,
    Header,
    Row,
    is_table_row,
    place_cells,
    read_header,
)

__all__ = ["Row", "fits_tables", "is_table_row", "table_rows", "within_cell"]


class _Spanlike(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...


S = TypeVar("S", bound=_Spanlike)


# Under a header, a row whose other cells are empty may be its number and one cell.
_NUMBERED_ROW = re.compile(rf"[{BLANKS}]*\d{{1,3}}(?:\t|[ \u3000\xa0]{{2,}})\S")


def _cells(text: str, start: int, end: int, in_table: bool = False) -> list[tuple[int, int]] | None:
    """The stripped cells of the line ``text[start:end]``, or None when it is no table row.

    Pipe rows keep empty cells (so columns stay aligned); rows split by tabs or runs of spaces
    have no empty cells to keep, and need at least three cells, or, under a table's header, two
    when the first is the row's number (`1   深入实施就业优先战略`: the row's other cells are empty).
    """
    line = text[start:end]
    if PIPES.search(line):
        bounds = [-1, *(m.start() for m in PIPES.finditer(line)), len(line)]
        pieces = [(bounds[i] + 1, bounds[i + 1]) for i in range(len(bounds) - 1)]
        if line.strip(BLANKS).startswith(("|", "│")):
            pieces = pieces[1:]  # `| a | b |`: nothing stands before the first pipe
        if line.strip(BLANKS).endswith(("|", "│")):
            pieces = pieces[:-1]
    else:
        if not is_table_row(line) and not (in_table and _NUMBERED_ROW.match(line)):
            return None  # most lines are prose, and this is their only pass
        bounds = [0]
        for m in CELL_GAP.finditer(line):
            bounds += [m.start(), m.end()]
        bounds.append(len(line))
        pieces = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    cells = []
    for s, e in pieces:
        cell = line[s:e]
        lead = len(cell) - len(cell.lstrip(BLANKS))
        cells.append((start + s + lead, start + s + len(cell.rstrip(BLANKS))))
    return cells if len(cells) >= 2 else None


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
    header: Header | None = None
    for start, end in _lines(text):
        cells = _cells(text, start, end, in_table=header is not None)
        if cells is None:
            if text[start:end].strip(BLANKS + "|│-—"):
                header = None  # prose ends the table (a line of bars alone, as exports leave between rows, does not)
            continue
        if all(re.fullmatch(r"[-:=—\s]*", text[s:e]) for s, e in cells):
            continue  # the rule under a Markdown header: `|---|---|`
        typed = read_header([text[s:e] for s, e in cells])
        if typed is not None:
            header = typed
            headers.append((start, end))
            continue
        if header is None:
            continue
        row = _under(text, header, cells, piped=bool(PIPES.search(text[start:end])))
        if row is not None:
            rows.append(row)
    cell_rows, cell_headers = _cell_per_line(text)
    return (*rows, *cell_rows), (*headers, *cell_headers)


# A table exported one cell per line (PDF and some HTML copies): a `序号` line, the header's short names
# one per line, then rows that each open with their number. Empty cells leave no line there (u00003).
_MAX_HEADER_NAME = 10
_MAX_LAST_CELL = 60
_HEADER_NAME = re.compile(rf"[^\s，。；：,.;:、]{{1,{_MAX_HEADER_NAME}}}")


def _cell_per_line(text: str) -> tuple[list[Row], list[Cell]]:
    # Some exports close each cell's line with its pipe (`序号 |`, `推进…建设 |`), or put the pipes on
    # lines of their own between the cells (w00009), and space out header names to align them
    # (`工 作 任 务`): none of it belongs to a cell.
    edge = BLANKS + "|│"
    bars = [(s, e) for s, e in _lines(text) if not (PIPES.search(text[s:e]) and not text[s:e].strip(edge))]
    lines = [(s + len(text[s:e]) - len(text[s:e].lstrip(edge)), e) for s, e in bars]
    lines = [(s, max(s, s + len(text[s:e].rstrip(edge)))) for s, e in lines]
    words = [text[s:e] for s, e in lines]
    names = [re.sub(f"[{BLANKS}]", "", w) for w in words]
    rows: list[Row] = []
    headers: list[Cell] = []
    i = 0
    while i < len(lines):
        if names[i] not in NUMBER_HEADERS or "1" not in words[i + 2 : i + 14]:
            i += 1
            continue
        first = words.index("1", i + 2)
        cells = lines[i:first]
        short = all(_HEADER_NAME.fullmatch(w) for w in names[i + 1 : first])
        typed = read_header(names[i:first]) if short else None
        if typed is None:
            i += 1
            continue
        headers.append((lines[i][0], lines[first - 1][1]))
        width, number, k = len(cells), 1, first
        while k < len(lines) and words[k] == str(number):
            nxt = next((m for m in range(k + 1, k + width + 1) if m < len(words) and words[m] == str(number + 1)), None)
            end = nxt if nxt is not None else _last_row_end(words, k, width)
            row = _under(text, typed, lines[k:end], piped=False)
            if row is not None:
                rows.append(row)
            if nxt is None:
                break
            k, number = nxt, number + 1
        i = k + 1
    return rows, headers


def _under(text: str, header: Header, cells: list[Cell], piped: bool) -> Row | None:
    """The typed row of ``cells`` under ``header``, or None when they cannot be placed.

    Pipe rows keep their empty cells, so only trailing ones may be missing (`… | 长期推进 |` under a
    header that ends with 备注). Rows split by gaps, or one cell per line, lose their empty cells: fewer
    cells than columns are placed by what they hold (planex.table_header.place_cells)."""
    width = len(header.kinds)
    if len(cells) > width or (any(a >= b for a, b in cells) and not piped):
        return None
    if len(cells) == width or piped:
        filled: list[Cell | None] = [c if c[0] < c[1] else None for c in cells]
        return header.row(filled + [None] * (width - len(cells)))
    columns = place_cells(header, [text[a:b] for a, b in cells])
    if columns is None:
        return None
    placed: list[Cell | None] = [None] * width
    for column, cell in zip(columns, cells, strict=True):
        placed[column] = cell
    return header.row(placed)


def _last_row_end(words: list[str], k: int, width: int) -> int:
    """Where the last row of a cell-per-line table that opens at line ``k`` ends: after ``width`` lines,
    or before an empty line or a paragraph (the prose after the table)."""
    end = k + 1
    while end < min(len(words), k + width) and 0 < len(words[end]) <= _MAX_LAST_CELL:
        end += 1
    return end


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
    s += len(cell) - len(cell.lstrip(BLANKS + "|│"))
    e -= len(cell) - len(cell.rstrip(BLANKS + "|│"))
    return start + s, start + max(s, e)
