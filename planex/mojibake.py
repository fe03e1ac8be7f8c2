"""Repair runs of GBK text that were decoded one byte out of step.

Some sites served GB18030 bytes that a decoder entered one byte late, so each
pair of bytes straddles two real characters: ``（一）助力十大領`` shows up as
``?。ㄒ唬┲\\ue310κ\\ue18b箢I``. The first byte was lost (often shown as ``?``),
and private-use characters (U+E000–U+F8FF) appear where byte pairs fall into GBK's
user-defined area, which real text never uses.

Repair re-encodes a suspicious run with GB18030, drops its first byte, and
decodes again. The result is kept only when it is clean (no private-use or
replacement characters, no undecodable byte except one dangling at the end) and
more plausible than the run it replaces; otherwise the run is left as it is.
Each repaired character maps to the raw characters its bytes came from.
"""

from __future__ import annotations

import re

Repair = tuple[int, int, str, tuple[tuple[int, int], ...]]

_PUA = re.compile(r"[\ue000-\uf8ff]")
_RUN = re.compile(r"[^\x00-\x7f\s]+")


def _common(ch: str) -> bool:
    """True for characters of GB2312 or Big5: what everyday simplified or traditional text uses."""
    for charset in ("gb2312", "big5"):
        try:
            ch.encode(charset)
            return True
        except UnicodeEncodeError:
            pass
    return False


def _frequent(ch: str) -> bool:
    """True for GB2312 level-1 Han (B0A1–D7F9), Big5 frequent Han (A440–C67E) or full-width punctuation."""
    try:
        b = ch.encode("gb2312")
        if len(b) == 2 and (0xB0 <= b[0] <= 0xD7 or 0xA1 <= b[0] <= 0xA3):
            return True
    except UnicodeEncodeError:
        pass
    try:
        b = ch.encode("big5")
        return len(b) == 2 and 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E
    except UnicodeEncodeError:
        return False


def _decode_shifted(data: list[tuple[int, int]]) -> list[tuple[str, int, int]] | None:
    """Decode (byte, source index) pairs as GB18030; return (char, first src, last src) or None.

    A lead byte left dangling at the very end is dropped (its partner was lost).
    """
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(data):
        b = data[i][0]
        if b < 0x80:
            size = 1
        elif i + 1 < len(data) and 0x30 <= data[i + 1][0] <= 0x39:
            size = 4
        else:
            size = 2
        if i + size > len(data):
            return out if size == 2 and i == len(data) - 1 else None
        chunk = bytes(x for x, _ in data[i : i + size])
        try:
            ch = chunk.decode("gb18030")
        except UnicodeDecodeError:
            return None
        out.append((ch, data[i][1], data[i + size - 1][1]))
        i += size
    return out


def _clean(chars: list[tuple[str, int, int]]) -> bool:
    # Shifted GBK never legitimately yields ASCII: an ASCII result means the bytes were not shifted text.
    return len(chars) >= 2 and all(not _PUA.match(c) and c != "\ufffd" and ord(c) >= 0x80 for c, _, _ in chars)


def _score(s: str) -> float:
    return sum(map(_common, s)) / max(len(s), 1) - 0.5 * len(_PUA.findall(s))


def repairs(text: str) -> list[Repair]:
    """Find misdecoded runs in ``text`` and return edits that restore them."""
    edits: list[Repair] = []
    for m in _RUN.finditer(text):
        a, b = m.span()
        lost_lead = a > 0 and text[a - 1] == "?"
        # "?。" is the mark of a lost ideographic space (A1 A1) that put the decoder out of step.
        signature = lost_lead and m.group().startswith("。")
        if not _PUA.search(m.group()) and not signature and (not lost_lead or all(map(_common, m.group()))):
            continue  # clean text after a stray "?" is left alone
        data = [(byte, i) for i in range(a, b) for byte in text[i].encode("gb18030")]
        shifted = data[1:]
        end = b
        # The run's last byte may be the lead of a character whose trail byte is the next ASCII char.
        if end < len(text) and 0x40 <= ord(text[end]) < 0x7F:
            with_next = _decode_shifted([*shifted, (ord(text[end]), end)])
            if with_next and with_next[-1][0] != text[end] and _clean(with_next):
                shifted.append((ord(text[end]), end))
                end += 1
        decoded = _decode_shifted(shifted)
        # Bytes lost in the source (often near the end of a run) decode to rare characters:
        # keep the repair only up to its last frequent character and leave the rest as it was.
        while decoded and not _frequent(decoded[-1][0]):
            decoded.pop()
        if decoded is None or not _clean(decoded):
            continue
        end = min(end, decoded[-1][2] + 1)
        new = "".join(c for c, _, _ in decoded)
        if not signature and _score(new) <= _score(text[a:end]):
            continue
        start = a - 1 if lost_lead else a
        # Map each new char to the raw chars its bytes came from (positions relative to `text`).
        spans = tuple((first, last + 1) for _, first, last in decoded)
        edits.append((start, end, new, spans))
    return edits
