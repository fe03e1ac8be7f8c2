"""Move span offsets from an old normalised text to a new one after a normaliser change.

Labels are offsets into normalised text, so improving the normaliser would silently
shift them. Instead of re-annotating, align the old and new texts and carry each span's
boundaries (and each task link's two spans) across. A character the new normaliser rewrote
one for one (``湧`` → ``涌``, a t2s change) stays inside its span: a span is never cut
because its last character changed.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

from planex.document import Span
from planex.labelfile import load_documents, write_documents
from planex.links import Link
from planex.sources import renormalised

_Maps = tuple[list[int], list[int], list[bool]]


def _boundary_maps(old: str, new: str) -> _Maps:
    """For each old character ``i``: where a span starting at it starts in ``new``, where a span ending
    after it ends, and whether it maps exactly (kept, or replaced one for one)."""
    starts, ends, exact = [0] * len(old), [0] * len(old), [False] * len(old)
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "insert":
            continue
        one_for_one = op == "equal" or (op == "replace" and a2 - a1 == b2 - b1)
        for i in range(a1, a2):
            if one_for_one:
                starts[i], ends[i], exact[i] = b1 + i - a1, b1 + i - a1 + 1, True
            else:  # deleted, or rewritten with another length: a boundary here moves to the block's edge
                starts[i], ends[i] = b1, b2
    return starts, ends, exact


def _move(maps: _Maps, new: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the old characters ``start:end`` went in ``new``; None if nothing but whitespace is left."""
    s, e = maps[0][start], maps[1][end - 1]
    return (s, e) if s < e and new[s:e].strip() else None


def migrate_spans(old: str, new: str, spans: list[Span]) -> tuple[list[Span], list[str]]:
    """Return spans moved onto ``new`` and messages for spans that could not move intact.

    A span whose characters were only rewritten one for one moves without a message; a span
    that vanished is dropped, and one that lost or gained characters is kept and reported.
    """
    maps = _boundary_maps(old, new)
    moved, problems = [], []
    for s in spans:
        was = old[s.start : s.end]
        where = _move(maps, new, s.start, s.end)
        if where is None:
            problems.append(f"span {s.start}-{s.end} {s.label} {was!r} vanished; re-annotate it")
            continue
        piece = new[where[0] : where[1]]
        if not all(maps[2][s.start : s.end]) or piece != piece.strip():
            problems.append(f"span {s.start}-{s.end} {s.label} {was!r} became {piece!r}; check it")
        moved.append(Span(*where, s.label))
    return moved, problems


def migrate_links(old: str, new: str, links: list[Link]) -> tuple[list[Link], list[str]]:
    """Return task links moved onto ``new`` exactly as :func:`migrate_spans` moves their two spans."""
    maps = _boundary_maps(old, new)
    moved, problems = [], []
    for k in links:
        task, span = _move(maps, new, *k.task), _move(maps, new, *k.span)
        if task is None or span is None:
            problems.append(f"link task {k.task[0]}-{k.task[1]} → span {k.span[0]}-{k.span[1]} lost a span; dropped")
            continue
        moved.append(Link(task, span))
    return moved, problems


def renormalise_file(path: Path, corpus: Path | None = None) -> tuple[int, int, list[str]]:
    """Re-normalise every document of a label file from its source and move its spans; rewrite it if changed.

    Return (documents changed, documents, problems): a problem names a span whose characters changed.
    Documents without a source carry their own text and are left as they are.
    """
    docs = load_documents([path])
    changed, problems = 0, []
    for doc in docs:
        norm = renormalised(doc, corpus)
        if norm is None:
            continue
        new = norm.text
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
