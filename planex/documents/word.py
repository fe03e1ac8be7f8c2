"""Word .docx files, read with python-docx: paragraphs and tables in document order, rows as lines."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from planex.documents.result import Document, UnreadableDocument, table_lines

# A .docx is a zip: a small upload could unpack to gigabytes (a zip bomb). Real plans unpack to a few MB.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def _rows(table: Any) -> list[list[str]]:
    from docx.table import _Cell

    # The row's own cell elements, not python-docx's row.cells: that repeats a merged cell in every
    # grid column and row it covers, which would repeat a merged task name on each of its rows.
    # A vertically merged cell's continuation has no text of its own, so it reads as an empty cell.
    return [[_Cell(tc, table).text for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def read_docx(data: bytes, name: str) -> Document:
    """Read the body of a .docx (headers, footers, comments and text boxes are left out)."""
    import docx
    from docx.table import Table

    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE compound file: Word 97-2003, or Office encryption
        raise UnreadableDocument(
            f"{name} is an old Word .doc file or a password-protected .docx: open it in Word or LibreOffice "
            "and save it as .docx without a password"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(item.file_size for item in package.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise UnreadableDocument(
                f"{name} would unpack to {unpacked} bytes, more than a Word document holds "
                f"({MAX_UNPACKED_BYTES}): it is not an ordinary .docx"
            )
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines += table_lines(_rows(block))
            else:
                lines += [line.rstrip() for line in block.text.splitlines() if line.strip()]
    except UnreadableDocument:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise UnreadableDocument(
            f"cannot read {name}: it is damaged or not a Word .docx file ({e}): check that the whole file "
            "was sent, or save it again as .docx"
        ) from None
    except Exception as e:  # python-docx and lxml raise their own kinds on a broken package
        raise UnreadableDocument(f"cannot read {name}: {type(e).__name__}: {e}; save it again as .docx") from None
    if not lines:
        raise UnreadableDocument(f"{name} has no text in its body")
    return Document(name, "docx", "\n".join(lines))
