"""Read raw pretraining text from folders of .txt files or JSONL (or gzipped JSONL) files with a ``text`` field."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from planex.normalise import normalise
from planex.textio import read_text


def iter_jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record) for each non-blank line; every record must have a ``text`` string."""
    if path.name.endswith(".gz"):
        try:
            text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"{path}: not gzipped UTF-8 JSONL ({e})") from None
    else:
        text = read_text(path)
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} line {n}: not valid JSON ({e.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ValueError(f"{path} line {n}: expected a JSON object with a 'text' string")
        yield n, record


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
