"""The label scheme: which span labels exist, read from one JSON file in ``labels/``.

Adding a label is an edit of ``labels/scheme.json``; no code changes. A model stores
the scheme's hash, and loading refuses a model whose hash differs from the scheme
in use, because its tag ids would mean different labels.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from planex import paths

DEFAULT_SCHEME = paths.SCHEME  # labels/scheme.json, or PLANEX_SCHEME_PATH
# The task table's column for each label it knows: a task's title and the spans attached to it.
# These are fields of the API's task records and columns of its CSV/XLSX files, so they are code,
# not scheme-file settings; a label added to the scheme file later gets a column named by itself.
TABLE_COLUMNS = {"TASK": "task", "DEADLINE": "deadlines", "LEAD_UNIT": "lead_units", "INDICATOR": "indicators"}
_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class SchemeError(ValueError):
    """A scheme file that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Label:
    name: str
    description: str
    color: str


@dataclass(frozen=True)
class LabelScheme:
    labels: tuple[Label, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    @property
    def tags(self) -> tuple[str, ...]:
        """IOB2 tags in id order: ``O``, then ``B-X``, ``I-X`` for each label in file order."""
        return ("O", *(f"{p}-{n}" for n in self.names for p in ("B", "I")))

    @property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.tags))

    @property
    def label2id(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tags)}

    @property
    def hash(self) -> str:
        """Hash of the tag set; descriptions and colours may change without retraining."""
        return hashlib.sha256("\n".join(self.tags).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"labels": [vars(label).copy() for label in self.labels]}


def parse_scheme(data: object, where: str = "scheme") -> LabelScheme:
    """Validate a scheme dict and build a :class:`LabelScheme`."""
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list) or not data["labels"]:
        raise SchemeError(f'{where}: expected {{"labels": [{{"name", "description", "color"}}, ...]}}')
    labels = []
    for i, item in enumerate(data["labels"]):
        if not isinstance(item, dict):
            raise SchemeError(f"{where}: labels[{i}] must be an object")
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise SchemeError(f"{where}: labels[{i}].name {name!r} must be UPPER_SNAKE_CASE, e.g. SUPPORT_UNIT")
        color = item.get("color", "#999999")
        if not isinstance(color, str) or not _COLOR.match(color):
            raise SchemeError(f"{where}: labels[{i}].color {color!r} must look like #1f77b4")
        labels.append(Label(name, str(item.get("description", "")), color))
    names = [label.name for label in labels]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SchemeError(f"{where}: label names must be unique; repeated: {', '.join(dupes)}")
    return LabelScheme(tuple(labels))


def load_scheme(path: str | Path = DEFAULT_SCHEME) -> LabelScheme:
    """Read a scheme file (default ``labels/scheme.json``)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemeError(f"{path}: label scheme not found; pass --scheme or create it (see labels/README)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SchemeError(f"{path}: not valid UTF-8 JSON ({e})") from None
    return parse_scheme(data, str(path))
