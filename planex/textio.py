"""Reading user files with errors that say what to do."""

from __future__ import annotations

from pathlib import Path


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
