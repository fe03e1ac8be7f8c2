"""Move span offsets from an old normalised text to a new one after a normaliser change.

Labels are offsets into normalised text, so improving the normaliser would silently
shift them. Instead of re-annotating, align the old and new texts character by
character and carry each span (and each task link's two spans) across; a span whose
characters changed is reported.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

from planex.document import Span
from planex.labelfile import load_documents, write_documents
from planex.links import Link
from planex.normalise import normalise
from planex.sources import source_text


def _char_map(old: str, new: str) -> list[int | None]:
    """For each old character, its index in ``new`` when it survived unchanged, else None."""
    mapping: list[int | None] = [None] * len(old)
    for a, b, size in SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        for k in range(size):
            mapping[a + k] = b + k
    return mapping


def _move(mapping: list[int | None], start: int, end: int) -> tuple[int, int] | None:
    """Where the characters ``start:end`` of the old text went (first to last survivor), or None."""
    kept = [m for m in mapping[start:end] if m is not None]
    return (min(kept), max(kept) + 1) if kept else None


def migrate_spans(old: str, new: str, spans: list[Span]) -> tuple[list[Span], list[str]]:
    """Return spans moved onto ``new`` and messages for spans that could not move intact."""
    mapping = _char_map(old, new)
    moved, problems = [], []
    for s in spans:
        where = _move(mapping, s.start, s.end)
        if where is None:
            problems.append(f"span {s.start}-{s.end} {s.label} {old[s.start : s.end]!r} vanished; re-annotate it")
            continue
        start, end = where
        span = Span(start, end, s.label)
        if new[start:end] != old[s.start : s.end]:
            problems.append(
                f"span {s.start}-{s.end} {s.label} {old[s.start : s.end]!r} became {new[start:end]!r}; check it"
            )
        moved.append(span)
    return moved, problems


def migrate_links(old: str, new: str, links: list[Link]) -> tuple[list[Link], list[str]]:
    """Return task links moved onto ``new`` exactly as :func:`migrate_spans` moves their two spans."""
    mapping = _char_map(old, new)
    moved, problems = [], []
    for k in links:
        task, span = _move(mapping, *k.task), _move(mapping, *k.span)
        if task is None or span is None:
            problems.append(f"link task {k.task[0]}-{k.task[1]} → span {k.span[0]}-{k.span[1]} lost a span; dropped")
            continue
        moved.append(Link(task, span))
    return moved, problems


def renormalise_file(path: Path, corpus: Path) -> tuple[int, int, list[str]]:
    """Re-normalise every document of a label file from its source and move its spans; rewrite it if changed.

    Return (documents changed, documents, problems): a problem names a span whose characters changed.
    """
    docs = load_documents([path])
    changed, problems = 0, []
    for doc in docs:
        raw = doc.meta.get("raw") if doc.source.startswith("feedback:") else source_text(doc.source, corpus)
        new = normalise(str(raw)).text
        if new != doc.text:
            doc.spans, found = migrate_spans(doc.text, new, doc.spans)
            problems += [f"{path} {doc.id}: {p}" for p in found]
            if doc.links is not None:
                doc.links, found = migrate_links(doc.text, new, doc.links)
                problems += [f"{path} {doc.id}: {p}" for p in found]
            doc.text = new
            changed += 1
    if changed:
        write_documents(path, docs)
    return changed, len(docs), problems
