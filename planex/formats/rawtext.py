"""Move spans annotated on a raw text onto its normalised text, where planex labels live.

``planex predict --to label-studio`` shows annotators the raw text (what the document
really says) and marks those tasks ``data.planex_raw``; their corrected spans come back
on the raw text and must be carried to the normalised text before they are labels.
"""

from __future__ import annotations

from planex.document import Document, Span
from planex.links import Link
from planex.normalise import normalise


def to_normalised(doc: Document) -> tuple[Document, list[str]]:
    """Normalise ``doc.text`` and map each raw span to the normalised characters made wholly inside it.

    >>> doc, _ = to_normalised(Document("d", "區(qū)域治理", [Span(0, 6, "TASK")]))
    >>> doc.text, doc.spans
    ('区域治理', [Span(start=0, end=2, label='TASK')])
    """
    norm = normalise(doc.text)
    spans: list[Span] = []
    problems: list[str] = []
    moved: dict[tuple[int, int], tuple[int, int]] = {}
    for s in doc.spans:
        found = norm.from_raw(s.start, s.end)
        if found is None:
            problems.append(f"span {s.start}-{s.end} {s.label} {doc.text[s.start : s.end]!r} is empty once normalised")
            continue
        spans.append(Span(*found, s.label))
        moved[(s.start, s.end)] = found
    # A link whose span vanished is dropped with it (the span's problem is reported above).
    links = (
        None
        if doc.links is None
        else [Link(moved[k.task], moved[k.span]) for k in doc.links if k.task in moved and k.span in moved]
    )
    return Document(doc.id, norm.text, spans, doc.source, doc.meta, links), problems
