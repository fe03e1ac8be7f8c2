"""Move span offsets from an old normalised text to a new one after a normaliser change.

Labels are offsets into normalised text, so improving the normaliser would silently
shift them. Instead of re-annotating, align the old and new texts character by
character and carry each span across; a span whose characters changed is reported.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

from planex.document import Span
from planex.labelfile import load_documents, write_documents
from planex.normalise import normalise
from planex.sources import source_text


def _char_map(old: str, new: str) -> list[int | None]:
    """For each old character, its index in ``new`` when it survived unchanged, else None."""
    mapping: list[int | None] = [None] * len(old)
    for a, b, size in SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        for k in range(size):
            mapping[a + k] = b + k
    return mapping


def migrate_spans(old: str, new: str, spans: list[Span]) -> tuple[list[Span], list[str]]:
    """Return spans moved onto ``new`` and messages for spans that could not move intact."""
    mapping = _char_map(old, new)
    moved, problems = [], []
    for s in spans:
        kept = [m for m in mapping[s.start : s.end] if m is not None]
        if not kept:
            problems.append(f"span {s.start}-{s.end} {s.label} {old[s.start : s.end]!r} vanished; re-annotate it")
            continue
        start, end = min(kept), max(kept) + 1
        span = Span(start, end, s.label)
        if new[start:end] != old[s.start : s.end]:
            problems.append(
                f"span {s.start}-{s.end} {s.label} {old[s.start : s.end]!r} became {new[start:end]!r}; check it"
            )
        moved.append(span)
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
            doc.text = new
            changed += 1
    if changed:
        write_documents(path, docs)
    return changed, len(docs), problems
