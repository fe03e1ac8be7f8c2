"""Table layouts of :mod:`training.relayout`, labelled as LABELING.md and labels/GUIDELINES.md say.

The task cell is the TASK (T16), each unit of the lead cell its own LEAD_UNIT (L1); a 责任单位 column
counts as the lead only when no 牵头 column stands beside it (L2, L4), 配合/参与/协办 columns never
count; a 完成时限 cell's date is a DEADLINE as written (P1) while ``长期坚持`` / ``持续推进`` are not
(D6, V2); persons in a 责任领导 column are never leads (C2); every cell of a row links to the row's
task (K10).
"""

from __future__ import annotations

import random

from training.relayout_records import (
    DEADLINE,
    DEADLINE_HEADERS,
    INDICATOR,
    LEAD,
    LEAD_HEADERS,
    LEADER_HEADERS,
    RESP_HEADERS,
    TARGET_HEADERS,
    TASK,
    TASK_HEADERS,
    Cell,
    Punct,
    Record,
    Writer,
    helpers,
    listed,
    person,
)

NOT_DEADLINES = ("长期坚持", "持续推进", "长期推进")  # D6: open-ended wording, no time


def table(
    records: list[Record], units: list[str], rng: random.Random, p: Punct, numbered: float = 0.85
) -> tuple[list[str], list[list[Cell]]]:
    """A task table's header and rows; which unit column is the lead decides what is labelled (L2, L4)."""
    lead_mode = rng.random() < 0.5
    unit_header = rng.choice(LEAD_HEADERS if lead_mode else RESP_HEADERS)
    helper_header = rng.choice(("责任单位", "配合单位", "参与单位") if lead_mode else ("配合单位", "协办单位"))
    with_helpers = rng.random() < 0.5
    columns = ["序号"] * (rng.random() < numbered) + [rng.choice(TASK_HEADERS)]
    if any(r.indicators for r in records):
        columns.append(rng.choice(TARGET_HEADERS))
    leader_header = rng.choice(LEADER_HEADERS) if rng.random() < 0.25 else ""  # u00003's 责任领导 column
    units_block = [leader_header] * bool(leader_header) + [unit_header] + [helper_header] * with_helpers
    dates = [rng.choice(DEADLINE_HEADERS)] * (any(r.deadlines for r in records) or rng.random() < 0.3)
    columns += units_block + dates if rng.random() < 0.7 else dates + units_block
    columns += ["备注"] * (rng.random() < 0.15)
    full_stop = rng.random() < 0.3  # u00003 closes its task cells with 。
    sep = "、" if rng.random() < 0.8 else p.comma
    done = rng.random() < 0.25  # ``2024年6月底前完成`` in the cell: 完成 stays outside the span (D1)
    rows = []
    for n, r in enumerate(records, 1):
        cells: dict[str, Cell] = {
            "序号": [(str(n), None)],
            "task": [(r.task, TASK)] + [("。", None)] * full_stop,
            "target": listed(r.indicators, INDICATOR, p.comma),
            "unit": listed(r.leads, LEAD, sep),
            "helper": listed(helpers(r, units, rng), None, sep),
            "date": listed(r.deadlines, DEADLINE, sep) + [("完成", None)] * (done and bool(r.deadlines))
            or ([(rng.choice(NOT_DEADLINES), None)] if rng.random() < 0.5 else []),
            "leader": [(person(rng), None)] if r.leads or r.deadlines else [],
            "备注": [],
        }
        kind = {
            leader_header: "leader",
            unit_header: "unit",
            helper_header: "helper",
            **dict.fromkeys(TASK_HEADERS, "task"),
        }
        kind |= dict.fromkeys(TARGET_HEADERS, "target") | dict.fromkeys(DEADLINE_HEADERS, "date")
        rows.append([cells[kind.get(c, c)] for c in columns])
    return columns, rows


def _header(names: list[str]) -> list[Cell]:
    return [[(name, None)] for name in names]


def _cells(w: Writer, cells: list[Cell], sep: str, keep_empty: bool) -> None:
    first = True
    for cell in cells:
        if not cell and not keep_empty:
            continue
        if not first:
            w.put(sep)
        first = False
        for text, label in cell:
            w.put(text, label)


def pipe_table(w: Writer, records: list[Record], units: list[str], rng: random.Random, p: Punct) -> None:
    """Cells between bars, as planex.documents writes tables (``1 | 建设平台 | 市大数据局 | 2023年年底前``)."""
    header, rows = table(records, units, rng, p)
    bar = "|" if rng.random() < 0.8 else "│"
    sep = rng.choice((f" {bar} ", bar))
    lead, trail = rng.choice((("", ""), (bar, bar), ("", " " + bar)))
    spacer = rng.random() < 0.2  # u00009 has a lone bar line between rows
    for i, cells in enumerate([_header(header), *rows]):
        w.put(lead)
        _cells(w, cells, sep, keep_empty=True)
        w.put(trail + "\n" + (bar + "\n" if spacer and i else ""))


def cell_per_line(w: Writer, records: list[Record], units: list[str], rng: random.Random, p: Punct) -> None:
    """Header cells, then each row's cells, one per line; empty cells leave no line (u00003)."""
    header, rows = table(records, units, rng, p)
    w.put("\n".join(header) + "\n")
    for cells in rows:
        _cells(w, cells, "\n", keep_empty=False)
        w.put("\n")


def space_table(w: Writer, records: list[Record], units: list[str], rng: random.Random, p: Punct) -> None:
    """One row per line, cells separated by spaces or a tab (p00075 before its rows were run together)."""
    header, rows = table(records, units, rng, p)
    sep = rng.choice((" ", "  ", "   ", "\t", "\u3000"))
    for cells in [_header(header), *rows]:
        _cells(w, cells, sep, keep_empty=False)
        w.put("\n")


def flattened_table(w: Writer, records: list[Record], units: list[str], rng: random.Random, p: Punct) -> None:
    """Rows with their separators lost: a number runs into its task, a unit into the next cell (m00005).

    Always numbered: without the 序号 cell two tasks of bare rows would run into one.
    """
    header, rows = table(records, units, rng, p, numbered=1.0)
    one_line = rng.random() < 0.5
    w.put("".join(header) + ("" if one_line else "\n"))
    for cells in rows:
        _cells(w, cells, "", keep_empty=False)
        w.put("" if one_line else "\n")
    w.put("\n" if one_line else "")
