"""Corrections posted to /v1/feedback, saved as label-file records for ``planex train --include-feedback``.

Clients send spans over the raw text they posted (the offsets /v1/extract gave them); label files
hold normalised text. A raw span becomes the normalised span over the characters whose raw
sources lie wholly inside it. Each correction is one new file written atomically, so concurrent
posts never interleave and a reader never sees half a record.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planex import atomic
from planex.document import Document, Span
from planex.labelfile import span_problems
from planex.normalise import Normalised, normalise


class FeedbackError(ValueError):
    """Spans that cannot be saved; ``problems`` names each one and the fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in spans: " + "; ".join(problems))


@dataclass(frozen=True)
class SavedFeedback:
    file: Path
    document: Document


def to_normalised(raw: str, spans: Iterable[Span], labels: Iterable[str]) -> tuple[Normalised, list[Span]]:
    """Check raw spans as a label file's are checked and move them onto the normalised text.

    >>> norm, spans = to_normalised("（一）建設區(qū)域平臺。", [Span(3, 13, "TASK")], ["TASK"])
    >>> norm.text[spans[0].start : spans[0].end]
    '建设区域平台'
    """
    spans, names = sorted(spans), list(labels)
    problems = span_problems(raw, spans, names, "spans")
    norm = normalise(raw)
    moved = []
    for s in spans:
        if not 0 <= s.start < s.end <= len(raw):
            continue  # span_problems named it already
        found = norm.from_raw(s.start, s.end)
        if found is None:
            problems.append(
                f"spans: span {s.start}-{s.end} {s.label} {raw[s.start : s.end]!r} covers no whole character of the "
                "normalised text (it lies inside an annotation such as (qū) or a misdecoded run): widen it"
            )
        else:
            moved.append(Span(*found, s.label))
    if not problems:  # a normalised span could still begin with a joined line break; say so rather than save it
        problems = span_problems(norm.text, moved, names, "spans (after normalisation)")
    if problems:
        raise FeedbackError(problems)
    return norm, moved


def save_feedback(
    folder: Path,
    raw: str,
    spans: Iterable[Span],
    labels: Iterable[str],
    *,
    model_name: str,
    model_version: str,
    source: str | None = None,
    note: str | None = None,
) -> SavedFeedback:
    """Validate and save one correction as ``<folder>/<UTC time>-<hash>.jsonl``; raise FeedbackError."""
    norm, moved = to_normalised(raw, spans, labels)
    received = datetime.now(UTC)
    # The random part keeps two identical posts in the same microsecond from sharing a name.
    digest = hashlib.sha256(f"{raw}\0{moved}\0{uuid.uuid4()}".encode()).hexdigest()[:8]
    stamp = received.strftime("%Y%m%dT%H%M%S%fZ")
    meta: dict[str, object] = {
        "received": received.isoformat(timespec="seconds"),
        "model_name": model_name,
        "model_version": model_version,
    }
    if note:
        meta["note"] = note
    meta["raw"] = raw  # the text as posted, so the record can be re-normalised after a normaliser change
    name = f"{stamp}-{digest}"
    # Like "corpus:<id> <url>": the prefix keeps a client's string from passing for a seeds/ path.
    origin = f"feedback:{name} {source}" if source else f"feedback:{name}"
    doc = Document(f"feedback-{name}", norm.text, moved, origin, meta)
    path = folder / f"{name}.jsonl"
    atomic.write_text(path, doc.to_json() + "\n")
    return SavedFeedback(path, doc)


def label_counts(doc: Document) -> dict[str, int]:
    return dict(sorted(Counter(s.label for s in doc.spans).items()))


def remove_orphans(folder: Path, older_than_s: float = 600) -> list[Path]:
    """Remove the temporary files of writes that never finished (a server killed mid-write); return them.

    Only files older than ``older_than_s`` go: another server process sharing the folder may be
    writing one right now, and a write takes milliseconds.
    """
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than_s
    removed = []
    for tmp in folder.glob(".*.tmp"):
        try:
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed.append(tmp)
        except FileNotFoundError:
            continue  # its writer finished or another server removed it meanwhile
    return removed
