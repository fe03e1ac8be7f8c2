"""Span sheets: a reviewable, hand-editable list of a document's spans.

A sheet is TSV with one span per line: ``start<TAB>LABEL<TAB>text``. When a sheet is
applied, ``start`` is only a hint: the span is placed at the occurrence of ``text``
nearest to it, so a reviewer can fix a boundary by editing ``text`` alone, or add a
span by writing an approximate offset. Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from planex import atomic
from planex.document import Document, Span
from planex.labelfile import LabelFileError, span_problems
from planex.scheme import LabelScheme
from planex.textio import read_text


def to_sheet(doc: Document) -> str:
    lines = [f"# {doc.id}: start<TAB>LABEL<TAB>text; start is a hint, text is exact"]
    lines += [f"{s.start}\t{s.label}\t{doc.text[s.start : s.end]}" for s in sorted(doc.spans)]
    return "\n".join(lines) + "\n"


def nearest(text: str, piece: str, hint: int) -> int:
    """Return the start of the occurrence of ``piece`` in ``text`` nearest to ``hint``, or -1."""
    best, pos = -1, text.find(piece)
    while pos != -1:
        if best == -1 or abs(pos - hint) < abs(best - hint):
            best = pos
        pos = text.find(piece, pos + 1)
    return best


def from_sheet(text: str, sheet: str, where: str) -> tuple[list[Span], list[str]]:
    """Parse a sheet against ``text``; return spans and problems (file:line: message)."""
    spans, problems = [], []
    for n, line in enumerate(sheet.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].strip().lstrip("-").isdigit() or not parts[2]:
            problems.append(f"{where}:{n}: expected start<TAB>LABEL<TAB>text, got {line!r}")
            continue
        hint, label, piece = int(parts[0]), parts[1].strip(), parts[2]
        start = nearest(text, piece, hint)
        if start == -1:
            problems.append(f"{where}:{n}: text {piece!r} does not occur in the document")
            continue
        spans.append(Span(start, start + len(piece), label))
    return sorted(set(spans)), problems


def review_counts(proposed: list[Span], final: list[Span]) -> dict[str, int]:
    """Count what review did: kept, removed, added, and boundary/label changes (overlapping pairs)."""
    prop, fin = set(proposed), set(final)
    kept = prop & fin
    gone = sorted(prop - fin)
    new = sorted(fin - prop)
    changed = 0
    for f in new:
        if any(p.start < f.end and f.start < p.end for p in gone):
            changed += 1
    relabelled_or_moved = sum(1 for p in gone if any(p.start < f.end and f.start < p.end for f in new))
    return {
        "proposed": len(prop),
        "kept": len(kept),
        "removed": len(gone) - relabelled_or_moved,
        "boundary_or_label_changed": changed,
        "added": len(new) - changed,
        "final": len(fin),
    }


def write_sheets(docs: Iterable[Document], out: Path, overwrite: bool = False) -> list[str]:
    """Write ``<id>.tsv`` (the sheet) and ``<id>.txt`` (the normalised text) per document into ``out``.

    A sheet already there may hold a reviewer's edits: it is kept unless ``overwrite``, so that drafting
    a batch again with more documents adds their sheets without losing work. Returns the ids kept."""
    out.mkdir(parents=True, exist_ok=True)
    kept = []
    for doc in docs:
        sheet = out / f"{doc.id}.tsv"
        if sheet.exists() and not overwrite:
            kept.append(doc.id)
            continue
        atomic.write_text(sheet, to_sheet(doc))
        atomic.write_text(out / f"{doc.id}.txt", doc.text)
    return kept


def apply_sheets(
    drafts: Iterable[Document], sheets: Path, scheme: LabelScheme
) -> tuple[list[Document], list[dict[str, object]]]:
    """Final documents from drafts and their reviewed ``<id>.tsv`` sheets, and review counts per document.

    Raise :class:`LabelFileError` listing every problem (a sheet line that does not parse or place, a span
    a label file may not hold, a label outside ``scheme``): nothing is half applied.
    """
    final, problems, counts = [], [], []
    for doc in drafts:
        path = sheets / f"{doc.id}.tsv"
        spans, found = from_sheet(doc.text, read_text(path), str(path))
        problems += found
        final.append(Document(doc.id, doc.text, spans, doc.source, doc.meta))
        counts.append({"id": doc.id, **review_counts(doc.spans, spans)})
    if not problems:
        problems = [p for d in final for p in span_problems(d.text, d.spans, scheme.names, d.id)]
    if problems:
        raise LabelFileError(problems)
    return final, counts


def carry_links(final: list[Document], previous: Iterable[Document]) -> tuple[list[Document], list[str]]:
    """Keep the task links of a document applied before (same id and text) whose two spans are still there.

    Links are labelled after the spans, so applying the sheets again (one sheet fixed, a document added)
    must not drop them; a link whose task or attribute span changed is dropped and named, to be linked again.
    Returns the documents and one note per document that lost links."""
    before = {d.id: d for d in previous}
    out, notes = [], []
    for doc in final:
        old = before.get(doc.id)
        if old is None or old.links is None or old.text != doc.text:
            out.append(doc)
            continue
        spans = {(s.start, s.end) for s in doc.spans}
        kept = [k for k in old.links if k.task in spans and k.span in spans]
        dropped = [k for k in old.links if k not in kept]
        out.append(replace(doc, links=kept))
        if dropped:
            gone = ", ".join(f"{doc.text[k.task[0] : k.task[1]]} -> {doc.text[k.span[0] : k.span[1]]}" for k in dropped)
            notes.append(f"{doc.id}: kept {len(kept)} task links, dropped {len(dropped)} whose spans changed: {gone}")
    return out, notes


def write_review_counts(path: Path, counts: list[dict[str, object]]) -> None:
    """Add review counts to ``path``, replacing the lines of documents applied again (a rerun never doubles them)."""
    redone = {c["id"] for c in counts}
    kept = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                if json.loads(line).get("id") in redone:
                    continue
            except (json.JSONDecodeError, AttributeError):
                pass  # not ours to judge: kept as it was
            kept.append(line)
    atomic.write_text(path, "".join(f"{line}\n" for line in kept + [json.dumps(c, ensure_ascii=False) for c in counts]))
