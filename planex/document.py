"""A labelled document and its spans: what label files hold, training learns from and evaluation scores.

Offsets are Python code-point indices into ``text`` (the normalised text), end exclusive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from planex.links import Link


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    label: str


@dataclass
class Document:
    id: str
    text: str
    spans: list[Span]
    source: str = ""
    meta: dict[str, object] = field(default_factory=dict)
    links: list[Link] | None = None  # None: task links not labelled yet (planex.links)

    def to_json(self) -> str:
        record: dict[str, object] = {"id": self.id, "source": self.source, "text": self.text}
        record.update(self.meta)
        record["spans"] = [{"start": s.start, "end": s.end, "label": s.label} for s in sorted(self.spans)]
        if self.links is not None:
            record["links"] = [k.to_dict() for k in sorted(self.links, key=lambda k: (k.span, k.task))]
        return json.dumps(record, ensure_ascii=False)
