"""Find the raw text a labelled document was made from (its ``source`` field)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from planex.textio import read_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "plans.jsonl"


@lru_cache(maxsize=4)
def _corpus(path: str) -> dict[str, str]:
    return {r["id"]: r["text"] for r in map(json.loads, read_text(path).splitlines()) if r}


def source_text(source: str, corpus: Path = DEFAULT_CORPUS) -> str:
    """Return the raw text behind ``source``: ``seeds/NAME.txt`` (relative to the project) or ``corpus:ID …``."""
    if source.startswith("corpus:"):
        doc_id = source.split()[0].removeprefix("corpus:")
        texts = _corpus(str(corpus))
        if doc_id not in texts:
            raise ValueError(f"source {source!r}: no document {doc_id} in {corpus}")
        return texts[doc_id]
    path = Path(source)
    return read_text(path if path.is_absolute() else ROOT / path)
