"""Reading user files with errors that say what to do."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def read_text(path: str | Path) -> str:
    """Read a UTF-8 file (a BOM is dropped); raise ValueError naming the file on bad encoding."""
    path = Path(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        hint = ""
        try:
            data.decode("gb18030")
            hint = " It decodes as GB18030: convert it with `iconv -f gb18030 -t utf-8`."
        except UnicodeDecodeError:
            pass
        raise ValueError(f"{path}: not valid UTF-8 at byte {e.start}.{hint}") from None


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
