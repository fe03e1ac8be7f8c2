"""Pieces shared by the format modules: parsed documents with their location, and field checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from planex.document import Document
from planex.labelfile import span_problems
from planex.links import link_problems


@dataclass(frozen=True)
class Parsed:
    """A document read from a file, with where it was (``tasks.json record 3``) for messages."""

    doc: Document
    where: str
    unreviewed: bool = False  # spans are model output nobody corrected (Label Studio predictions)
    warnings: tuple[str, ...] = ()  # taken, but changed or guessed: shown to the user on import


def is_int(value: object) -> TypeGuard[int]:
    """Return True for an int that is not a bool (JSON ``true`` must not pass as offset 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def fallback_id(path: str, n: int) -> str:
    """Return an id for record ``n`` of a file that carries none: ``<file stem>-<n>``."""
    return f"{Path(path).stem}-{n}"


def document_problems(parsed: Iterable[Parsed], labels: Iterable[str] | None) -> list[str]:
    """Check every document's spans (range, whitespace, label, overlap), its links, and that ids are unique."""
    names = tuple(labels) if labels is not None else None
    problems: list[str] = []
    seen: dict[str, str] = {}
    for p in parsed:
        problems += span_problems(p.doc.text, p.doc.spans, names, f"{p.where} ({p.doc.id})")
        problems += link_problems(p.doc.text, p.doc.spans, p.doc.links or [], f"{p.where} ({p.doc.id})")
        if p.doc.id in seen:
            problems.append(f"{p.where}: document id {p.doc.id!r} is also used by {seen[p.doc.id]}; ids must be unique")
        seen.setdefault(p.doc.id, p.where)
    return problems


def optional_str(record: dict[str, object], key: str, where: str, problems: list[str]) -> str:
    """Return ``record[key]`` if it is a string, "" if absent; note a problem for any other type."""
    value = record.get(key, "")
    if isinstance(value, str):
        return value
    problems.append(f"{where}: {key} must be a string, got {value!r}")
    return ""


def optional_meta(record: dict[str, object], key: str, where: str, problems: list[str]) -> dict[str, object]:
    """Return the planex meta dict stored under ``key`` ({} if absent); note a problem if it is not an object."""
    value = record.get(key, {})
    if isinstance(value, dict):
        return dict(value)
    problems.append(f"{where}: {key} must be an object, got {value!r}")
    return {}
