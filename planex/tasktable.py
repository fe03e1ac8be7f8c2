"""Build the task table of a plan: one record per TASK span with its section path and attached spans.

Item markers (``一、`` ``（一）`` ``(一)`` ``1.`` ``1．`` ``（1）`` ``①`` ``——``) at the start of a
line in the normalised text give the outline. Marker kinds rank in that order, the order
official documents use (GB/T 9704); an item runs until the next marker of the same or a
higher rank, so a document that skips a level (一、 then 1.) still nests correctly.

Each TASK span opens a record. Every other span attaches to the nearest preceding TASK
whose item it lies in (the item ends at the next marker of the same or a higher level);
a span with no such TASK goes to ``unattached``, so nothing is lost. A lead list in
parentheses after an item (on the same line or on its own line) lies inside that item
and so attaches to its task.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from planex.normalise import Normalised

TASK = "TASK"

# (kind, pattern) per marker kind, outermost first; patterns match at line start.
_KINDS = [
    ("cn", r"[一二三四五六七八九十]{1,3}[、．.]"),
    ("paren-cn", r"[（(][一二三四五六七八九十]{1,3}[）)]"),
    ("num", r"\d{1,2}[.．、](?!\d)"),
    ("paren-num", r"[（(]\d{1,2}[）)]"),
    ("circled", r"[①-⑳]"),
    ("dash", r"——"),
]
_MARKER = re.compile(
    r"^[ \t\u3000\xa0]*(?:" + "|".join(f"(?P<{k.replace('-', '_')}>{p})" for k, p in _KINDS) + r")[ \t\u3000\xa0]*",
    re.M,
)
_RANK = {kind.replace("-", "_"): rank for rank, (kind, _) in enumerate(_KINDS)}
_KIND_RES = [re.compile(pattern) for _, pattern in _KINDS]
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


def marker_rank(marker: str) -> int:
    """Nesting rank of an item marker such as ``（一）`` (0 is outermost); unknown kinds rank deepest."""
    return next((rank for rank, kind in enumerate(_KIND_RES) if kind.fullmatch(marker)), len(_KINDS))


def _items(text: str) -> list[_Item]:
    """Return every item with its full section path and extent, in text order."""
    found: list[tuple[int, str, Section]] = []
    for m in _MARKER.finditer(text):
        kind = next(k for k, v in m.groupdict().items() if v is not None)
        head_end = _HEADING_END.search(text, m.end())
        heading = text[m.end() : head_end.start() if head_end else len(text)].strip()[:_MAX_HEADING]
        found.append((m.start(), kind, Section(m.group(kind), heading, m.start())))
    items: list[_Item] = []
    open_: list[tuple[int, int]] = []  # (rank, index into items) of items still open, outermost first
    for pos, kind, section in found:
        rank = _RANK[kind]
        while open_ and open_[-1][0] >= rank:  # the new marker closes items of its rank and below
            _, i = open_.pop()
            items[i] = _Item(items[i].section, items[i].start, pos)
        path = (*(items[i].section[-1] for _, i in open_), section)
        open_.append((rank, len(items)))
        items.append(_Item(path, pos, len(text)))
    return items


def _innermost(items: list[_Item], starts: list[int], pos: int) -> _Item | None:
    """Return the innermost item containing ``pos``; items nest, so walk back from the last one starting before it."""
    for i in range(bisect.bisect_right(starts, pos) - 1, -1, -1):
        if pos < items[i].end:
            return items[i]
    return None


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
    items = _items(text)
    starts = [it.start for it in items]
    records: list[TaskRecord[E]] = []
    unattached: list[E] = []
    # Records whose scope is still open, with the offset where it ends. A scope is the task's
    # item (or, before the first marker, the stretch up to it); scopes nest, so this is a stack
    # whose top is the nearest preceding task that can take the next span.
    open_: list[tuple[int, TaskRecord[E]]] = []
    for ent in sorted(entities, key=lambda e: (e.norm_start, e.norm_end)):
        while open_ and open_[-1][0] <= ent.norm_start:
            open_.pop()
        if ent.label == TASK:
            item = _innermost(items, starts, ent.norm_start)
            if item is not None:
                end, section = item.end, item.section
            else:
                after = bisect.bisect_right(starts, ent.norm_start)
                end, section = (starts[after] if after < len(starts) else len(text)), ()
            record = TaskRecord(ent, section)
            records.append(record)
            open_.append((end, record))
        elif open_:
            open_[-1][1].attached.setdefault(ent.label, []).append(ent)
        else:
            unattached.append(ent)
    return TaskTable(records, unattached)
