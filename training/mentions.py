"""Mention replacement: copies of the training documents whose lead units carry other names.

A network trained on a few hundred plans learns the unit names it saw (县住建局, 市发展改革委 …) more
than the places a lead unit stands in; in a by-family fold, without rule hints, it fitted its
training plans' lead units (F1 0.88) and found 8 % of a new family's. Writing each labelled
LEAD_UNIT again as another unit's name, drawn from the training documents or composed from the
place of one and the organ of another (汉阳区 + 交通运输局), keeps the context and changes the name,
so what the loss can still fit is the context. This is the "mention replacement" of Dai and Adel
(2020, "An Analysis of Simple Data Augmentation for Named Entity Recognition").
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from planex.document import Document, Span

# `汉阳区` + `交通运输局`, `市` + `教育局`: a place of at most six characters, then an organ. `各县（市、区）…`
# and names with brackets are not split (a split would leave half a bracket).
_PLACE = re.compile(
    r"^([^各（(）)\s]{0,5}?(?:省|自治区|市|自治州|州|盟|县|区|旗|镇|乡|街道))"
    # the shortest place: `市` of 市住房城乡建设局; never the head of an organ (市委…, 市场…, 乡村…)
    r"(?!委|场|村|直|级|属|民|镇|乡|区)([^（()）\s]{2,})$"
)

_NOT_PLACE = re.compile(r"城|强|试点|景区")


@dataclass(frozen=True)
class NamePool:
    """Unit names seen as lead units, and their places and organs, to draw new names from."""

    names: tuple[str, ...]
    places: tuple[str, ...]
    organs: tuple[str, ...]

    @classmethod
    def of(cls, docs: list[Document], label: str = "LEAD_UNIT") -> NamePool:
        names = sorted({d.text[s.start : s.end] for d in docs for s in d.spans if s.label == label})
        # `住房城乡` + 建设局, `试点城市` + …: a split at 乡/市 inside a word is no place.
        split = [(p, o) for p, o in (m.groups() for m in map(_PLACE.match, names) if m) if not _NOT_PLACE.search(p)]
        return cls(tuple(names), tuple(sorted({p for p, _ in split})), tuple(sorted({o for _, o in split})))

    def draw(self, rng: random.Random, original: str) -> str:
        """Another name: half the time a seen one, else a seen organ under a seen place (or bare, as the
        original is); never the original itself when the pool has any other."""
        for _ in range(8):
            if self.organs and rng.random() < 0.5:
                placed = bool(_PLACE.match(original)) or not original
                name = (rng.choice(self.places) if placed and self.places else "") + rng.choice(self.organs)
            else:
                name = rng.choice(self.names) if self.names else original
            if name != original:
                return name
        return original


# The share of a renamed document's lead units that get another name (the rest keep theirs).
NAME_SHARE = 0.8


def replace_mentions(
    docs: list[Document], seed: int = 0, share: float = NAME_SHARE, label: str = "LEAD_UNIT"
) -> list[Document]:
    """One copy of each document that has a ``label`` span, a ``share`` of those spans renamed from the
    pool of all the documents' names; the other spans keep their words and move with the text.

    Task links are dropped from the copies: training reads spans only."""
    pool = NamePool.of(docs, label)
    rng = random.Random(seed)
    copies = (renamed(doc, pool, rng, share, label) for doc in docs)
    return [copy for copy in copies if copy is not None]


def rename_some(
    docs: list[Document], pool: NamePool, rng: random.Random, share_docs: float, label: str = "LEAD_UNIT"
) -> list[Document]:
    """``docs`` with a ``share_docs`` of those that have a ``label`` span shown renamed instead of as
    written (``--rename-leads``, drawn afresh each epoch): no document is seen more often than another."""
    out = []
    for doc in docs:
        has = any(s.label == label for s in doc.spans)
        copy = renamed(doc, pool, rng, NAME_SHARE, label) if has and rng.random() < share_docs else None
        out.append(copy or doc)
    return out


def renamed(doc: Document, pool: NamePool, rng: random.Random, share: float, label: str) -> Document | None:
    """``doc`` with a ``share`` of its ``label`` spans renamed from ``pool``; None when nothing changed."""
    pieces: list[str] = []
    spans: list[Span] = []
    pos = shift = 0
    for s in sorted(doc.spans):
        if s.label != label or rng.random() >= share:
            spans.append(Span(s.start + shift, s.end + shift, s.label))
            continue
        name = pool.draw(rng, doc.text[s.start : s.end])
        pieces += [doc.text[pos : s.start], name]
        spans.append(Span(s.start + shift, s.start + shift + len(name), s.label))
        shift += len(name) - (s.end - s.start)
        pos = s.end
    if not pos:
        return None
    pieces.append(doc.text[pos:])
    return Document(doc.id + "+mentions", "".join(pieces), spans, doc.source)
