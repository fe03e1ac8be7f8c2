"""Build the task table of a plan: one record per TASK span with its section path and attached spans.

Item markers (``一、`` ``（一）`` ``(一)`` ``1.`` ``1．`` ``（1）`` ``①`` ``——``, the table of
``planex.markers``) at the start of a line in the normalised text give the outline. Marker kinds
rank in that order, the order official documents use (GB/T 9704); an item runs until the next
marker of the same or a higher rank, so a document that skips a level (一、 then 1.) still nests
correctly.

Each TASK span opens a record. Every other span belongs to the innermost item that contains
it and has a TASK of its own (``LABELING.md``, "Task links"; the item ends at the next marker of
the same or a higher level): to the nearest of that item's TASKs before it, or, when the span
comes first on the item's first line, to its first TASK (``由X牵头，推进…``); a span on a line
whose TASK comes after it on that line goes to that TASK, and a table row's cell before a cell
of tasks to each of them (``A | 1、… 2、…``). So a lead list after an item,
on the same line or its own line, goes to the item's task, and a parent heading gets nothing from
its sub-items. Before the first marker, a span goes to the nearest preceding TASK there (or one
later on its line), and a TASK there takes nothing from the items. A lead or deadline in
the heading of an item without a TASK, or in a named field (``责任单位：``, or ``责任单位`` alone on
the line above, as tables exported one cell per line have it) before the items, goes to the TASK
of each of its sub-items (a heading that states a lead for every item under it). A span with no
task goes to ``unattached``, so nothing is lost.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from planex.markers import LINE_MARKER, match_rank
from planex.normalise import Normalised

TASK = "TASK"

_HEADING_END = re.compile(r"[。：:；;！!？?\n]")
_MAX_HEADING = 40


class Anchored(Protocol):
    """A span with a label and offsets into the normalised text (``planex.inference.Entity`` is one)."""

    @property
    def label(self) -> str: ...
    @property
    def norm_start(self) -> int: ...
    @property
    def norm_end(self) -> int: ...


E = TypeVar("E", bound=Anchored)


@dataclass(frozen=True)
class Section:
    """One level of a section path: its marker as written and its heading phrase."""

    marker: str
    heading: str
    start: int  # offset of the marker in the normalised text


@dataclass
class TaskRecord(Generic[E]):
    task: E
    section: tuple[Section, ...]
    attached: dict[str, list[E]] = field(default_factory=dict)

    def spans(self, label: str) -> list[E]:
        return self.attached.get(label, [])


@dataclass
class TaskTable(Generic[E]):
    tasks: list[TaskRecord[E]]
    unattached: list[E]


@dataclass(frozen=True)
class _Item:
    section: tuple[Section, ...]
    start: int
    end: int  # where the next marker of the same or a higher level starts (or the text ends)


def _items(text: str) -> list[_Item]:
    """Return every item with its full section path and extent, in text order."""
    found: list[tuple[int, int, Section]] = []
    for m in LINE_MARKER.finditer(text):
        rank, marker = match_rank(m)
        head_end = _HEADING_END.search(text, m.end())
        heading = text[m.end() : head_end.start() if head_end else len(text)].strip()[:_MAX_HEADING]
        found.append((m.start(), rank, Section(marker, heading, m.start())))
    items: list[_Item] = []
    open_: list[tuple[int, int]] = []  # (rank, index into items) of items still open, outermost first
    for pos, rank, section in found:
        while open_ and open_[-1][0] >= rank:  # the new marker closes items of its rank and below
            _, i = open_.pop()
            items[i] = _Item(items[i].section, items[i].start, pos)
        path = (*(items[i].section[-1] for _, i in open_), section)
        open_.append((rank, len(items)))
        items.append(_Item(path, pos, len(text)))
    return items


def _parents(items: list[_Item]) -> list[int]:
    """The index of each item's enclosing item (-1 for a top-level one); items nest, so a stack finds it."""
    parents: list[int] = []
    open_: list[int] = []
    for i, item in enumerate(items):
        while open_ and items[open_[-1]].end <= item.start:
            open_.pop()
        parents.append(open_[-1] if open_ else -1)
        open_.append(i)
    return parents


# Labels a heading can state for every item under it (LABELING.md: "a lead or deadline").
_HEADING_LABELS = frozenset({"LEAD_UNIT", "DEADLINE"})
_BRACKETED = re.compile(r"[（(〔【\[][^（()）〔〕【】\[\]]*[）)〕】\]]")
_OPEN_BRACKET = re.compile(r"[（(〔【\[][^（()）〔〕【】\[\]]*$")  # the bracket the span stands in
_HEADING_STOP = re.compile(r"[。；;！!？?：:\n]")
_SENTENCE_END = re.compile(r"[。；;！!？?]")
# Field names of task tables and lead lines (cf. planex.layouts) that a lead or deadline list follows.
_FIELD = re.compile(
    r"[ \t\u3000\xa0]*(?:牵头单位|牵头部门|责任单位|责任部门|主责单位|配合单位|协办单位|协同单位|参与单位"
    r"|完成时限|完成时间|时间节点|办结时限)[:：]?[ \t\u3000\xa0]*"
)


class _Outline(Generic[E]):
    """The items of a text with the TASK records that each item holds directly (not through sub-items)."""

    def __init__(self, text: str):
        self.text = text
        self.items = _items(text)
        self.starts = [it.start for it in self.items]
        self.parents = _parents(self.items)
        self.children: dict[int, list[int]] = {}
        for i, parent in enumerate(self.parents):
            self.children.setdefault(parent, []).append(i)
        self.own: dict[int, list[tuple[int, TaskRecord[E]]]] = {}  # item index (-1: before any marker) -> tasks

    def add_task(self, ent: E) -> TaskRecord[E]:
        i = self.item_of(ent.norm_start)
        record = TaskRecord(ent, self.items[i].section if i >= 0 else ())
        self.own.setdefault(i, []).append((ent.norm_start, record))
        return record

    def item_of(self, pos: int) -> int:
        """The index of the innermost item containing ``pos`` (-1: before any marker); items nest, so walk
        back from the last one starting before it."""
        for i in range(bisect.bisect_right(self.starts, pos) - 1, -1, -1):
            if pos < self.items[i].end:
                return i
        return -1

    def owners(self, ent: E) -> list[TaskRecord[E]]:
        """The records ``ent`` belongs to (none: unattached)."""
        i = self.item_of(ent.norm_start)
        line_start = self.text.rfind("\n", 0, ent.norm_start) + 1
        line_end = self.text.find("\n", ent.norm_end)
        line_end = len(self.text) if line_end < 0 else line_end
        # A heading, or a field before the items (责任单位⏎A、B), that states a lead or deadline for every
        # item under it: each item's task gets it.
        if (
            i not in self.own
            and ent.label in _HEADING_LABELS
            and ((i >= 0 and self._in_heading(i, ent)) or self._in_field(line_start, ent))
        ):
            under = [r for c in self.children.get(i, []) for _, r in self.own.get(c, [])[:1]]
            if under:
                return under
        while True:
            tasks = self.own.get(i, [])
            k = bisect.bisect_right(tasks, ent.norm_start, key=lambda t: t[0])  # tasks[:k] start before the span
            if k < len(tasks) and tasks[k][0] < line_end and (not k or tasks[k - 1][0] < line_start):
                # A line that names its task after the span (由X牵头，推进…) gives the span to that task; a
                # table row's cell before the task cell, to each task of that cell (LABELING.md: every cell
                # of a row belongs to the row's task).
                if self.text.find("|", ent.norm_end, tasks[k][0]) < 0:
                    return [tasks[k][1]]
                cell_end = self.text.find("|", tasks[k][0], line_end)
                cell_end = line_end if cell_end < 0 else cell_end
                return [r for start, r in tasks[k:] if start < cell_end]
            if k:
                return [tasks[k - 1][1]]
            if tasks and i >= 0 and self.items[i].start >= line_start:
                return [tasks[0][1]]  # on the item's first line, before its task: 由X牵头，…推进…
            # Before every task of its item and on a later line than the item's heading, the span is not
            # the item's (a sub-heading the markers do not show may stand between); before the first marker
            # a document may start mid-item (K12), so there nothing goes to a later task.
            if i < 0 or self.parents[i] < 0:
                return []
            i = self.parents[i]

    def _in_field(self, line_start: int, ent: E) -> bool:
        """Whether ``ent`` is in a field named before it (``责任单位：A、B``, or a table exported one cell per
        line, ``责任单位⏎A、B``), with no sentence end between."""
        before = self.text[line_start : ent.norm_start]
        if _SENTENCE_END.search(before):
            return False
        if _FIELD.match(before):
            return True
        previous = self.text[:line_start].rstrip().rsplit("\n", 1)[-1]
        return bool(_FIELD.fullmatch(previous.strip()))

    def _in_heading(self, i: int, ent: E) -> bool:
        """Whether ``ent`` is part of item ``i``'s heading: no line or sentence end (nor a colon, after which
        the body begins) comes between the marker and it, brackets aside (``（牵头单位：X；配合单位：Y）``)."""
        before = _BRACKETED.sub("", self.text[self.items[i].start : ent.norm_start])
        return not _HEADING_STOP.search(_OPEN_BRACKET.sub("", before))


def build_task_table(source: Normalised | str, entities: Sequence[E]) -> TaskTable[E]:
    """Group ``entities`` into task records; ``source`` is the normalised text (or its ``Normalised``).

    >>> from planex.inference import Entity
    >>> text = "（一）建设平台。2025年底前完成。\\n（二）推进共享。"
    >>> ents = [Entity("TASK", "建设平台", 3, 7, 1.0, 3, 7), Entity("DEADLINE", "2025年底前", 8, 15, 1.0, 8, 15)]
    >>> table = build_task_table(text, ents)
    >>> [(r.task.text, r.section[-1].marker, [d.text for d in r.spans("DEADLINE")]) for r in table.tasks]
    [('建设平台', '（一）', ['2025年底前'])]
    """
    text = source.text if isinstance(source, Normalised) else source
    ordered = sorted(entities, key=lambda e: (e.norm_start, e.norm_end))
    outline: _Outline[E] = _Outline(text)
    records = [outline.add_task(ent) for ent in ordered if ent.label == TASK]
    unattached: list[E] = []
    for ent in ordered:
        if ent.label == TASK:
            continue
        owners = outline.owners(ent)
        for record in owners:
            record.attached.setdefault(ent.label, []).append(ent)
        if not owners:
            unattached.append(ent)
    return TaskTable(records, unattached)
