"""Find the raw text a labelled document was made from (its ``source`` field)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from planex.textio import read_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "plans.jsonl"
# Plan documents gathered into the project itself (corpus/README.md); their ids (m00001…) never
# collide with those of the shared corpus, so a source 'corpus:ID' is looked up in both.
PROJECT_CORPUS = ROOT / "corpus" / "plans_more.jsonl"


@lru_cache(maxsize=4)
def _corpus(path: str) -> dict[str, str]:
    return {r["id"]: r["text"] for r in map(json.loads, read_text(path).splitlines()) if r}


def source_text(source: str, corpus: Path = DEFAULT_CORPUS) -> str:
    """Return the raw text behind ``source``: ``seeds/NAME.txt`` (relative to the project) or ``corpus:ID …``
    (looked up in ``corpus``, then in the project's ``corpus/plans_more.jsonl``)."""
    if source.startswith("corpus:"):
        doc_id = source.split()[0].removeprefix("corpus:")
        for path in (corpus, PROJECT_CORPUS):
            if path.exists() and doc_id in (texts := _corpus(str(path))):
                return texts[doc_id]
        raise ValueError(f"source {source!r}: no document {doc_id} in {corpus} or {PROJECT_CORPUS}")
    path = Path(source)
    return read_text(path if path.is_absolute() else ROOT / path)
