"""Drafts for review: raw texts normalised, with the rule extractor's spans proposed (``labels preannotate``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from planex import rules
from planex.document import Document
from planex.labelfile import merge_touching
from planex.normalise import normalise
from planex.textio import read_text


def raw_inputs(paths: Iterable[Path], ids: list[str]) -> list[tuple[str, str, str]]:
    """(id, source, raw text) per document: ``.txt`` files as seeds, or the records ``ids`` of a JSONL corpus."""
    out = []
    for path in paths:
        if path.suffix == ".jsonl":
            records = {r["id"]: r for r in map(json.loads, read_text(path).splitlines()) if r}
            missing = [i for i in ids if i not in records]
            if missing:
                raise ValueError(f"{path}: no records with ids {', '.join(missing)}")
            out += [(i, f"corpus:{i} {records[i].get('url', '')}".strip(), records[i]["text"]) for i in ids]
        else:
            out.append((path.stem, f"seeds/{path.name}", read_text(path)))
    return out


def rule_drafts(inputs: Iterable[tuple[str, str, str]]) -> list[Document]:
    """One draft per (id, source, raw): the normalised text and the rules' spans."""
    docs = []
    for doc_id, source, raw in inputs:
        text = normalise(raw).text
        # The rules may propose one label twice in a row, which a label file may not hold (span_problems).
        docs.append(Document(doc_id, text, merge_touching(rules.extract(text)), source))
    return docs
