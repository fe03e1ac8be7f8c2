"""Numbered-item layouts of :mod:`training.relayout`, labelled as LABELING.md and labels/GUIDELINES.md say.

The heading phrase after the marker is the TASK (T1), the item's lead notes follow it on its line or
the next (K1); the units of a 责任单位 list beside a named 牵头单位 stay unlabelled (L2), as do ``Y配合``
helpers, while a 责任单位 list with no lead named is the lead (L4). Helper units are other lead units
of the same source document.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from training.relayout_records import (
    DEADLINE,
    DEADLINE_HEADERS,
    INDICATOR,
    LEAD,
    LEAD_HEADERS,
    LEADER_HEADERS,
    RESP_HEADERS,
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

CN = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (CN[tens - 1] if tens > 1 else "") + ("十" if tens else "") + (CN[ones - 1] if ones else "")


MARKERS: tuple[Callable[[int, Punct], str], ...] = (
    lambda n, p: f"{n}.",
    lambda n, p: f"{n}．",
    lambda n, p: f"{n}、",
    lambda n, p: f"{p.lb}{cn_number(n)}{p.rb}",
    lambda n, p: f"{p.lb}{n}{p.rb}",
    lambda n, p: f"{cn_number(n)}、",
)


def _item(w: Writer, n: int, r: Record, marker: Callable[[int, Punct], str], p: Punct, dates: bool) -> None:
    """``1.TASK。`` and a sentence with the deadlines (when ``dates``) and the targets (T12, D5)."""
    w.put(marker(n, p))
    w.put(r.task, TASK)
    w.put("。")
    if dates and r.deadlines:
        w.put_list(r.deadlines, DEADLINE)
        w.put(p.comma if r.indicators else "完成。")
    if r.indicators:
        w.put_list(r.indicators, INDICATOR, p.comma)
        w.put("。")


Note = Callable[[Record], tuple[Cell, bool]]


def _items(w: Writer, records: list[Record], rng: random.Random, p: Punct, note: Note, next_line: float) -> None:
    """Numbered items, each followed by its note (``note`` gives its parts and whether it holds the deadlines)."""
    marker = rng.choice(MARKERS)
    if marker(1, p) != "一、" and rng.random() < 0.4:
        w.put(f"一、{rng.choice(TASK_HEADERS)}\n")  # a category heading, no TASK (T4)
    own_line = rng.random() < next_line  # K1: a lead list on the next line belongs to the item too
    for n, r in enumerate(records, 1):
        parts, took_dates = note(r)
        _item(w, n, r, marker, p, dates=not took_dates)
        w.put("\n" if own_line and parts else "")
        for text, label in parts:
            w.put(text, label)
        w.put("\n")


def _fields(fields: list[Cell], sep: str) -> Cell:
    out: Cell = []
    for i, f in enumerate(fields):
        out += [(sep, None)] * (i > 0) + f
    return out


def inline_notes(w: Writer, records: list[Record], units: list[str], rng: random.Random, p: Punct) -> None:
    """Lead notes closing the item: ``（牵头单位：X；完成时限：Y）``, ``（责任单位：X，Y完成）``,
    ``〔责任单位：X〕`` or ``（牵头单位：X；责任单位：H）``."""
    variant = rng.choice(("lead_deadline", "resp_deadline", "lenticular", "lead_resp"))
    lead_word, resp_word, date_word = rng.choice(LEAD_HEADERS), rng.choice(RESP_HEADERS), rng.choice(DEADLINE_HEADERS)
    lb, rb = (p.lb, p.rb) if variant != "lenticular" and rng.random() < 0.8 else ("〔", "〕")

    def note(r: Record) -> tuple[Cell, bool]:
        leads = [(lead_word + p.colon, None), *listed(r.leads, LEAD, "、")]
        if variant == "lead_deadline":
            dates = [(date_word + p.colon, None), *listed(r.deadlines, DEADLINE, "、")]
            fields = [leads] * bool(r.leads) + [dates] * bool(r.deadlines)
            return ([(lb, None), *_fields(fields, p.semi), (rb, None)] if fields else []), bool(r.deadlines)
        if not r.leads:
            return [], False
        if variant == "lead_resp":  # L2: the 责任单位 beside a named lead are not labelled
            others = helpers(r, units, rng)
            resp = [(resp_word + p.colon, None), *listed(others, None, "、")]
            return [
                (lb, None),
                *_fields([leads] + [resp] * bool(others), rng.choice((p.semi, p.comma))),
                (rb, None),
            ], False
        resp = [(resp_word + p.colon, None), *listed(r.leads, LEAD, "、")]  # L4: no lead named, so these lead
        if variant == "resp_deadline" and r.deadlines:
            return [
                (lb, None),
                *resp,
                (p.comma, None),
                *listed(r.deadlines, DEADLINE, "、"),
                ("完成", None),
                (rb, None),
            ], True
        return [(lb, None), *resp, (rb, None)], False

    _items(w, records, rng, p, note, next_line=0.3)


def inline_lead(w: Writer, records: list[Record], units: list[str], rng: random.Random, p: Punct) -> None:
    """``（X牵头，Y、Z配合）``, ``（由X牵头，Y参与）``, ``（X、Y分工负责）``, ``（分管副市长负责，X牵头，Y配合）``
    closing the item, or ``由X牵头，Y配合。`` as a sentence (L2, L5, V3; a post that 负责 is no unit)."""
    form = rng.choice(("牵头", "由牵头", "负责", "分工负责", "分管", "prose"))
    helper_word = rng.choice(("配合", "参与", "协助"))
    post = rng.choice(("分管副市长", "分管副区长", "分管副县长"))

    def note(r: Record) -> tuple[Cell, bool]:
        if not r.leads:
            return [], False
        cell: Cell = [(p.lb, None)] * (form != "prose")
        cell += [(post + "负责" + p.comma, None)] * (form == "分管") + [("由", None)] * (form in ("由牵头", "prose"))
        cell += listed(r.leads, LEAD, "、")
        cell.append((form if "负责" in form else "牵头", None))
        others = helpers(r, units, rng) if "负责" not in form else []
        if others:
            cell += [(p.comma, None), *listed(others, None, "、"), (helper_word, None)]
        return [*cell, ("。" if form == "prose" else p.rb, None)], False

    _items(w, records, rng, p, note, next_line=0.2)


def label_lines(w: Writer, records: list[Record], units: list[str], rng: random.Random, p: Punct) -> None:
    """``牵头单位：X`` / ``责任单位：H`` / ``完成时限：D`` lines after each item, or run on, at times after a
    person's line (m00027 ``牵头负责领导：…``, m00004, p00056), or ``部门分工：X牵头，Y配合`` lines (m00025)."""
    mode = rng.choice(("lead", "resp", "division"))
    lead_word, resp_word, date_word = rng.choice(LEAD_HEADERS), rng.choice(RESP_HEADERS), rng.choice(DEADLINE_HEADERS)
    helper_word = rng.choice(("责任单位", "配合单位", "协办单位", "协同责任单位"))
    leader_word = rng.choice(LEADER_HEADERS) if mode == "division" or rng.random() < 0.35 else ""
    run_on, date_line = rng.random() < 0.3, rng.random() < 0.6

    def note(r: Record) -> tuple[Cell, bool]:
        lines: list[Cell] = [[(leader_word + p.colon + person(rng), None)]] if leader_word and r.leads else []
        others = helpers(r, units, rng) if mode != "resp" else []
        if r.leads and mode == "division":  # C2: the person is no lead, the units 牵头 are
            division = [("部门分工" + p.colon, None), *listed(r.leads, LEAD, "、"), ("牵头", None)]
            lines.append(division + ([(p.comma, None), *listed(others, None, "、"), ("配合", None)] if others else []))
        elif r.leads and mode == "lead":
            lines.append([(lead_word + p.colon, None), *listed(r.leads, LEAD, "、")])
            if others:
                lines.append([(helper_word + p.colon, None), *listed(others, None, "、")])
        elif r.leads:  # L4: only 责任单位, so they lead
            lines.append([(resp_word + p.colon, None), *listed(r.leads, LEAD, "、")])
        took = date_line and bool(r.deadlines)
        if took:
            lines.append([(date_word + p.colon, None), *listed(r.deadlines, DEADLINE, "、")])
        if not lines:
            return [], False
        if run_on:
            return [*_fields(lines, "。"), ("。", None)], took
        return [("\n", None), *_fields(lines, "\n")], took

    _items(w, records, rng, p, note, next_line=0.0)
