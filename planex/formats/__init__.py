"""Convert labelled documents to and from annotation tools' formats, one module per format.

Import validates everything (each record's fields, then every span against the label
scheme) and raises :class:`~planex.labelfile.LabelFileError` listing all problems, so a
caller writes its output only when the whole file is good.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from planex.document import Document
from planex.formats import conll, doccano, labelstudio
from planex.formats.common import Parsed, document_problems
from planex.formats.offsets import Units
from planex.labelfile import LabelFileError
from planex.scheme import LabelScheme
from planex.textio import read_text


class Format(Protocol):
    """What each format module provides."""

    def parse(self, content: str, path: str, units: Units) -> tuple[list[Parsed], list[str]]: ...

    def render(self, docs: Sequence[Document], units: Units) -> str: ...


MODULES: dict[str, Format] = {"label-studio": labelstudio, "doccano": doccano, "conll": conll}
FORMATS = tuple(MODULES)
# What each tool counts offsets in (see each module's docstring for the evidence).
DEFAULT_UNITS: dict[str, Units] = {"label-studio": "codepoints", "doccano": "utf16", "conll": "codepoints"}


def resolve_units(fmt: str, units: Units | None) -> Units:
    """Return the offset units for ``fmt``: ``units`` if given, else the tool's own."""
    if fmt not in MODULES:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if units is not None and fmt == "conll":
        raise ValueError("--offsets applies to label-studio and doccano; CoNLL has one line per character")
    return units or DEFAULT_UNITS[fmt]


def import_file(fmt: str, path: str | Path, scheme: LabelScheme | None, units: Units | None = None) -> list[Parsed]:
    """Read one file in ``fmt``; raise :class:`LabelFileError` listing every problem if any."""
    units = resolve_units(fmt, units)
    parsed, problems = MODULES[fmt].parse(read_text(path), str(path), units)
    problems += document_problems(parsed, scheme.names if scheme is not None else None)
    if problems:
        raise LabelFileError(problems)
    return parsed


def export_text(fmt: str, docs: Sequence[Document], units: Units | None = None) -> str:
    """Render validated documents in ``fmt``."""
    return MODULES[fmt].render(docs, resolve_units(fmt, units))


def dropped(fmt: str, docs: Sequence[Document]) -> str | None:
    """Say what an export to ``fmt`` leaves out, or None: CoNLL has no place for task links."""
    n = sum(len(d.links or []) for d in docs)
    if fmt != "conll" or not n:
        return None
    return (
        f"warning: CoNLL has no place for task links; the {n} links of these documents are not in the export "
        "(use label-studio or doccano to keep them)"
    )
