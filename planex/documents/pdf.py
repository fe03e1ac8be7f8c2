"""PDF files with a text layer, read with pdfplumber: text in reading order, ruled tables as rows."""

from __future__ import annotations

import io
import re
from typing import Any

from planex.documents.result import Document, NoTextLayer, TooManyPages, UnreadableDocument, table_lines

# A page number alone on the first or last line of a page (— 3 —, - 3 -, 3, 第3页, 3/12, 第3页 共12页):
# left in, it would split a sentence that runs on to the next page.
_PAGE_NUMBER = re.compile(
    r"[\s\-—–－]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*(?:/|共)\s*\d{1,4}\s*页?)?[\s\-—–－]*",
)


def _reason(e: BaseException) -> str:
    inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
    name = type(inner).__name__
    if name == "PDFPasswordIncorrect":
        return "it is encrypted with a password: save a copy without the password and send that"
    detail = str(inner) or name
    return f"it is damaged or not a PDF ({detail}): check that the whole file was sent, or export it again"


def _drop_page_numbers(lines: list[str]) -> list[str]:
    """Drop a page number on the first or last line of a page.

    >>> _drop_page_numbers(["— 3 —", "正文", "第 4 页 共 12 页"])
    ['正文']
    """
    if lines and _PAGE_NUMBER.fullmatch(lines[-1]):
        lines = lines[:-1]
    if lines and _PAGE_NUMBER.fullmatch(lines[0]):
        lines = lines[1:]
    return lines


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _page_lines(page: Any) -> list[str]:
    """The lines of one page: text between tables as pdfplumber lays it out, each table row as one line."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    if not tables:
        return _text_lines(page)
    boxes = [t.bbox for t in tables]
    rest = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    lines: list[str] = []
    top = page.bbox[1]
    for table in tables:
        if table.bbox[1] > top:
            lines += _text_lines(rest.crop((page.bbox[0], top, page.bbox[2], table.bbox[1])))
        lines += table_lines(table.extract())
        top = max(top, table.bbox[3])
    if top < page.bbox[3]:
        lines += _text_lines(rest.crop((page.bbox[0], top, page.bbox[2], page.bbox[3])))
    return lines


def _text_lines(page: Any) -> list[str]:
    return [line.rstrip() for line in (page.extract_text() or "").splitlines() if line.strip()]


def read_pdf(data: bytes, name: str, max_pages: int | None = None) -> Document:
    """Read a PDF's text layer page by page; refuse scans, encrypted and damaged files with the reason."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            if max_pages is not None and count > max_pages:
                raise TooManyPages(name, count, max_pages)
            pages = []
            for page in pdf.pages:
                pages.append(_drop_page_numbers(_page_lines(page)) if page.chars else [])
                page.close()  # frees the page's parsed objects: long files stay small in memory
    except TooManyPages:
        raise
    except Exception as e:  # pdfminer raises many kinds on a broken file; each means the file is unreadable
        raise UnreadableDocument(f"cannot read {name}: {_reason(e)}") from None
    if count == 0:
        raise UnreadableDocument(f"{name} has no pages")
    empty = tuple(i + 1 for i, lines in enumerate(pages) if not lines)
    if len(empty) == count:
        raise NoTextLayer(
            f"{name} has no text layer: its {count} page(s) are images, as in a scanned document. planex does "
            "not run OCR; send the PDF exported from the program that wrote it, or OCR it first "
            "(e.g. ocrmypdf -l chi_sim) and send the result"
        )
    text, starts = "", []
    for lines in pages:
        if text:
            text += "\n"
        starts.append(len(text))
        text += "\n".join(lines)
    return Document(name, "pdf", text, page_starts=tuple(starts), empty_pages=empty)
