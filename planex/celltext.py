"""The text a reader wants in a table cell for a span: its normalised characters, spacing tidied.

A span's raw text (``raw[start:end]``) is what was posted, noise included: traditional script,
pinyin annotations (``區(qū)``), misdecoded runs, a PDF line wrap inside a unit name. The
normaliser has already repaired those in the text the model read, so the cell text is that
normalised slice. Layout spacing is tidied too: a run of whitespace (spaces, full-width
spaces ``\\u3000``, no-break spaces, line breaks) beside a Chinese character or full-width
punctuation is dropped, as Chinese is written without spaces and such runs come from
justified PDF lines or table padding (``市统计局\\u3000\\u3000`` → ``市统计局``); elsewhere
(``Wi-Fi  6``) it becomes one space.
"""

from __future__ import annotations

import re

from planex.normalise import Normalised

# Han, CJK punctuation and symbols, and full-width forms (not the full-width space): no space beside them.
_WIDE = r"\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_BESIDE_WIDE = re.compile(rf"(?<=[{_WIDE}])\s+|\s+(?=[{_WIDE}])")
_RUN = re.compile(r"\s+")


def tidy(text: str) -> str:
    """Drop whitespace runs beside Chinese characters, collapse the others to one space, strip the ends.

    >>> tidy("市统计局\\u3000 市大数据局\\n"), tidy("Wi-Fi \\u3000 6 网络")
    ('市统计局市大数据局', 'Wi-Fi 6网络')
    """
    return _RUN.sub(" ", _BESIDE_WIDE.sub("", text)).strip()


def cell_text(norm: Normalised, start: int, end: int) -> str:
    """The reader's text of the normalised span ``[start, end)`` of ``norm``.

    >>> from planex.normalise import normalise
    >>> n = normalise("牽頭單位：市大數(shù)據(jù)局\\u3000")
    >>> cell_text(n, 5, len(n.text))
    '市大数据局'
    """
    return tidy(norm.text[start:end])
