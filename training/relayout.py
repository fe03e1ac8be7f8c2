"""Relayout: the gold task records of a document, presented again in other layouts.

A task record is a TASK span with the DEADLINE, LEAD_UNIT and INDICATOR spans linked to it
(``Document.links``). The labelled data holds only a few documents of most table and note
layouts (pipe tables, one cell per line, ``〔责任单位：…〕``, ``（X牵头，Y配合）`` …), while about
90 documents carry linked records written in the common layouts. Writing those records out as
a pipe table, a space table or label lines gives labelled examples of every layout with exact
spans, so the model has to read the structure instead of the rule hints.

Each synthetic document is written as raw text, then normalised like any input (so a long
cell-per-line cell joins the next line exactly as in a real export) and its spans are mapped
through the normaliser. A document whose spans or links would not pass ``planex labels check``
is left out. The layouts are in :mod:`training.relayout_tables` and :mod:`training.relayout_items`; ``--relayout N``
(``TrainConfig.relayout``) adds N passes over the training documents' records.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from planex.document import Document
from training.relayout_items import inline_lead, inline_notes, label_lines
from training.relayout_records import Punct, Record, Writer, task_records
from training.relayout_tables import cell_per_line, flattened_table, pipe_table, space_table

# 321 of the 802 gold records have no linked span (parent headings, K4); a third of them keep the
# empty rows that real tables have without drowning the rows that show where units and dates stand.
KEEP_BARE = 1 / 3
# Few enough records that a 128-token window sees whole rows, enough to show the layout's header.
MIN_RECORDS, MAX_RECORDS = 5, 15

# T10: a heading of about 30 characters or more is prose, not a TASK, so longer tasks go into table cells only.
MAX_HEADING = 30
TITLES = ("重点任务分解表", "重点工作任务清单", "任务分工方案", "工作任务台账", "重点工作责任分工")
INTROS = ("为抓好各项任务落实，现将重点任务分解如下：", "根据工作安排，明确任务分工如下。", "具体任务分工如下：")


def opening(w: Writer, rng: random.Random) -> None:
    """A title line (its year is no DEADLINE, D6) and a short intro line, each drawn."""
    if rng.random() < 0.8:
        year = f"{rng.randint(2019, 2025)}年" if rng.random() < 0.5 else ""
        w.put(year + rng.choice(TITLES) + "\n")
    if rng.random() < 0.6:
        w.put(rng.choice(INTROS) + "\n")


Layout = Callable[[Writer, list[Record], list[str], random.Random, Punct], None]
LAYOUTS: dict[str, Layout] = {
    "pipe_table": pipe_table,
    "cell_per_line": cell_per_line,
    "space_table": space_table,
    "flattened_table": flattened_table,
    "inline_notes": inline_notes,
    "inline_lead": inline_lead,
    "label_lines": label_lines,
}
ITEM_LAYOUTS = ("inline_notes", "inline_lead", "label_lines")


def fits(name: str, records: list[Record]) -> bool:
    """Whether every task of ``records`` can be written in layout ``name`` (item headings stay short, T10)."""
    return name not in ITEM_LAYOUTS or all(len(r.task) < MAX_HEADING for r in records)


def render(
    name: str, records: list[Record], units: list[str], rng: random.Random, doc_id: str, source: str
) -> Document | None:
    """``records`` written in layout ``name`` after an opening; None if it would not pass the label checks."""
    w = Writer()
    p = Punct(rng.random() < 0.7)
    opening(w, rng)
    LAYOUTS[name](w, records, units, rng, p)
    return w.document(doc_id, source, {"relayout": name})


def chunks(records: list[Record], rng: random.Random) -> list[list[Record]]:
    """Consecutive runs of ``MIN_RECORDS``–``MAX_RECORDS`` records (a shorter last run joins the one before)."""
    out: list[list[Record]] = []
    i = 0
    while i < len(records):
        n = rng.randint(MIN_RECORDS, MAX_RECORDS)
        if out and len(records) - i < MIN_RECORDS:
            out[-1].extend(records[i:])
            break
        out.append(records[i : i + n])
        i += n
    return out


def relayout_document(doc: Document, seed: int = 0, copy: int = 0, layouts: list[str] | None = None) -> list[Document]:
    """Synthetic documents that present ``doc``'s task records in layouts drawn at random (seeded).

    ``layouts`` limits the draw (names of :data:`LAYOUTS`).
    """
    records = task_records(doc)
    if not records:
        return []
    names = layouts or list(LAYOUTS)
    unknown = [n for n in names if n not in LAYOUTS]
    if unknown:
        raise ValueError(f"unknown layout(s) {', '.join(unknown)}; choose from {', '.join(LAYOUTS)}")
    rng = random.Random(f"relayout:{seed}:{copy}:{doc.id}")
    units = sorted({u for r in records for u in r.leads})
    records = [r for r in records if r.deadlines or r.leads or r.indicators or rng.random() < KEEP_BARE]
    out = []
    for n, chunk in enumerate(chunks(records, rng)):
        fitting = [name for name in names if fits(name, chunk)]
        if not fitting:
            continue
        name = rng.choice(fitting)
        made = render(name, chunk, units, rng, f"{doc.id}+relayout{copy}.{n}", doc.source)
        if made is not None:
            out.append(made)
    return out


def relayout(docs: list[Document], copies: int, seed: int = 0) -> list[Document]:
    """``copies`` passes of :func:`relayout_document` over ``docs`` (training documents only)."""
    return [made for copy in range(copies) for doc in docs for made in relayout_document(doc, seed, copy)]
