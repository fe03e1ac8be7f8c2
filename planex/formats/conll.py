"""Character-level CoNLL: one character and its IOB2 tag per line, a blank line between documents.

::

    # id = 000_c36e1dec5c4ec8d6
    # source = seeds/000_c36e1dec5c4ec8d6.txt
    加 B-TASK
    强 I-TASK
    \\n O

Comment lines ``# key = value`` come before a document's first character: ``id``,
``source`` (omitted when empty) and ``meta`` (JSON, omitted when empty).

Every character of the text gets a line, so the text comes back exactly. Characters that
would not survive as a column are escaped: ``\\s`` space, ``\\n`` line feed, ``\\t`` tab,
``\\r`` carriage return, ``\\\\`` backslash, and ``\\uXXXX`` (``\\UXXXXXXXX`` above U+FFFF) for
any other whitespace or non-printing character, e.g. ``\\u3000`` (ideographic space) and
``\\u00a0`` (no-break space). Columns may be separated by any whitespace on import, and a
lone ``\\`` is read as a backslash (other tools do not escape it).

Export writes IOB2. Import also reads BIOES / BMES, the tags public Chinese NER sets use
(``B-`` begin, ``M-`` or ``I-`` inside, ``E-`` end, ``S-`` a one-character entity), and
mixed files. Within a document ``I-X``/``M-X``/``E-X`` must continue an open ``X`` span
(anything else is a problem, listed with its line). Two cases are taken with a warning
instead, because the data are sound and only planex's representation differs:

- a document (sentence) that starts with ``I-X``/``M-X``/``E-X``: an entity that a sentence
  break cut; its part in this document becomes a span.
- two entities of one label that touch (``E-X`` then ``B-X``, ``S-X S-X``, ``B-X B-X``): planex
  labels cannot hold touching spans of one label (:func:`planex.labelfile.span_problems`,
  and the decoder never predicts them), so they are merged into one span.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from planex.document import Document, Span
from planex.formats.common import Parsed, fallback_id
from planex.formats.offsets import Units
from planex.labelfile import merge_touching

_NAMED = {" ": "\\s", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\"}
_UNNAMED = {v: k for k, v in _NAMED.items()}
_COMMENT = re.compile(r"^# (\w+) = (.*)$")
_TAG = re.compile(r"^(?:O|[BIMES]-\S+)$")


def escape(ch: str) -> str:
    """Return the column form of one character: itself, or an escape for whitespace and control characters."""
    if ch in _NAMED:
        return _NAMED[ch]
    if ch.isspace() or not ch.isprintable():
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    return ch


def unescape(token: str) -> str | None:
    """Return the character a column stands for, or None if it is not one character or a known escape."""
    if len(token) == 1:  # a lone backslash too: other tools' files do not escape it, and it cannot be an escape
        return token
    if token in _UNNAMED:
        return _UNNAMED[token]
    m = re.fullmatch(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})", token)
    if m and int(m.group(1) or m.group(2), 16) <= 0x10FFFF:
        return chr(int(m.group(1) or m.group(2), 16))
    return None


def render(docs: Sequence[Document], units: Units = "codepoints") -> str:
    """Write documents as character-level CoNLL (``units`` is unused: one line per character)."""
    out: list[str] = []
    for d in docs:
        for key, value in (("id", d.id), ("source", d.source)):
            if "\n" in value or "\r" in value:
                raise ValueError(f"document {d.id!r}: {key} contains a line break, which CoNLL comments cannot hold")
            if value:
                out.append(f"# {key} = {value}\n")
        if d.meta:
            out.append(f"# meta = {json.dumps(d.meta, ensure_ascii=False)}\n")
        tags = ["O"] * len(d.text)
        for s in d.spans:
            tags[s.start : s.end] = [f"B-{s.label}"] + [f"I-{s.label}"] * (s.end - s.start - 1)
        out += [f"{escape(ch)} {tag}\n" for ch, tag in zip(d.text, tags, strict=True)]
        out.append("\n")
    return "".join(out)


def parse(content: str, path: str, units: Units = "codepoints") -> tuple[list[Parsed], list[str]]:
    """Read character-level CoNLL; return the documents and every problem found."""
    parsed: list[Parsed] = []
    problems: list[str] = []
    block: list[tuple[int, str]] = []
    # A trailing \r is a Windows line ending: a real carriage return in the text is escaped as \r.
    lines = [line.removesuffix("\r") for line in content.split("\n")]
    for n, line in enumerate([*lines, ""], 1):
        if line.strip():
            block.append((n, line))
            continue
        if block:
            doc, found, warnings = _parse_block(block, path, fallback_id(path, len(parsed) + 1))
            problems += found
            if doc is not None:
                parsed.append(Parsed(doc, f"{path} line {block[0][0]}", warnings=tuple(warnings)))
            block = []
    return parsed, problems


def _parse_block(
    block: list[tuple[int, str]], path: str, default_id: str
) -> tuple[Document | None, list[str], list[str]]:
    header: dict[str, str] = {}
    chars: list[str] = []
    spans: list[Span] = []
    problems: list[str] = []
    warnings: list[str] = []
    open_label: str | None = None  # label of the span the next I-/M-/E- tag may continue
    for n, line in block:
        where = f"{path} line {n}"
        comment = _COMMENT.match(line)
        if comment:
            if chars:
                problems.append(f"{where}: comment after the first character; put '# ...' lines before the text")
            header[comment.group(1)] = comment.group(2)
            continue
        fields = line.split()
        ch = unescape(fields[0]) if len(fields) == 2 else None
        if ch is None or not _TAG.match(fields[-1]):
            problems.append(f"{where}: expected 'CHARACTER TAG' (e.g. '加 B-TASK', '\\s O'), got {line!r}")
            chars.append("?")
            open_label = None
            continue
        prefix, _, label = fields[1].partition("-")
        continues = prefix in "IME" and open_label == label
        if prefix in "IME" and not continues:
            if chars:
                after = f"{open_label} span" if open_label else "O or a closed span"
                problems.append(f"{where}: {fields[1]} after {after}; start every span with B-{label} (or S-{label})")
            else:
                warnings.append(
                    f"{where}: the document starts inside a {label} span ({fields[1]}), cut by a sentence break; "
                    "its part here is kept as a span"
                )
        if continues:
            spans[-1] = Span(spans[-1].start, len(chars) + 1, label)
        elif prefix != "O":
            spans.append(Span(len(chars), len(chars) + 1, label))
        open_label = label if prefix in "BIM" else None
        chars.append(ch)
    merged = merge_touching(spans)
    for s in sorted(set(merged) - set(spans)):
        text = "".join(chars[s.start : s.end])
        warnings.append(
            f"{path} line {block[0][0]}: touching {s.label} spans {text!r} ({s.start}-{s.end}) merged into one; "
            "planex spans of one label cannot touch"
        )
    where = f"{path} line {block[0][0]}"
    if not chars:
        problems.append(f"{where}: a document with comments but no characters")
    meta: dict[str, object] = {}
    if "meta" in header:
        try:
            loaded = json.loads(header["meta"])
        except json.JSONDecodeError:
            loaded = None
        if isinstance(loaded, dict):
            meta = loaded
        else:
            problems.append(f"{where}: '# meta = …' must be a JSON object")
    if problems:
        return None, problems, []
    doc = Document(header.get("id") or default_id, "".join(chars), merged, header.get("source", ""), meta)
    return doc, [], warnings
