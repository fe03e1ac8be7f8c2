"""Cross-validation folds by layout family: no test document's family is in its training folds.

This measures what a new user meets: plans laid out in a way the model has never seen. Whole
families go to one fold each, balanced by characters greedily (largest family first into the
lightest fold, ties by name and fold number), so the same documents always give the same folds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planex import paths
from planex.document import Document
from planex.layouts import classify, documents
from planex.sources import PROJECT_CORPUS, raw_of


@dataclass(frozen=True)
class FamilyFolds:
    folds: list[list[Document]]  # the documents each fold tests
    families: list[list[str]]  # the layout families each fold tests
    classified: dict[str, str]  # documents not in the families file: id → family found by planex.layouts.classify


def document_families(docs: list[Document], families: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The family of each document id, from ``families`` (``labels/families.tsv``) or, for a document
    missing from it, classified here; the second mapping holds those classified here."""
    found: dict[str, str] = {}
    classified: dict[str, str] = {}
    missing = [d for d in docs if d.id not in families]
    records = _corpus_records({_corpus_id(d) for d in missing})
    for d in docs:
        family = families.get(d.id)
        if family is None:
            family = classified[d.id] = classify(*records.get(_corpus_id(d), _own_record(d)))
        found[d.id] = family
    return found, classified


def _corpus_id(doc: Document) -> str:
    return doc.source.split()[0].removeprefix("corpus:") if doc.source.startswith("corpus:") else ""


def _corpus_records(ids: set[str]) -> dict[str, tuple[str, str, str]]:
    """Raw text, title and script of the corpus records ``ids``: the title names some families (预案, 报告,
    规划) and the script another (traditional reposts), as when the families file was written."""
    corpora = [path for path in (paths.CORPUS, PROJECT_CORPUS) if path.is_file()]
    if not ids - {""} or not corpora:
        return {}
    return {i: (raw, title, script) for i, raw, title, script in documents(corpora, []) if i in ids}


def _own_record(doc: Document) -> tuple[str, str, str]:
    # Without its corpus record, the document's raw source or its own (normalised) text, which classifies
    # the same except for the title families and traditional script (normalising simplifies it).
    try:
        raw = raw_of(doc) or doc.text
    except (OSError, ValueError):
        raw = doc.text
    return raw, str(doc.meta.get("title", "")), str(doc.meta.get("script", "simplified"))


def family_folds(docs: list[Document], k: int, families: Mapping[str, str]) -> FamilyFolds:
    """Split ``docs`` into ``k`` folds of whole layout families, balanced by characters."""
    of, classified = document_families(docs, families)
    groups: dict[str, list[Document]] = {}
    for d in sorted(docs, key=lambda d: d.id):
        groups.setdefault(of[d.id], []).append(d)
    if not 2 <= k <= len(groups):
        raise ValueError(
            f"--family-folds must be between 2 and the number of layout families among the documents ({len(groups)})"
        )
    size = {name: sum(len(d.text) for d in group) for name, group in groups.items()}
    folds: list[list[Document]] = [[] for _ in range(k)]
    names: list[list[str]] = [[] for _ in range(k)]
    chars = [0] * k
    for name in sorted(groups, key=lambda n: (-size[n], n)):
        i = min(range(k), key=lambda j: (chars[j], j))
        folds[i] += groups[name]
        names[i].append(name)
        chars[i] += size[name]
    return FamilyFolds(folds, names, classified)
