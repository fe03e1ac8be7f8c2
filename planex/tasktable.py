"""Build the task table of a plan: one record per TASK span with its section path and attached spans.

Item markers (``一、`` ``（一）`` ``(一)`` ``1.`` ``1．`` ``（1）`` ``①`` ``——``, the table of
``planex.markers``) at the start of a line in the normalised text give the outline. Marker kinds
rank in that order, the order official documents use (GB/T 9704); an item runs until the next
marker of the same or a higher rank, so a document that skips a level (一、 then 1.) still nests
correctly.

Each TASK span opens a record; every other span goes to tasks by ``LABELING.md``, "Task links":

- It belongs to the innermost item that contains it and has a TASK of its own (an item ends at
  the next marker of the same or a higher level), so a lead list after an item, on the same line
  or its own, goes to the item's task, and a parent heading gets nothing from its sub-items.
- Within that item, to the nearest TASK before it; a span before the item's tasks, to the first
  one if it is on the item's first line or on that task's line (``由X牵头，推进…``).
- Numbered table rows (``序号`` … ``1 | …``, or a number alone on a line) bound their cells like
  items; a row's cell before a cell of tasks goes to each of them (``目标 | 1、… 2、…``).
- A lead or deadline in the heading of an item without a TASK, or in a named field before its
  items (``责任单位：…``, or ``责任单位`` alone on the line above, as tables exported one cell per
  line have it), goes to the TASK of each item under it.
- Before the first marker, a span goes to the nearest TASK before it there (a document may start
  mid-item); a TASK there takes nothing from the items unless it heads them (it lost its marker:
  it stands on the line before a first item that is not of the outermost kind).

A span with no task goes to ``unattached``, so nothing is lost.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, Protocol, TypeVar

from planex.markers import DEEPEST, LINE_MARKER, marker_rank, match_rank
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
    row: bool = False  # a table row (see _ROW), not a list item


# A table row's 序号 cell opening a line, alone (a table exported one cell per line) or before a bar
# (``1 | 建设平台 | …``), after a 序号 header and in sequence (1, 2, 3 …; a new table starts again at 1),
# so a number in a cell or a page number is seldom taken for one. Rows are no list markers (the rules do
# not read them, so they are not in planex.markers): a row ranks below every marker, closes the row
# before it and adds nothing to a section path; it only bounds what belongs to its task.
_ROW = re.compile(r"^[ \t\u3000\xa0]*(\d{1,3})[ \t\u3000\xa0]*(?:$|[|│])", re.M)
_ROW_HEADER = re.compile(r"序号|编号")


def _rows(text: str) -> list[int]:
    """Offsets of the table rows' line starts."""
    header = _ROW_HEADER.search(text)
    starts: list[int] = []
    last = 0
    for m in _ROW.finditer(text, header.end() if header else len(text)):
        if int(m.group(1)) in (1, last + 1):
            starts.append(m.start())
            last = int(m.group(1))
    return starts


def _items(text: str) -> list[_Item]:
    """Return every item with its full section path and extent, in text order."""
    found: list[tuple[int, int, Section | None]] = [(pos, DEEPEST, None) for pos in _rows(text)]
    for m in LINE_MARKER.finditer(text):
        rank, marker = match_rank(m)
        head_end = _HEADING_END.search(text, m.end())
        heading = text[m.end() : head_end.start() if head_end else len(text)].strip()[:_MAX_HEADING]
        found.append((m.start(), rank, Section(marker, heading, m.start())))
    found.sort(key=lambda f: f[0])
    items: list[_Item] = []
    open_: list[tuple[int, int]] = []  # (rank, index into items) of items still open, outermost first
    for pos, rank, section in found:
        while open_ and open_[-1][0] >= rank:  # the new marker closes items of its rank and below
            _, i = open_.pop()
            items[i] = replace(items[i], end=pos)
        path = tuple(items[i].section[-1] for _, i in open_)
        open_.append((rank, len(items)))
        items.append(_Item(path if section is None else (*path, section), pos, len(text), row=section is None))
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
_HEADING_STOP = re.compile(r"[。；;！!？?：:，,\n]")
_SENTENCE_END = re.compile(r"[。；;！!？?]")
_MAX_HEADING_SPAN = 300  # characters from a marker to a span of its heading, its brackets included
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
                # A table row's cell before a cell of tasks goes to each of them (LABELING.md: every cell of
                # a row belongs to the row's task); in an item, a line that names its task after the span
                # (由X牵头，推进…) gives it to that task. Before the first marker a line may be a whole
                # document run together (a PDF table without line breaks), so only a row counts there.
                if self.text.find("|", ent.norm_end, tasks[k][0]) >= 0:
                    cell_end = self.text.find("|", tasks[k][0], line_end)
                    cell_end = line_end if cell_end < 0 else cell_end
                    return [r for start, r in tasks[k:] if start < cell_end]
                if i >= 0:
                    return [tasks[k][1]]
            if k:
                return [tasks[k - 1][1]]
            if tasks and i >= 0 and (self.items[i].start >= line_start or self.items[i].row):
                return [tasks[0][1]]  # on the item's first line, or in its row, before its task: 由X牵头，…推进…
            # Before every task of its item and on a later line than the item's heading, the span is not
            # the item's (a sub-heading the markers do not show may stand between); before the first marker
            # a document may start mid-item (K12), so there nothing goes to a later task.
            if i < 0 or (self.parents[i] < 0 and not self._headed_by_preamble()):
                return []
            i = self.parents[i]

    def _headed_by_preamble(self) -> bool:
        """Whether the TASK on the line before the first item heads the items: they are not of the outermost
        kind (``（一）`` with no ``一、`` above), so the heading that holds them lost its marker
        (``5组织开展特色活动⏎(一)…``)."""
        first = self.items[0] if self.items else None
        tasks = self.own.get(-1)
        if first is None or first.row or not tasks or marker_rank(first.section[-1].marker) == 0:
            return False
        return tasks[-1][0] >= self.text.rfind("\n", 0, first.start - 1) + 1

    def _in_field(self, line_start: int, ent: E) -> bool:
        """Whether ``ent`` is in a field named before it (``责任单位：A、B``, or a table exported one cell per
        line, ``责任单位⏎A、B``), with no sentence end between."""
        before = self.text[line_start : ent.norm_start]
        if _SENTENCE_END.search(before):
            return False
        if _FIELD.match(before):
            return True
        # the last non-blank line above (a field name is short: a window keeps this linear in the text)
        previous = self.text[max(0, line_start - 200) : line_start].rstrip().rsplit("\n", 1)[-1]
        return bool(_FIELD.fullmatch(previous.strip()))

    def _in_heading(self, i: int, ent: E) -> bool:
        """Whether ``ent`` is part of item ``i``'s heading: a heading's length from the marker, with no line or
        sentence end, colon or comma (after which the body begins) between, brackets aside
        (``（牵头单位：X；配合单位：Y）``)."""
        start = self.items[i].start
        if ent.norm_start - start > _MAX_HEADING_SPAN:  # far from the marker: no heading (and no long scans)
            return False
        before = _OPEN_BRACKET.sub("", _BRACKETED.sub("", self.text[start : ent.norm_start]))
        return len(before) <= _MAX_HEADING and not _HEADING_STOP.search(before)


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
