"""HTML pages: trafilatura finds the main content (no menus, footers, view counts); tables become rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from planex.documents.plain import decode
from planex.documents.result import Document, UnreadableDocument, join_wrapped, table_lines

# Elements of trafilatura's XML output that hold text lines of their own.
_CONTAINERS = {"main", "doc", "list", "quote", "div", "body"}


def _text(element: Any) -> str:
    return join_wrapped("".join(element.itertext()).splitlines())


def _lines(element: Any) -> Iterator[str]:
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        if child.tag == "table":
            rows = [[_text(cell) for cell in row if cell.tag == "cell"] for row in child.iter("row")]
            yield from table_lines(rows)
        elif child.tag in _CONTAINERS or any(grand.tag in ("list", "table", "p") for grand in child):
            yield from _lines(child)
        else:
            text = _text(child)
            if text:
                yield text


def read_html(data: bytes, name: str) -> Document:
    """Read the main content of an HTML page, in the page's order."""
    import trafilatura
    from lxml import etree

    html, encoding = decode(data, name)
    try:
        xml = trafilatura.extract(
            html, output_format="xml", include_tables=True, include_comments=False, include_images=False,
            include_links=False, favor_recall=True,
        )  # fmt: skip
    except Exception as e:  # lxml's parser errors on a broken page
        raise UnreadableDocument(f"cannot read {name} as HTML ({type(e).__name__}: {e})") from None
    if not xml:
        raise UnreadableDocument(f"{name}: no text found in the page; is it an HTML page with the plan in it?")
    root = etree.fromstring(xml.encode("utf-8"))
    body = root.find("main")
    lines = list(_lines(body if body is not None else root))
    if not lines:
        raise UnreadableDocument(f"{name}: no text found in the page; is it an HTML page with the plan in it?")
    return Document(name, "html", "\n".join(lines), encoding=encoding)
