"""Turn document files (PDF, Word .docx, HTML pages, plain text) into plan text for the extractor.

One small module per format, each returning a :class:`Document`: the text, where each PDF page
starts, the encoding a text file was read with. Table rows become one line each, cells joined by
:data:`CELL_SEPARATOR`. Extraction itself is not done here: the text goes through the same
pipeline as pasted text (:mod:`planex.inference`), so its offsets index ``Document.text``.

>>> read_document("（一）建设数据平台。".encode("gb18030"), "plan.txt").encoding
'gb18030'
"""

from __future__ import annotations

from pathlib import PurePath

from planex.documents.result import (
    CELL_SEPARATOR,
    Document,
    DocumentError,
    Kind,
    NoTextLayer,
    TooManyPages,
    UnreadableDocument,
    UnsupportedDocument,
)

__all__ = [
    "CELL_SEPARATOR",
    "SUFFIXES",
    "Document",
    "DocumentError",
    "Kind",
    "NoTextLayer",
    "TooManyPages",
    "UnreadableDocument",
    "UnsupportedDocument",
    "kind_of",
    "read_document",
]

SUFFIXES: dict[str, Kind] = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "txt"}
# Types people will try, with what to do instead.
_ADVICE = {
    ".doc": "save it as .docx (Word: File > Save As > Word Document)",
    ".wps": "save it as .docx from WPS Office",
    ".rtf": "save it as .docx",
    ".odt": "save it as .docx (LibreOffice: File > Save As > Word 2007-365)",
    ".xls": "save the sheet as .xlsx and copy the table into a .docx, or export the plan as PDF",
    ".xlsx": "copy the table into a .docx, or export the plan as PDF",
    ".ofd": "export it as PDF from the OFD reader",
}


def kind_of(data: bytes, name: str) -> Kind:
    """The file's type from its name, checked against its first bytes (a PDF named .docx is read as PDF)."""
    suffix = PurePath(name).suffix.lower()
    if data.lstrip()[:5] == b"%PDF-" or (suffix == ".pdf" and b"%PDF-" in data[:1024]):
        return "pdf"
    if suffix == ".pdf":
        raise UnreadableDocument(
            f"{name} is not a PDF (it does not start with %PDF-): check that the whole file was sent"
        )
    if suffix == ".docx" or (data.startswith(b"PK\x03\x04") and b"word/" in data[:4096]):
        return "docx"  # the DOCX reader says so if it is not one
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    accepted = ", ".join(SUFFIXES)
    advice = _ADVICE.get(suffix, f"send one of {accepted}")
    raise UnsupportedDocument(
        f"{name}: planex reads {accepted} files, not {suffix or 'files without a suffix'}; {advice}"
    )


def read_document(data: bytes, name: str, max_pages: int | None = None) -> Document:
    """Read a document file into text; raise a :class:`DocumentError` whose message says what to do."""
    if not data.strip():
        raise UnreadableDocument(f"{name} is empty: check that the whole file was sent")
    kind = kind_of(data, name)
    if kind == "pdf":
        from planex.documents.pdf import read_pdf

        return read_pdf(data, name, max_pages)
    if kind == "docx":
        from planex.documents.word import read_docx

        return read_docx(data, name)
    if kind == "html":
        from planex.documents.web import read_html

        return read_html(data, name)
    from planex.documents.plain import read_txt

    return read_txt(data, name)
