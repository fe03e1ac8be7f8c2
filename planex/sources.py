"""Find the raw text a labelled document was made from (its ``source`` field).

A document with an empty ``source`` carries its own text (imported corpora, public
benchmarks): there is nothing to re-normalise it from, and it is evaluated as it is.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from planex import paths
from planex.document import Document
from planex.normalise import Normalised, normalise
from planex.textio import read_text

ROOT = paths.PROJECT
DEFAULT_CORPUS = paths.CORPUS  # read when called, so a test (or a caller) may point it elsewhere
# Plan documents gathered into the project itself; their ids (m00001…) never collide with those
# of the shared corpus, so a source 'corpus:ID' is looked up in both.
PROJECT_CORPUS = paths.PROJECT_CORPUS
# Document meta that marks text whose lines are sentences (``planex labels import --keep-line-breaks``):
# re-normalising it must not join its lines as PDF wraps.
KEEP_LINES_KEY, KEEP_LINES = "line_breaks", "keep"


class SourceMissingError(ValueError):
    """The raw text behind a document's ``source`` cannot be found here (no corpus, no seed file)."""


@lru_cache(maxsize=4)
def _corpus(path: str) -> dict[str, str]:
    return {r["id"]: r["text"] for r in map(json.loads, read_text(path).splitlines()) if r}


def source_text(source: str, corpus: Path | None = None) -> str:
    """Return the raw text behind ``source``: ``seeds/NAME.txt`` (relative to the project) or ``corpus:ID …``
    (looked up in ``corpus``, default :data:`planex.paths.CORPUS`, then in the project's
    ``corpus/plans_more.jsonl``). Raise :class:`SourceMissingError` saying what is missing and how to point at it.
    """
    corpus = corpus or DEFAULT_CORPUS
    if source.startswith("corpus:"):
        doc_id = source.split()[0].removeprefix("corpus:")
        for path in (corpus, PROJECT_CORPUS):
            if path.exists() and doc_id in (texts := _corpus(str(path))):
                return texts[doc_id]
        if not corpus.exists():
            raise SourceMissingError(
                f"source {source!r}: no document {doc_id} in {PROJECT_CORPUS}, and {paths.corpus_missing(corpus)}"
            )
        raise SourceMissingError(f"source {source!r}: no document {doc_id} in {corpus} or {PROJECT_CORPUS}")
    if not source.strip():
        raise ValueError("empty source: the document carries its own text")
    path = Path(source)
    path = path if path.is_absolute() else ROOT / path
    if not path.is_file():
        raise SourceMissingError(f"source {source!r}: {path} is not a file")
    return read_text(path)


def raw_of(doc: Document, corpus: Path | None = None) -> str | None:
    """The raw text ``doc`` was normalised from; None for a document that carries its own text (no source)."""
    if doc.source.startswith("feedback:"):
        return str(doc.meta.get("raw", ""))
    if not doc.source.strip():
        return None
    return source_text(doc.source, corpus)


def renormalised(doc: Document, corpus: Path | None = None) -> Normalised | None:
    """Normalise ``doc``'s source as today's normaliser does (keeping lines if the document says so); None
    for a document without a source. Raises ``OSError`` or ``ValueError`` when the source cannot be read."""
    raw = raw_of(doc, corpus)
    if raw is None:
        return None
    return normalise(raw, join_wraps=doc.meta.get(KEEP_LINES_KEY) != KEEP_LINES)


def as_is(text: str) -> Normalised:
    """The identity normalisation: ``text`` is its own raw text (a document that carries its own text)."""
    return Normalised(text, text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
