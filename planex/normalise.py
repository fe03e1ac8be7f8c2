"""Normalise raw plan text and keep a map from every normalised character back to raw offsets.

The pipeline, in order (each step keeps the map exact):

1. ``\\r\\n`` and lone ``\\r`` become ``\\n``.
2. Misdecoded runs (GBK bytes decoded one byte out of step, e.g. ``?。ㄒ唬┲``) are
   re-decoded when the shifted bytes give clean text (see :mod:`planex.mojibake`).
3. Phonetic annotations after a Han character are removed: ``區(qū)`` → ``區``.
4. Hard line breaks inside a paragraph (PDF wrapping, sometimes as a blank line)
   are joined; real paragraph breaks are kept.
5. Traditional characters become simplified (OpenCC ``t2s``).

Every normalised character ``i`` remembers the raw half-open range ``[starts[i], ends[i])``
it came from, so :meth:`Normalised.to_raw` can return the exact raw span of any
normalised span, even where a step changed the length.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from planex import mojibake
from planex.tables import is_table_row


class InvalidTextError(ValueError):
    """Raised for input that cannot be normalised (not a str, lone surrogates)."""


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus, for each of its characters, the raw range it came from."""

    raw: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span ``[start, end)`` to the raw span covering its source characters.

        >>> n = normalise("區(qū)域")
        >>> n.text, n.to_raw(0, 2)
        ('区域', (0, 6))
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}-{end} is outside the normalised text (length {len(self.text)})")
        return self.starts[start], self.ends[end - 1]

    def from_raw(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a raw span to the normalised characters whose raw ranges lie wholly inside it (None: there are none).

        A raw span that cuts through a character's source (half of ``區(qū)``'s annotation, half of a
        misdecoded pair) does not take that character.

        >>> n = normalise("區(qū)域")
        >>> n.from_raw(0, 6), n.from_raw(0, 1), n.from_raw(1, 5)
        ((0, 2), (0, 1), None)
        """
        # Both starts and ends rise with the normalised index (every step keeps source order), so
        # the characters inside [start, end) are one run, found by two binary searches.
        first = bisect.bisect_left(self.starts, start)
        stop = bisect.bisect_right(self.ends, end)
        return (first, stop) if first < stop else None


# An edit replaces text[start:end] with `new`; `spans` optionally gives, per new character,
# the (start, end) range in the *current* text it comes from (defaults to the whole region,
# or char-by-char when lengths match).
@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    new: str
    spans: tuple[tuple[int, int], ...] | None = None


def _apply(text: str, starts: list[int], ends: list[int], edits: Iterable[_Edit]) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for e in sorted(edits, key=lambda e: e.start):
        if e.start < pos:
            raise AssertionError("normalisation edits overlap")  # a bug in a step, not bad input
        out.append(text[pos : e.start])
        new_starts.extend(starts[pos : e.start])
        new_ends.extend(ends[pos : e.start])
        if e.spans is not None:
            src = e.spans
        elif len(e.new) == e.end - e.start:
            src = tuple((i, i + 1) for i in range(e.start, e.end))
        else:
            src = tuple((e.start, e.end) for _ in e.new)
        for a, b in src:
            new_starts.append(starts[a])
            new_ends.append(ends[b - 1])
        out.append(e.new)
        pos = e.end
    out.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(out), new_starts, new_ends


def _newlines(text: str) -> list[_Edit]:
    return [_Edit(m.start(), m.end(), "\n") for m in re.finditer(r"\r\n?", text)]


# A pinyin syllable with at least one tone mark (or ü), in parentheses right after a Han
# character. Requiring a tone mark keeps ordinary parentheses such as "(a)" or "(PC)".
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
PHONETIC = re.compile(rf"(?<=[\u3400-\u9fff\uf900-\ufaff])[(（](?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}[)）]")


def _phonetic(text: str) -> list[_Edit]:
    return [_Edit(m.start(), m.end(), "") for m in PHONETIC.finditer(text)]


# Where a line ends with one of these, the break after it is a real paragraph end.
_TERMINAL = set('。！？!?；;：:）)」』】〕》>”’"…')
# A line ending like this is a document or section title, complete in itself.
_TITLE_END = re.compile(r"(?:通知|方案|意见|办法|规划|要点|报告|决定|细则|措施|规定|清单|分工|公告|通告)\s*$")
# A line starting like this may begin something new, so the break before it is kept. Looser than
# the item markers of planex.markers on purpose: `2.2 报告内容` numbers a section (no item marker),
# and joining it to the line before would run two headings together (13 of 874 corpus and seed
# texts normalised differently with the marker table here, all of them for the worse).
_ITEM_START = re.compile(
    r"[ \t\u3000\xa0]*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|"
    r"[①-⑳⑴-⒇⒈-⒛㈠-㈩]|——|附件|附表|[〔【《]|(?:任务|工程|行动|项目)[一二三四五六七八九十\d]+[：:、])"
)
# A line opening with a form's field (`完成时限：`, `牵头单位：`, `【责任单位】`) is a field of its own, never the
# rest of a wrapped line: `…各县（市、区）人民政府\n完成时限：2025年底前` keeps its break.
_FIELD_NAME_END = "|".join(
    f"{a}[ \u3000]?{b}"
    for a, b in ("单位", "部门", "科室", "处室", "股室", "时限", "时间", "期限", "节点", "领导", "内容")
)
_FIELD_START = re.compile(rf"[ \t\u3000\xa0]*【?[\u4e00-\u9fff \u3000]{{2,8}}(?:{_FIELD_NAME_END})(?:[：:]|】)")
# A line holding a number alone opens a row of a table exported one cell per line (`…领导小组办公室\n2\n…`).
_ROW_NUMBER = re.compile(r"[ \t\u3000\xa0]*\d{1,3}[ \t\u3000\xa0]*")
# Lines shorter than this are headings, titles, signatures or dates, not wrapped prose.
_MIN_WRAPPED_LINE = 24
# A line that ends with a unit's name, before a short line that is one (`…、区人力社保局\n\n区发改局`), is a cell
# of a table exported one cell per line: the next cell, not the rest of a wrapped name.
_UNIT_END = re.compile(r"(?:局|委|办|厅|院|中心|政府|公司|管委会|站|所|队)[ \t\u3000\xa0]*$")
_BREAK = re.compile(r"[ \t\u3000\xa0]*\n(?:[ \t\u3000\xa0]*\n)?[ \t\u3000\xa0]*")


def _unit_cells(line: str, next_line: str) -> bool:
    return bool(_UNIT_END.search(line) and len(next_line.strip()) < _MIN_WRAPPED_LINE and _UNIT_END.search(next_line))


def _line_wraps(text: str) -> list[_Edit]:
    """Join breaks (single or one blank line) that fall inside a sentence.

    A break is joined when the line before it is long, does not end a sentence,
    and the line after it does not start a new item:
    ``…市人力\\n\\n资源社会保障局…`` → ``…市人力资源社会保障局…``.
    A break beside a table row (a line with a ``|`` between cells, as ``planex.documents``
    writes tables, or cells split by tabs or runs of spaces) is kept, so each row stays one line.
    """
    edits = []
    for m in _BREAK.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line = text[line_start : m.start()].strip(" \t\u3000\xa0")
        nxt = text[m.end() : m.end() + 12]
        next_end = text.find("\n", m.end())
        next_line = text[m.end() : len(text) if next_end < 0 else next_end]
        if (
            len(line) >= _MIN_WRAPPED_LINE
            and line[-1] not in _TERMINAL
            and not _TITLE_END.search(line)
            and nxt[:1] not in ("", "\n")
            and not _ITEM_START.match(nxt)
            and not _FIELD_START.match(next_line)
            and not _ROW_NUMBER.fullmatch(next_line)
            and not _unit_cells(line, next_line)
            and "|" not in line
            and "|" not in next_line
            and not is_table_row(line)
            and not is_table_row(next_line)
        ):
            edits.append(_Edit(m.start(), m.end(), ""))
    return edits


@lru_cache(maxsize=1)
def _converter() -> Callable[[str], str]:
    import opencc

    convert: Callable[[str], str] = opencc.OpenCC("t2s").convert
    return convert


# OpenCC converts phrases, so convert whole runs of Han text and fall back to
# character-by-character conversion in the rare run where the length changes.
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def _t2s(text: str) -> list[_Edit]:
    convert = _converter()
    edits = []
    for m in _HAN_RUN.finditer(text):
        run = m.group()
        new = convert(run)
        if new == run:
            continue
        if len(new) != len(run):
            new = "".join(c if len(c) == 1 else ch for ch, c in ((ch, convert(ch)) for ch in run))
        edits.append(_Edit(m.start(), m.end(), new))
    return edits


def _check(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidTextError(f"expected text (str), got {type(raw).__name__}")
    bad = re.search(r"[\ud800-\udfff]", raw)
    if bad:
        raise InvalidTextError(
            f"text contains a lone surrogate at offset {bad.start()}: it is not valid Unicode; "
            "decode the file as UTF-8 (errors='strict') before passing it in"
        )
    return raw


def normalise(raw: str, join_wraps: bool = True) -> Normalised:
    """Normalise raw plan text; the result maps every character back to ``raw``.

    ``join_wraps=False`` skips step 4, for text whose lines are sentences (imported corpora).

    >>> normalise("設(shè)立\\r\\n").text
    '设立\\n'
    """
    _check(raw)
    text = raw
    starts = list(range(len(raw)))
    ends = list(range(1, len(raw) + 1))
    steps = (_newlines, mojibake.repairs, _phonetic, *((_line_wraps,) if join_wraps else ()), _t2s)
    for step in steps:
        edits = [_Edit(*e) if not isinstance(e, _Edit) else e for e in step(text)]
        if edits:
            text, starts, ends = _apply(text, starts, ends, edits)
    return Normalised(raw=raw, text=text, starts=tuple(starts), ends=tuple(ends))
