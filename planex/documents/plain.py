"""Plain text files: UTF-8, GB18030 (and so GBK and GB2312) or UTF-16, found from the bytes."""

from __future__ import annotations

import codecs
import re

from planex.documents.result import Document, UnreadableDocument

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with that one
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Characters of Chinese plan text: ASCII, Latin with tone marks (pinyin), punctuation and symbols,
# CJK, full-width forms. Bytes that decode as UTF-16 or GB18030 into much else are not such text.
_PLAN_CHARS = re.compile(
    "[\t-\r -~\xa0-\u024f\u2000-\u27bf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)


def _plausible(text: str, encoding: str) -> bool:
    if len(_CONTROL.findall(text)) > len(text) // 100:
        return False
    return encoding == "utf-8" or len(_PLAN_CHARS.findall(text)) >= 0.9 * len(text)


def _utf16_order(data: bytes) -> list[str]:
    # ASCII in UTF-16 has a zero byte beside it: after it in little-endian, before it in big-endian.
    # GB18030 never has zero bytes, so text with line breaks or digits is told apart by them alone.
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd + even < len(data) // 50:
        return []
    return ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return the text of ``data`` and the encoding it was read with (a byte-order mark wins).

    Without a mark: UTF-8 if the bytes are valid UTF-8, else UTF-16 when zero bytes show it,
    else GB18030 (a superset of GBK and GB2312). Other encodings are refused with a message.

    >>> decode("（一）建设".encode("gb18030"), "a.txt"), decode("1.建设".encode("utf-16-le"), "a.txt")
    (('（一）建设', 'gb18030'), ('1.建设', 'utf-16-le'))
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as e:
                raise UnreadableDocument(
                    f"{name} starts with a {encoding} byte-order mark but is not valid {encoding} at byte "
                    f"{e.start + len(bom)}: save it again as UTF-8"
                ) from None
    for encoding in ["utf-8", *_utf16_order(data), "gb18030"]:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text, encoding):
            return text, encoding
    raise UnreadableDocument(
        f"{name} is not text in UTF-8, GB18030/GBK or UTF-16 (is it a binary file with a .txt name?): "
        "save it as UTF-8 text"
    )


def read_txt(data: bytes, name: str) -> Document:
    """Read a plain text file."""
    text, encoding = decode(data, name)
    return Document(name, "txt", text, encoding=encoding)
