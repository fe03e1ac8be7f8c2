"""Task records of a labelled document, the writer that lays them out again with exact spans, and the
wording the layouts share (:mod:`training.relayout` says why; the layouts are in
:mod:`training.relayout_tables` and :mod:`training.relayout_items`)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from planex.document import Document, Span
from planex.formats.rawtext import to_normalised
from planex.labelfile import span_problems
from planex.links import Link, link_problems

TASK, DEADLINE, LEAD, INDICATOR = "TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR"
TASK_HEADERS = ("重点任务", "主要任务", "工作任务", "具体措施")
LEAD_HEADERS = ("牵头单位", "牵头部门", "牵头责任单位")
RESP_HEADERS = ("责任单位", "责任部门")
DEADLINE_HEADERS = ("完成时限", "完成时间", "时间节点")
TARGET_HEADERS = ("工作目标", "预期目标", "目标要求")
LEADER_HEADERS = ("分管领导", "责任领导", "牵头领导", "牵头负责领导")
# Persons heading the work (C2: a person is never a LEAD_UNIT), made up from common names and posts.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙"
GIVEN = ("伟", "芳", "强", "敏", "军", "洁", "建华", "志刚")
POSTS = ("副市长", "副局长", "局长", "主任", "")

# A few of each per record keep a row readable (one gold task has twelve targets).
MAX_DEADLINES, MAX_LEADS, MAX_INDICATORS = 3, 8, 4


@dataclass(frozen=True)
class Record:
    """One task and the texts of its linked spans, in document order, each text once."""

    task: str
    deadlines: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


def task_records(doc: Document) -> list[Record]:
    """The task records of ``doc`` (every TASK, linked or not); none without links.

    A record whose spans hold a line break or a table bar is left out: written into a cell it
    would break the row.
    """
    if not doc.links:
        return []
    label = {(s.start, s.end): s.label for s in doc.spans}
    attached: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for link in doc.links:
        attached[link.task].append(link.span)
    records = []
    for s in sorted(doc.spans):
        if s.label != TASK:
            continue
        texts: dict[str, list[str]] = defaultdict(list)
        for a in sorted(attached.get((s.start, s.end), [])):
            piece = doc.text[a[0] : a[1]]
            if piece not in texts[label[a]]:
                texts[label[a]].append(piece)
        record = Record(
            doc.text[s.start : s.end],
            tuple(texts[DEADLINE][:MAX_DEADLINES]),
            tuple(texts[LEAD][:MAX_LEADS]),
            tuple(texts[INDICATOR][:MAX_INDICATORS]),
        )
        pieces = [record.task, *record.deadlines, *record.leads, *record.indicators]
        if not any(c in p for p in pieces for c in "\n|│"):
            records.append(record)
    return records


class Writer:
    """Raw text written piece by piece, with its spans and each attribute linked to the last task."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.spans: list[Span] = []
        self.links: list[Link] = []
        self.task: tuple[int, int] | None = None

    def put(self, text: str, label: str | None = None) -> None:
        if label is not None and text:
            span = Span(self.size, self.size + len(text), label)
            self.spans.append(span)
            if label == TASK:
                self.task = (span.start, span.end)
            elif self.task is not None:
                self.links.append(Link(self.task, (span.start, span.end)))
        self.parts.append(text)
        self.size += len(text)

    def put_list(self, items: tuple[str, ...] | list[str], label: str | None, sep: str = "、") -> None:
        """Write ``items`` joined by ``sep``, each its own span (a separator is never inside one)."""
        for text, piece_label in listed(items, label, sep):
            self.put(text, piece_label)

    def document(self, doc_id: str, source: str, meta: dict[str, object]) -> Document | None:
        """Normalise the raw text and move the spans and links onto it; None if any would not pass the checks.

        A span whose text the normaliser changed (or emptied) is a failure too: the records are gold text
        already normalised, so a change means the layout joined or split it.
        """
        raw = "".join(self.parts)
        doc, problems = to_normalised(Document(doc_id, raw, self.spans, source, dict(meta), self.links))
        if problems:
            return None
        if any(doc.text[s.start : s.end] != raw[r.start : r.end] for s, r in zip(doc.spans, self.spans, strict=True)):
            return None
        links = doc.links or []
        if span_problems(doc.text, doc.spans, None, doc_id) or link_problems(doc.text, doc.spans, links, doc_id):
            return None
        return doc


@dataclass(frozen=True)
class Punct:
    """Full- or half-width punctuation, kept for a whole document (LABELING: both are written)."""

    full: bool

    def __getattr__(self, name: str) -> str:
        forms = {"lb": ("（", "("), "rb": ("）", ")"), "colon": ("：", ":"), "comma": ("，", ","), "semi": ("；", ";")}
        if name not in forms:
            raise AttributeError(name)
        return forms[name][0 if self.full else 1]


Cell = list[tuple[str, str | None]]


def listed(items: tuple[str, ...] | list[str], label: str | None, sep: str) -> Cell:
    cell: Cell = []
    for i, item in enumerate(items):
        cell += [(sep, None)] * (i > 0) + [(item, label)]
    return cell


def helpers(record: Record, units: list[str], rng: random.Random) -> list[str]:
    """Up to three other lead units of the document, for a 配合 / 责任单位 slot beside the named lead."""
    others = [u for u in units if u not in record.leads]
    return rng.sample(others, min(len(others), rng.randint(0, 3))) if record.leads else []


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(POSTS)
