"""The task table as a file a spreadsheet opens correctly: CSV (UTF-8 with BOM) or XLSX.

One row per task (section, task, deadlines, lead units, indicators), then one row per
unattached span, in the column of its label, with section ``(unattached)``. Labels added to
the scheme later get a column each, named by the label (``SUPPORT_UNIT``), after these, so none is lost.

A cell shows each span's ``normalised`` text (simplified, annotations and misdecoded runs
repaired, wraps joined: what a reader wants), several spans joined by ``; ``. The raw offsets
stay available: after the text columns, a ``COLUMN_offsets`` column per text column gives each
span's ``start-end`` in the posted text, in the same order (``12-18; 40-45``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from planex.scheme import TABLE_COLUMNS
from serving.schemas import DocumentResult, SpanOut

COLUMNS = ["section", *TABLE_COLUMNS.values()]
OFFSETS = "_offsets"  # suffix of the column holding a text column's raw offsets
UNATTACHED = "(unattached)"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Control characters that XLSX (XML 1.0) cannot hold; tabs and newlines are fine.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(spans: Sequence[SpanOut]) -> str:
    parts = []
    for s in spans:
        date = getattr(s.value, "date", None)
        parts.append(f"{s.normalised} [{date}]" if date else s.normalised)
    return "; ".join(parts)


def _offsets(spans: Sequence[SpanOut]) -> str:
    return "; ".join(f"{s.start}-{s.end}" for s in spans)


def _csv_safe(value: str) -> str:
    """Keep a spreadsheet from reading a CSV cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _extra_labels(results: Sequence[DocumentResult]) -> list[str]:
    """Labels without a column of their own, in the order they first appear."""
    seen: dict[str, None] = {}
    for doc in results:
        for task in doc.tasks:
            seen.update(dict.fromkeys(task.other))
        seen.update(dict.fromkeys(s.label for s in doc.unattached if s.label not in TABLE_COLUMNS))
    return list(seen)


def header(extra: Sequence[str] = ()) -> list[str]:
    """The columns of a table whose labels without a column of their own are ``extra``."""
    spans = [*TABLE_COLUMNS.values(), *extra]
    return [*COLUMNS, *extra, *(c + OFFSETS for c in spans)]


def rows(results: Sequence[DocumentResult], with_document: bool = False) -> list[list[str]]:
    """Return the header and one row per task and per unattached span."""
    extra = _extra_labels(results)
    columns = header(extra)  # label names are upper case, so they never clash with these
    out = [(["document"] if with_document else []) + columns]
    for n, doc in enumerate(results, 1):
        lead = [str(n)] if with_document else []
        for task in doc.tasks:
            # The attached columns are named as TaskOut's fields (serving/results.py fills them so).
            groups = {"task": [task.title], **{c: getattr(task, c) for c in COLUMNS[2:]}}
            groups.update((label, task.other.get(label, [])) for label in extra)
            out.append(lead + _row(columns, "".join(task.section), groups))
        for span in doc.unattached:
            out.append(lead + _row(columns, UNATTACHED, {TABLE_COLUMNS.get(span.label, span.label): [span]}))
    return out


def _row(columns: list[str], section: str, groups: dict[str, list[SpanOut]]) -> list[str]:
    row = dict.fromkeys(columns, "")
    row["section"] = section
    for column, spans in groups.items():
        row[column], row[column + OFFSETS] = _cell(spans), _offsets(spans)
    return [row[c] for c in columns]


def to_csv(table: list[list[str]]) -> bytes:
    """CSV with a BOM, so Excel reads it as UTF-8 rather than the local code page."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([[_csv_safe(c) for c in row] for row in table])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "tasks"
    for r, row in enumerate(table, 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c, _ILLEGAL.sub("", value))
            cell.data_type = "s"  # text, even when it starts with "=": a cell is never a formula
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = {"document": 10, "section": 14, "task": 40, "deadlines": 24, "lead_units": 30, "indicators": 40}
    for i, name in enumerate(table[0], 1):
        width = 14 if name.endswith(OFFSETS) else widths.get(name, 20)
        ws.column_dimensions[get_column_letter(i)].width = width
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
