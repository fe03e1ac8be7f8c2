"""Weak supervision: unlabelled plans labelled by the rule extractor, for a first training stage.

Gold labels are few (dozens of documents); the corpus has hundreds of unlabelled plans from
other provinces and topics. The rule extractor (``planex.rules``) labels a sample of them,
noisily: it misses whatever its patterns do not cover. The model trains on that first, then on
the gold labels, which correct it. A document whose text has gold labels anywhere in the label
files is never weak-labelled, so evaluation documents stay unseen.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

from planex import rules
from planex.document import Document
from planex.normalise import normalise
from training.textsource import iter_raw


@functools.lru_cache(maxsize=4)
def _sample(paths: tuple[Path, ...], max_chars: int, seed: int, exclude: frozenset[str]) -> tuple[Document, ...]:
    raws = list(iter_raw(list(paths)))
    random.Random(seed).shuffle(raws)
    docs: list[Document] = []
    total = 0
    for name, raw in raws:
        if total >= max_chars:
            break
        text = normalise(raw).text
        if not text.strip() or text in exclude:
            continue
        docs.append(Document(f"weak:{name}", text, rules.extract(text), source=name))
        total += len(text)
    return tuple(docs)


def weak_documents(paths: list[Path], exclude_texts: set[str], max_chars: int, seed: int) -> list[Document]:
    """Rule-labelled documents from ``paths`` (about ``max_chars`` characters), none of ``exclude_texts``."""
    return list(_sample(tuple(paths), max_chars, seed, frozenset(exclude_texts)))
