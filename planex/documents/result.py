"""What every reader returns, the errors they raise, and how table rows become lines."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["pdf", "docx", "html", "txt"]

# Cells of a table row are joined with this, one row per line. The bar is visible to the model (BERT
# tokenizers drop tabs and spaces, so a tab would run the cells together), and the normaliser keeps
# the line breaks around a line holding it, so rows stay rows (planex.normalise._line_wraps).
CELL_SEPARATOR = " | "


class DocumentError(ValueError):
    """A file that cannot be turned into text; the message says why and what to do."""


class UnsupportedDocument(DocumentError):
    """The file is of a type planex does not read (an HTTP server answers 415)."""


class UnreadableDocument(DocumentError):
    """The file is corrupt, encrypted, or not what its name says (422)."""


class NoTextLayer(UnreadableDocument):
    """A PDF whose pages are images only, such as a scan (422: planex runs no OCR)."""


class TooManyPages(DocumentError):
    """A PDF over the page limit (413); ``pages`` and ``limit`` let a server name its setting."""

    def __init__(self, name: str, pages: int, limit: int):
        super().__init__(f"{name} has {pages} pages; the limit is {limit}: split the file or raise the limit")
        self.pages = pages
        self.limit = limit


@dataclass(frozen=True)
class Document:
    """The text of a document file, with where each page starts (PDF) and the encoding read (text files).

    >>> doc = Document("a.pdf", "pdf", "第一页\\n第二页", page_starts=(0, 4))
    >>> doc.page_at(5), doc.pages
    (2, 2)
    """

    name: str
    kind: Kind
    text: str
    page_starts: tuple[int, ...] = ()  # offset in ``text`` where each page begins; empty when not paged
    encoding: str | None = None  # the encoding the bytes were decoded with (txt and html)
    empty_pages: tuple[int, ...] = ()  # 1-based PDF pages without a text layer (images, blank pages)

    @property
    def pages(self) -> int | None:
        """Number of pages, None for formats without fixed pages (DOCX, HTML, text)."""
        return len(self.page_starts) or None

    def page_at(self, offset: int) -> int | None:
        """1-based page holding ``text[offset]`` (None when not paged)."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))


def _wide(ch: str) -> bool:
    # CJK characters and full-width punctuation: a line wrap between two of them is no space.
    return ord(ch) >= 0x2E80


def join_wrapped(lines: Iterable[str]) -> str:
    """Join the lines of one table cell or paragraph fragment, as the reader would see them.

    >>> join_wrapped(["加快数据整合利用，构建经济治理", "数据库"]), join_wrapped(["open", "data"])
    ('加快数据整合利用，构建经济治理数据库', 'open data')
    """
    out = ""
    for line in lines:
        line = " ".join(line.split())
        if not line:
            continue
        if out and not (_wide(out[-1]) or _wide(line[0])):
            out += " "
        out += line
    return out


_BAR = re.compile(r"\s*\|\s*")


def table_lines(rows: Iterable[Sequence[str | None]]) -> list[str]:
    """One line per row, cells joined with :data:`CELL_SEPARATOR`; empty rows are left out.

    A cell's own line breaks are joined (:func:`join_wrapped`), and a bar inside a cell becomes
    a full-width ``｜`` so that the separator stays unambiguous.

    >>> table_lines([["序号", "任务", "责任单位"], ["1", "建设数据\\n平台", None], [None, "", None]])
    ['序号 | 任务 | 责任单位', '1 | 建设数据平台 |']
    """
    lines = []
    for row in rows:
        cells = [_BAR.sub("｜", join_wrapped((cell or "").splitlines())) for cell in row]
        if any(cells):
            lines.append(CELL_SEPARATOR.join(cells).rstrip())
    return lines
