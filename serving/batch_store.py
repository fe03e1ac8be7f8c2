"""Where ``planex batch`` keeps its records: an append-only journal, and the output file made from it.

A run appends one JSON line per finished document to the journal and flushes it, so a crash or
kill loses at most the document being written (a torn last line is dropped on the next start).
For a ``.jsonl`` output the journal *is* the output; for ``.parquet``, ``.csv`` and ``.xlsx`` it is
``OUT.journal.jsonl`` beside it, and the output is written atomically from it when the run ends.
``--resume`` reads the ids already done from the journal, or from the finished output.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from planex import atomic

FORMATS = (".jsonl", ".parquet", ".csv", ".xlsx")
# Flat formats hold the nested parts as JSON strings: one column each, whatever the labels.
COLUMNS = ("id", "error", "characters", "source", "entities", "tasks", "unattached", "text")
NESTED = ("source", "entities", "tasks", "unattached")
XLSX_CELL = 32767  # the most characters Excel keeps in a cell


def check_out(out: Path) -> None:
    """Refuse an output name whose format is not known, before any work."""
    if out.suffix.lower() not in FORMATS:
        raise ValueError(f"--out {out}: name a {', '.join(FORMATS)} file")


def journal_path(out: Path) -> Path:
    return out if out.suffix.lower() == ".jsonl" else out.with_name(out.name + ".journal.jsonl")


class Journal:
    """Append-only JSONL of finished records; ``done`` holds their ids."""

    def __init__(self, out: Path, resume: bool):
        check_out(out)
        self.out = out
        self.path = journal_path(out)
        records: list[dict[str, Any]] = []
        if resume:
            if self.path.exists():
                records = _read_journal(self.path)
            elif out.exists():  # a finished run of a flat format: carry its records on
                records = read_records(out)
                atomic.write_text(self.path, "".join(_line(r) for r in records))
        elif out.exists() or (self.path != out and self.path.exists()):
            raise ValueError(f"{out} exists: add --resume to continue that run, or remove it to start again")
        self.done = {r["id"] for r in records}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")

    def append(self, record: dict[str, Any]) -> None:
        self._file.write(_line(record))
        self._file.flush()  # a killed run keeps every document written so far
        self.done.add(record["id"])

    def close(self) -> None:
        self._file.close()

    def finish(self) -> int:
        """Close the journal and write the output file from it; return the number of records."""
        self.close()
        records = _read_journal(self.path)
        if self.path != self.out:
            write_records(self.out, records)
            self.path.unlink()
        return len(records)


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def _read_journal(path: Path) -> list[dict[str, Any]]:
    """The records of a journal; a torn last line (a killed writer) is cut off the file and dropped."""
    data = path.read_bytes()
    keep = data if data.endswith(b"\n") or not data else data[: data.rfind(b"\n") + 1]
    if len(keep) != len(data):
        with path.open("r+b") as f:
            f.truncate(len(keep))
    records = []
    for n, line in enumerate(keep.decode("utf-8").splitlines(), 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} line {n} is not a JSON record ({e}): remove the line, then --resume") from None
    return records


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    row = {c: record.get(c) for c in COLUMNS}
    for c in NESTED:
        row[c] = None if row[c] is None else json.dumps(row[c], ensure_ascii=False)
    return row


def _nested(row: dict[str, Any]) -> dict[str, Any]:
    # CSV and XLSX cannot tell an empty cell from a missing value: both are None here.
    record: dict[str, Any] = {c: None if row.get(c) in (None, "") else row[c] for c in COLUMNS}
    for c in NESTED:
        if record[c] is not None:
            record[c] = json.loads(record[c])
    if record["characters"] is not None:
        record["characters"] = int(record["characters"])
    return record


def write_records(out: Path, records: Iterable[dict[str, Any]]) -> None:
    """Write ``records`` to ``out`` in the format its suffix names, atomically."""
    records = list(records)
    rows = [_flat(r) for r in records]
    suffix = out.suffix.lower()
    with atomic.file(out) as target:
        if suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = pa.schema([(c, pa.int64() if c == "characters" else pa.string()) for c in COLUMNS])
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), target)
        elif suffix == ".csv":
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
            target.write_text(buf.getvalue(), encoding="utf-8-sig")  # BOM: Excel reads it as UTF-8
        elif suffix == ".xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("documents")
            sheet.append(list(COLUMNS))
            for row in rows:
                if any(isinstance(v, str) and len(v) > XLSX_CELL for v in row.values()):
                    raise ValueError(
                        f"document {row['id']} does not fit an XLSX cell ({XLSX_CELL} characters): write "
                        f".jsonl or .parquet (the records are kept in {journal_path(out)})"
                    )
                sheet.append([row[c] for c in COLUMNS])
            book.save(target)
        else:
            target.write_text("".join(_line(r) for r in records), encoding="utf-8")


def read_records(out: Path) -> list[dict[str, Any]]:
    """The records of a finished output file (any of the formats)."""
    suffix = out.suffix.lower()
    if suffix == ".jsonl":
        return _read_journal(out)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
    elif suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        values = load_workbook(out, read_only=True).active.iter_rows(values_only=True)
        header = [str(h) for h in next(values)]
        rows = [dict(zip(header, v, strict=False)) for v in values]  # trailing empty cells are not read back
    else:
        raise ValueError(f"{out}: not a {', '.join(FORMATS)} file")
    return [_nested(r) for r in rows]
