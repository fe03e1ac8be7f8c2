"""Convert span offsets between Python code points and UTF-16 code units.

planex counts offsets in code points (``len(text)`` in Python). Tools written in
JavaScript may count UTF-16 code units instead, where a character outside the Basic
Multilingual Plane (an emoji, or a CJK Extension B character such as ``𠀀``) takes two
units. The two counts differ only after such a character, so texts without one need no
conversion.
"""

from __future__ import annotations

from typing import Literal

Units = Literal["codepoints", "utf16"]
UNITS: tuple[Units, ...] = ("codepoints", "utf16")


class OffsetMap:
    """Map offsets of one text between code points and ``units``.

    >>> m = OffsetMap("𠀀加强", "utf16")
    >>> m.encode(1), m.decode(2), m.decode(1)
    (2, 1, None)
    """

    def __init__(self, text: str, units: Units):
        self._to_units: list[int] | None = None
        self._from_units: dict[int, int] = {}
        if units == "utf16" and any(ord(c) > 0xFFFF for c in text):
            to_units = [0]
            for c in text:
                to_units.append(to_units[-1] + (2 if ord(c) > 0xFFFF else 1))
            self._to_units = to_units
            self._from_units = {u: i for i, u in enumerate(to_units)}

    def encode(self, index: int) -> int:
        """Return the external offset of code-point ``index`` (0 ≤ index ≤ len(text))."""
        return index if self._to_units is None else self._to_units[index]

    def decode(self, offset: int) -> int | None:
        """Return the code-point index of an external offset; None if it splits a surrogate pair.

        Offsets outside the text pass through unchanged, so range checks still report them.
        """
        if self._to_units is None or offset < 0 or offset > self._to_units[-1]:
            return offset
        return self._from_units.get(offset)
