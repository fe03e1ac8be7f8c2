"""Layout augmentation: rewrite a labelled document's surface form without changing its meaning.

Plans from other places write the same content differently: half-width punctuation,
other list markers, leads as ``（X牵头）`` instead of ``（牵头单位：X）``. Each function
returns a new document whose spans still cover the same words.

Traditional script and PDF line breaks are not augmented: the normaliser converts and
joins them before the model sees any text, so such copies would be identical.
"""

from __future__ import annotations

import random
import re

from planex.document import Document, Span
from planex.markers import ARABIC_NUMBER, BLANK, CN_NUMBER
from training.mentions import replace_mentions

_WIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";"})
_WIDTH_BACK = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"})


def swap_width(doc: Document) -> Document:
    """Full-width ↔ half-width punctuation (whichever the document mostly uses flips)."""
    full = sum(doc.text.count(c) for c in "（），：")
    half = sum(doc.text.count(c) for c in "(),:")
    table = _WIDTH if full >= half else _WIDTH_BACK
    return Document(doc.id + "+width", doc.text.translate(table), list(doc.spans), doc.source)


# Markers of the table in planex.markers; `1、2` is a figure there, not a marker, so it stays.
_MARKERS = [
    (re.compile(rf"(?m)^({BLANK}*)（({CN_NUMBER})）"), r"\1(\2)"),
    (re.compile(rf"(?m)^({BLANK}*)({ARABIC_NUMBER})\.(?!\d)"), r"\1\2．"),
    (re.compile(rf"(?m)^({BLANK}*)({ARABIC_NUMBER})、(?!\d)"), r"\1\2."),
]


def swap_markers(doc: Document) -> Document:
    """Rewrite list markers in same-length forms: ``（一）``→``(一)``, ``1.``→``1．``, ``1、``→``1.``."""
    text = doc.text
    for pattern, repl in _MARKERS:
        text = pattern.sub(repl, text)
    assert len(text) == len(doc.text)  # same-length rewrites keep every offset
    return Document(doc.id + "+markers", text, list(doc.spans), doc.source)


_LEAD_FIELD = re.compile(r"[（(](?:牵头单位|牵头部门)[：:]([^（()）]*?)[）)]")


def swap_lead_form(doc: Document) -> Document:
    """Rewrite ``（牵头单位：A、B）`` as ``（A、B牵头）`` or ``（A、B负责）`` (alternately).

    Only parentheses that hold nothing but the lead list are rewritten.
    """
    spans = sorted(doc.spans)
    out, new_spans, pos, shift = [], [], 0, 0
    for n, m in enumerate(_LEAD_FIELD.finditer(doc.text)):
        inner_start, inner_end = m.span(1)
        inside = [s for s in spans if m.start() <= s.start < m.end()]
        if not inside or any(not (inner_start <= s.start and s.end <= inner_end) for s in inside):
            continue
        out.append(doc.text[pos : m.start()])
        replacement = m.group()[0] + m.group(1) + ("牵头" if n % 2 == 0 else "负责") + m.group()[-1]
        delta = (m.start() + 1) - inner_start  # the list moves left by the removed label
        out.append(replacement)
        for s in spans:
            if pos <= s.start < m.start():
                new_spans.append(Span(s.start + shift, s.end + shift, s.label))
        new_spans += [Span(s.start + shift + delta, s.end + shift + delta, s.label) for s in inside]
        shift += len(replacement) - (m.end() - m.start())
        pos = m.end()
    if pos == 0:
        return Document(doc.id + "+leads", doc.text, list(doc.spans), doc.source)
    out.append(doc.text[pos:])
    new_spans += [Span(s.start + shift, s.end + shift, s.label) for s in spans if s.start >= pos]
    return Document(doc.id + "+leads", "".join(out), new_spans, doc.source)


AUGMENTATIONS = {"width": swap_width, "markers": swap_markers, "leads": swap_lead_form}
# Rewrites that draw on every training document at once (a pool of names), not one document alone.
CORPUS_AUGMENTATIONS = {"mentions": replace_mentions}


def augment(docs: list[Document], names: list[str], seed: int = 0) -> list[Document]:
    """Return one rewritten copy of each document per layout augmentation, applied on top of a random
    earlier copy, and the copies of each corpus augmentation (``mentions``: training.mentions)."""
    unknown = [n for n in names if n not in AUGMENTATIONS and n not in CORPUS_AUGMENTATIONS]
    if unknown:
        known = [*AUGMENTATIONS, *CORPUS_AUGMENTATIONS]
        raise ValueError(f"unknown augmentation(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    rng = random.Random(seed)
    out = [copy for n in names if n in CORPUS_AUGMENTATIONS for copy in CORPUS_AUGMENTATIONS[n](docs, seed)]
    names = [n for n in names if n in AUGMENTATIONS]
    for doc in docs:
        current = doc
        for name in names:
            current = AUGMENTATIONS[name](current if rng.random() < 0.5 else doc)
            if current.text != doc.text:
                out.append(current)
    return out
