"""doccano JSONL for sequence labelling: one document per line.

Written (doccano's import and export format for sequence-labelling projects)::

    {"text": "…", "label": [[79, 94, "TASK"]], "planex_id": "p00048", "source": "corpus:p00048 …"}

Read: ``label``, or ``labels`` (older exports and many converters), or the relation
project's ``entities`` (``[{"id": 1, "label": "TASK", "start_offset": 79, "end_offset": 94}]``)
with its ``relations`` (``[{"id": 1, "from_id": 1, "to_id": 2, "type": "task"}]``), which carry
task links (``planex.links``) from the TASK entity to the other one (either direction is read).
Export writes the relation project's shape when any document has links, else ``label``.
doccano keeps unknown keys as example metadata and writes them back on export
(``data_export/models.py``), so ``planex_id``, ``source`` and ``planex_meta`` survive a round
trip. ``id`` is doccano's own example number, so planex does not store its id there.

Offsets: doccano's editor counts UTF-16 code units (doccano issue 2290), the default here.
Projects with "Count grapheme clusters as one character" count graphemes; not supported.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from planex.document import Document, Span
from planex.formats.common import Parsed, fallback_id, is_int, optional_meta, optional_str
from planex.formats.offsets import OffsetMap, Units
from planex.labelfile import json_object
from planex.links import Link
from planex.tasktable import TASK

SPAN_KEYS = ("label", "labels", "entities")


RELATION = "task"  # the relation type planex writes (create it in the doccano project)


def render(docs: Sequence[Document], units: Units) -> str:
    """Write documents as doccano JSONL: sequence labelling, or a relation project when there are links."""
    relations = any(d.links is not None for d in docs)
    lines = []
    for d in docs:
        om = OffsetMap(d.text, units)
        spans = sorted(d.spans)
        record: dict[str, object] = {"text": d.text}
        if relations:
            ids = {(s.start, s.end): n for n, s in enumerate(spans, 1)}
            record["entities"] = [
                {"id": n, "label": s.label, "start_offset": om.encode(s.start), "end_offset": om.encode(s.end)}
                for n, s in enumerate(spans, 1)
            ]
            record["relations"] = [
                {"id": n, "from_id": ids[k.task], "to_id": ids[k.span], "type": RELATION}
                for n, k in enumerate(sorted(d.links or []), 1)
            ]
        else:
            record["label"] = [[om.encode(s.start), om.encode(s.end), s.label] for s in spans]
        record["planex_id"], record["source"] = d.id, d.source
        if d.meta:
            record["planex_meta"] = d.meta
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


def parse(content: str, path: str, units: Units) -> tuple[list[Parsed], list[str]]:
    """Read doccano JSONL; return the documents and every problem found."""
    parsed: list[Parsed] = []
    problems: list[str] = []
    for n, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path} line {n}"
        doc, found = _parse_line(line, where, fallback_id(path, n), units)
        problems += found
        if doc is not None:
            parsed.append(Parsed(doc, where))
    return parsed, problems


def _parse_line(line: str, where: str, default_id: str, units: Units) -> tuple[Document | None, list[str]]:
    record, bad = json_object(line, where)
    if record is None:
        return None, bad
    text = record.get("text")
    if not isinstance(text, str) or not text:
        return None, [f"{where}: text must be a non-empty string"]
    problems: list[str] = []
    doc_id = optional_str(record, "planex_id", where, problems)
    if not doc_id:
        doc_id = f"doccano-{record['id']}" if is_int(record.get("id")) else default_id
    source = optional_str(record, "source", where, problems)
    meta = optional_meta(record, "planex_meta", where, problems)
    present = [k for k in SPAN_KEYS if k in record]
    if len(present) != 1:
        found = f"found {', '.join(present)}" if present else "found none"
        return None, [f"{where}: expected exactly one of label, labels or entities ({found})"]
    key = present[0]
    items = record[key]
    if not isinstance(items, list):
        return None, [f"{where}: {key} must be a list of spans"]
    om = OffsetMap(text, units)
    spans = []
    by_id: dict[object, Span] = {}
    for i, item in enumerate(items):
        triple = _triple(item, key)
        if triple is None:
            shape = "{'label', 'start_offset', 'end_offset'}" if key == "entities" else "[start, end, LABEL]"
            problems.append(f"{where}: {key}[{i}] must be {shape}, got {item!r}")
            continue
        start, end = om.decode(triple[0]), om.decode(triple[1])
        if start is None or end is None:
            problems.append(
                f"{where}: {key}[{i}] {triple[0]}-{triple[1]} splits a character outside the BMP; "
                f"the offsets are not UTF-16 units, so try --offsets codepoints"
            )
            continue
        spans.append(Span(start, end, triple[2]))
        if key == "entities":
            assert isinstance(item, dict)  # _triple read it as an entity object
            by_id[item.get("id")] = spans[-1]
    links = _links(record.get("relations"), by_id, where, problems) if "relations" in record else None
    # The spans that did parse are returned too, so their range, label and overlap problems get listed as well.
    return Document(doc_id, text, spans, source, meta, links), problems


def _links(relations: object, entities: dict[object, Span], where: str, problems: list[str]) -> list[Link]:
    """Turn doccano relations into links from the TASK end (``planex labels check`` checks the ends' labels)."""
    if not isinstance(relations, list):
        problems.append(f"{where}: relations must be a list of {{'from_id', 'to_id', 'type'}}")
        return []
    links = []
    for i, rel in enumerate(relations):
        a, b = (entities.get(rel.get(k)) if isinstance(rel, dict) else None for k in ("from_id", "to_id"))
        if a is None or b is None:
            problems.append(f"{where}: relations[{i}] must join two entities by their ids, got {rel!r}")
            continue
        task, span = (a, b) if a.label == TASK or b.label != TASK else (b, a)
        links.append(Link((task.start, task.end), (span.start, span.end)))
    return links


def _triple(item: object, key: str) -> tuple[int, int, str] | None:
    """Return (start, end, label) of one span in either doccano shape, or None if malformed."""
    if key == "entities":
        if not isinstance(item, dict):
            return None
        start, end, label = item.get("start_offset"), item.get("end_offset"), item.get("label")
    elif isinstance(item, list) and len(item) == 3:
        start, end, label = item
    else:
        return None
    if is_int(start) and is_int(end) and isinstance(label, str):
        return start, end, label
    return None
