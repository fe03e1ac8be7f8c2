"""Read, validate and write labelled documents (JSONL, one document per line).

Format (``LABELING.md``)::

    {"id": "...", "source": "...", "text": "...", "spans": [{"start": 0, "end": 4, "label": "TASK"}],
     "links": [{"task": [0, 4], "span": [5, 9]}]}

Offsets are Python code-point indices into ``text`` (the normalised text), end exclusive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from planex import atomic
from planex.document import Document, Span
from planex.links import link_problems, parse_links
from planex.scheme import LabelScheme


class LabelFileError(ValueError):
    """One or more problems in label files; ``problems`` lists them, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(problems[:20])
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in label files:\n{shown}{more}")


def span_problems(text: str, spans: Iterable[Span], labels: Iterable[str] | None, where: str) -> list[str]:
    """Return a message for every invalid span (range, whitespace, label, overlap, touching its own label)."""
    problems = []
    known = set(labels) if labels is not None else None
    prev: Span | None = None
    for s in sorted(spans):
        at = f"{where}: span {s.start}-{s.end} {s.label}"
        if s.start >= s.end:
            problems.append(f"{at}: empty or ends before it starts")
            continue
        if s.start < 0 or s.end > len(text):
            problems.append(f"{at}: out of range (text has {len(text)} characters)")
            continue
        piece = text[s.start : s.end]
        if piece != piece.strip():
            problems.append(f"{at} {piece!r}: begins or ends with whitespace; trim the span")
        if known is not None and s.label not in known:
            problems.append(f"{at} {piece!r}: unknown label; add it to labels/scheme.json or fix the name")
        if prev is not None and s.start < prev.end:
            problems.append(
                f"{at} {piece!r}: overlaps span {prev.start}-{prev.end} {prev.label} "
                f"{text[prev.start : prev.end]!r}; spans must not overlap"
            )
        elif prev is not None and s.start == prev.end and s.label == prev.label:
            # The decoder never outputs touching spans of one label (planex.codec.viterbi_tags), so such
            # gold could never be predicted: it is one span cut in two, or a separator was left out.
            problems.append(
                f"{at} {piece!r}: touches span {prev.start}-{prev.end} {prev.label} {text[prev.start : prev.end]!r} "
                "of the same label; make them one span, or leave a separator between them"
            )
        prev = s
    return problems


def merge_touching(spans: Iterable[Span]) -> list[Span]:
    """Join spans of one label that touch (``2019年1月1日`` + ``至2023年12月31日``) into one, which
    :func:`span_problems` accepts; a reviewer can still split it with a separator."""
    out: list[Span] = []
    for s in sorted(spans):
        if out and out[-1].end == s.start and out[-1].label == s.label:
            out[-1] = Span(out[-1].start, s.end, s.label)
        else:
            out.append(s)
    return out


def json_object(line: str, where: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse one JSONL line that must hold an object; return it, or None and the problem."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        return None, [f"{where}: not valid JSON ({e.msg} at column {e.colno})"]
    if not isinstance(record, dict):
        return None, [f"{where}: expected a JSON object"]
    return record, []


def _parse_line(line: str, where: str) -> tuple[Document | None, list[str]]:
    record, problems = json_object(line, where)
    if record is None:
        return None, problems
    text = record.get("text")
    if not isinstance(text, str) or not text:
        problems.append(f"{where}: field 'text' must be a non-empty string")
    doc_id = record.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        problems.append(f"{where}: field 'id' must be a non-empty string")
    raw_spans = record.get("spans", [])
    if not isinstance(raw_spans, list):
        problems.append(f"{where}: field 'spans' must be a list")
        raw_spans = []
    spans = []
    for i, s in enumerate(raw_spans):
        ok = isinstance(s, dict) and all(isinstance(s.get(k), int) for k in ("start", "end"))
        if not ok or not isinstance(s.get("label"), str):
            problems.append(f"{where}: spans[{i}] must be {{'start': int, 'end': int, 'label': str}}, got {s!r}")
            continue
        spans.append(Span(s["start"], s["end"], s["label"]))
        if isinstance(s.get("text"), str) and isinstance(text, str) and text[s["start"] : s["end"]] != s["text"]:
            problems.append(
                f"{where}: span {s['start']}-{s['end']} says text {s['text']!r} "
                f"but the document has {text[s['start'] : s['end']]!r} there"
            )
    links, found = parse_links(record.get("links"), where)
    problems += found
    if problems:
        return None, problems
    assert isinstance(text, str) and isinstance(doc_id, str)
    meta = {k: v for k, v in record.items() if k not in ("id", "source", "text", "spans", "links")}
    return Document(doc_id, text, spans, str(record.get("source", "")), meta, links), []


# The folders under labels/ by what they hold (labels/README.md). Only these are read when a folder
# is given, so a new folder is never trained on by accident: it is refused until it is named here.
GOLD = ("seeds", "corpus")  # gold labels: training, cross-validation, rule work
HELD_OUT = "heldout"  # sealed gold for testing: read only when asked (or named directly)
FEEDBACK = "feedback"  # unreviewed corrections posted to the API: read only when asked
WORK = "work"  # drafts, review counts and sheets, annotators' notes: never labels


def label_files(paths: Iterable[str | Path], feedback: bool = False, heldout: bool = False) -> list[Path]:
    """Expand folders to their ``*.jsonl`` label files (sorted); files named directly are kept.

    A folder gives the files directly in it and those under its gold subfolders (:data:`GOLD`);
    ``heldout/`` only if ``heldout`` is true and ``feedback/`` only if ``feedback`` is true, so
    scores never include them by accident; ``work/`` never. Any other subfolder holding label
    files is refused with a message, rather than trained on or skipped without a word.
    """
    wanted = set(GOLD) | ({HELD_OUT} if heldout else set()) | ({FEEDBACK} if feedback else set())
    known = {*GOLD, HELD_OUT, FEEDBACK, WORK}
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("*.jsonl")))
            for sub in sorted(d for d in p.iterdir() if d.is_dir()):
                if sub.name in wanted:
                    files.extend(sorted(sub.rglob("*.jsonl")))
                elif sub.name not in known and any(sub.rglob("*.jsonl")):
                    raise LabelFileError(
                        [
                            f"{sub}: a folder of label files that is neither gold ({', '.join(GOLD)}), "
                            f"{HELD_OUT}, {FEEDBACK} nor {WORK}; move work files under {p / WORK}, or name the "
                            "folder directly (or add it to GOLD in planex/labelfile.py if it is gold)"
                        ]
                    )
        elif p.exists():
            files.append(p)
        else:
            raise LabelFileError([f"{p}: no such file or folder"])
    return files


def iter_documents(path: Path, scheme: LabelScheme | None) -> Iterator[tuple[Document | None, list[str]]]:
    """Yield (document or None, problems) for each non-blank line of a JSONL file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        yield None, [f"{path}: not UTF-8 (byte {e.start}); re-save the file as UTF-8"]
        return
    names = scheme.names if scheme is not None else None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path} line {n}"
        doc, problems = _parse_line(line, where)
        if doc is not None:
            problems = span_problems(doc.text, doc.spans, names, f"{where} ({doc.id})")
            problems += link_problems(doc.text, doc.spans, doc.links or [], f"{where} ({doc.id})")
        yield (doc if not problems else None), problems


def load_documents(
    paths: Iterable[str | Path], scheme: LabelScheme | None = None, feedback: bool = False, heldout: bool = False
) -> list[Document]:
    """Load every document from files and folders; raise :class:`LabelFileError` listing all problems."""
    docs: list[Document] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in label_files(paths, feedback, heldout):
        for doc, found in iter_documents(path, scheme):
            problems.extend(found)
            if doc is None:
                continue
            if doc.id in seen:
                problems.append(f"{path}: document id {doc.id!r} is also in {seen[doc.id]}; ids must be unique")
            seen[doc.id] = str(path)
            docs.append(doc)
    if problems:
        raise LabelFileError(problems)
    return docs


def write_documents(path: str | Path, docs: Iterable[Document]) -> None:
    """Write documents as JSONL atomically."""
    atomic.write_text(path, "".join(d.to_json() + "\n" for d in docs))
