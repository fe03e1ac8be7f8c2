"""The committed labels: valid, tied to the current normaliser, documents never split."""

from __future__ import annotations

from pathlib import Path

import pytest

from planex.document import Document
from planex.labelfile import load_documents
from planex.normalise import normalise
from planex.scheme import load_scheme
from planex.sources import source_text

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "labels"


def seed_documents() -> list[Document]:
    return load_documents([LABELS / "seeds"], load_scheme())


def test_labels_data_all_valid() -> None:
    docs = load_documents([LABELS], load_scheme())
    assert len(docs) >= 65


def test_labels_data_seed_text_matches_normaliser() -> None:
    """A normaliser change that would shift seed labels fails here: migrate with `planex labels renormalise`."""
    docs = {d.id: d for d in seed_documents()}
    assert len(docs) == 5
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        assert docs[path.stem].text == normalise(path.read_text(encoding="utf-8")).text, path.name


def test_labels_data_corpus_text_matches_normaliser() -> None:
    corpus = ROOT.parent / "shared" / "corpus" / "plans.jsonl"
    if not corpus.exists():
        pytest.skip(f"{corpus} not present (CI and developers have ../shared beside the clone)")
    docs = load_documents([LABELS / "corpus", LABELS / "heldout"], load_scheme())
    assert any(d.source.startswith("corpus:") for d in docs)
    for d in docs:  # shared documents, and gathered ones (m…) from the project's corpus/plans_more.jsonl
        assert d.text == normalise(source_text(d.source, corpus)).text, d.id
