"""Task links: which TASK span each DEADLINE, LEAD_UNIT or INDICATOR span belongs to.

A labelled record may carry ``"links": [{"task": [s, e], "span": [s, e]}]`` (``LABELING.md``,
"Task links"): each link joins a TASK span to a non-TASK span of the same record, and a
non-TASK span in no link is unattached. ``links`` absent means the record's links are not
labelled yet; ``[]`` means labelled, with none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planex.tasktable import TASK, build_task_table

if TYPE_CHECKING:
    from planex.document import Document, Span

Offsets = tuple[int, int]

# How reports name the kind of a link (the label of its non-TASK span); other labels keep their name.
KIND_NAMES = {"DEADLINE": "deadline", "LEAD_UNIT": "lead unit", "INDICATOR": "indicator"}


@dataclass(frozen=True, order=True)
class Link:
    """A TASK span (``task``) and a non-TASK span (``span``) of one record, by their offsets."""

    task: Offsets
    span: Offsets

    def to_dict(self) -> dict[str, list[int]]:
        return {"task": list(self.task), "span": list(self.span)}


def kind_name(label: str) -> str:
    return KIND_NAMES.get(label, label)


def _offsets(value: Any) -> Offsets | None:
    ok = isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)
    return (value[0], value[1]) if ok else None


def parse_links(raw: Any, where: str) -> tuple[list[Link] | None, list[str]]:
    """Read a record's ``links`` field (None when absent); return the links and shape problems."""
    if raw is None:
        return None, []
    if not isinstance(raw, list):
        return None, [f"{where}: field 'links' must be a list of {{'task': [start, end], 'span': [start, end]}}"]
    links, problems = [], []
    for i, item in enumerate(raw):
        task = _offsets(item.get("task")) if isinstance(item, dict) else None
        span = _offsets(item.get("span")) if isinstance(item, dict) else None
        if task is None or span is None or set(item) != {"task", "span"}:
            problems.append(f"{where}: links[{i}] must be {{'task': [start, end], 'span': [start, end]}}, got {item!r}")
            continue
        links.append(Link(task, span))
    return links, problems


def link_problems(text: str, spans: Iterable[Span], links: Iterable[Link], where: str) -> list[str]:
    """Return a message for every link that does not join a TASK span to a non-TASK span of the record."""
    label = {(s.start, s.end): s.label for s in spans}
    problems: list[str] = []
    seen: set[Link] = set()
    for link in links:
        (ts, te), (ss, se) = link.task, link.span
        at = f"{where}: link task {ts}-{te} {text[ts:te]!r} → span {ss}-{se} {text[ss:se]!r}"
        if link in seen:
            problems.append(f"{at}: listed twice; delete one")
            continue
        seen.add(link)
        if label.get(link.task) != TASK:
            what = f"a {label[link.task]} span" if link.task in label else "no span of this record"
            problems.append(f"{at}: the task end is {what}; a link starts at a TASK span (fix its offsets)")
        if link.span not in label:
            problems.append(f"{at}: the span end is no span of this record; use the offsets of a labelled span")
        elif label[link.span] == TASK:
            problems.append(f"{at}: the span end is a TASK span; a link joins a TASK to a non-TASK span")
    return problems


@dataclass(frozen=True)
class _Anchor:
    """A span as :func:`build_task_table` reads it (offsets into the normalised text)."""

    label: str
    norm_start: int
    norm_end: int


def propose_links(text: str, spans: Iterable[Span]) -> list[Link]:
    """Links by the server's attachment rule (:func:`planex.tasktable.build_task_table`) on ``spans``."""
    table = build_task_table(text, [_Anchor(s.label, s.start, s.end) for s in spans])
    return sorted(
        Link((r.task.norm_start, r.task.norm_end), (a.norm_start, a.norm_end))
        for r in table.tasks
        for attached in r.attached.values()
        for a in attached
    )


def link_counts(spans: Sequence[Span], links: Iterable[Link]) -> Counter[str]:
    """Links per kind (the attribute span's label), and ``unattached <label>`` per non-TASK span in no link."""
    label = {(s.start, s.end): s.label for s in spans}
    counts: Counter[str] = Counter()
    linked = set()
    for link in links:
        counts[label[link.span]] += 1
        linked.add(link.span)
    for s in spans:
        if s.label != TASK and (s.start, s.end) not in linked:
            counts[f"unattached {s.label}"] += 1
    return counts


def summary_lines(docs: Iterable[Document], labels: Sequence[str]) -> list[str]:
    """Link counts per kind and unattached spans per label over ``docs`` (for ``planex labels stats``)."""
    total: Counter[str] = Counter()
    linked = unlinked = 0
    for d in docs:
        has_task = any(s.label == TASK for s in d.spans)
        if d.links is None and has_task:
            unlinked += 1
            continue
        linked += d.links is not None
        total.update(link_counts(d.spans, d.links or []))
    kinds = [lab for lab in labels if lab != TASK]
    lines = [
        f"\ntask links: {linked} documents with links"
        + (f", {unlinked} with a TASK but no links yet (not counted)" if unlinked else ""),
        "  links per kind: "
        + ", ".join(f"{kind_name(k)} {total[k]}" for k in kinds)
        + f" ({sum(total[k] for k in kinds)} in all)",
        "  unattached spans: " + ", ".join(f"{kind_name(k)} {total['unattached ' + k]}" for k in kinds),
    ]
    return lines
