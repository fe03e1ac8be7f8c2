"""Read raw pretraining text from folders of .txt files or JSONL (or gzipped JSONL) files with a ``text`` field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from planex.normalise import normalise
from planex.textio import iter_jsonl_records, read_text


def iter_raw(paths: list[Path]) -> Iterator[tuple[str, str]]:
    """Yield (name, raw text) for every document under ``paths``."""
    for path in paths:
        if path.is_dir():
            yield from ((str(p), read_text(p)) for p in sorted(path.rglob("*.txt")))
        elif path.name.endswith((".jsonl", ".jsonl.gz")):
            for n, record in iter_jsonl_records(path):
                yield f"{path}:{record.get('id', n)}", record["text"]
        elif path.exists():
            yield str(path), read_text(path)
        else:
            raise ValueError(f"{path}: no such file or folder")


def iter_normalised(paths: list[Path]) -> Iterator[tuple[str, str]]:
    for name, raw in iter_raw(paths):
        yield name, normalise(raw).text
