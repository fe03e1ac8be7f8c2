"""Label Studio JSON for a named-entity project: its export, and tasks to import (with pre-annotations).

A file is a list of tasks; planex keeps its document id, source and meta in ``data``::

    [{"data": {"text": "…", "planex_id": "p00048", "source": "corpus:p00048 …"},
      "annotations": [{"result": [{"id": "p00048:0", "from_name": "label", "to_name": "text",
                                   "type": "labels",
                                   "value": {"start": 79, "end": 94, "text": "…", "labels": ["TASK"]}}]}]}]

Task links (``planex.links``) travel as Label Studio relations between regions, from the TASK
region to the other one: ``{"type": "relation", "from_id": "p00048:0", "to_id": "p00048:3",
"direction": "right", "labels": []}``; a relation drawn the other way round is read the same.

Pre-annotations use ``predictions`` instead, each with ``model_version`` and ``score`` and a
``score`` per region in ``value`` (Label Studio guide, "Import span pre-annotations for text").
Import reads ``annotations`` (cancelled ones skipped), else ``predictions``; a task must have
exactly one, because a planex document has one set of spans. Tasks marked
``data.planex_raw`` (from ``planex predict``) hold raw text; import normalises it and moves
the spans along (:mod:`planex.formats.rawtext`).

Offsets: Label Studio counts ``start``/``end`` in code points, like Python; its editor
converts to JavaScript positions itself (its ``ner/emoji`` test stores ``test`` in
"🐱 Warning: This is a test text" at 21-25). Releases before that fix (label-studio-frontend
PR 308) stored UTF-16 code units; pass ``units="utf16"`` for those.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from planex.document import Document, Span
from planex.formats.common import Parsed, fallback_id, is_int, optional_meta, optional_str
from planex.formats.offsets import UNITS, OffsetMap, Units
from planex.formats.rawtext import to_normalised
from planex.links import Link
from planex.tasktable import TASK

FROM_NAME, TO_NAME = "label", "text"  # the names in the labeling config in labels/README.md


def result_items(
    doc_id: str,
    text: str,
    spans: Sequence[Span],
    units: Units,
    scores: Sequence[float] | None = None,
    normalised: Sequence[str] | None = None,
) -> list[dict[str, object]]:
    """Return Label Studio ``result`` regions for spans over ``text`` (ids unique per document).

    ``normalised`` gives each span's reader text (``planex.celltext``), kept in the region's value
    beside the raw ``text`` for a reviewer or an export; importing reads only the offsets.
    """
    om = OffsetMap(text, units)
    items: list[dict[str, object]] = []
    for k, s in enumerate(spans):
        value: dict[str, object] = {"start": om.encode(s.start), "end": om.encode(s.end), "text": text[s.start : s.end]}
        if normalised is not None:
            value["normalised"] = normalised[k]
        if scores is not None:
            value["score"] = scores[k]
        value["labels"] = [s.label]
        items.append(
            {"id": f"{doc_id}:{k}", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels", "value": value}
        )
    return items


def task_data(doc_id: str, text: str, source: str, meta: dict[str, object], raw: bool = False) -> dict[str, object]:
    """Return a task's ``data``: the text, plus what planex needs to rebuild the document exactly.

    ``raw`` marks a text that is not normalised; import then moves its spans onto the normalised text.
    """
    data: dict[str, object] = {"text": text, "planex_id": doc_id, "source": source}
    if meta:
        data["planex_meta"] = meta
    if raw:
        data["planex_raw"] = True
    return data


def relation_items(doc_id: str, spans: Sequence[Span], links: Sequence[Link]) -> list[dict[str, object]]:
    """Return Label Studio relations for ``links``, between the regions :func:`result_items` names."""
    index = {(s.start, s.end): k for k, s in enumerate(spans)}
    return [
        {
            "from_id": f"{doc_id}:{index[k.task]}",
            "to_id": f"{doc_id}:{index[k.span]}",
            "type": "relation",
            "direction": "right",
            "labels": [],
        }
        for k in sorted(links)
    ]


def render(docs: Sequence[Document], units: Units) -> str:
    """Write documents as a Label Studio task list with one annotation each (links as relations)."""
    tasks: list[dict[str, object]] = []
    for d in docs:
        spans = sorted(d.spans)
        result = result_items(d.id, d.text, spans, units) + relation_items(d.id, spans, d.links or [])
        data = task_data(d.id, d.text, d.source, d.meta)
        if d.links is not None:
            data["planex_links"] = True  # so that a document whose links are labelled as none keeps []
        tasks.append({"data": data, "annotations": [{"result": result}]})
    return dumps(tasks)


def dumps(tasks: Sequence[dict[str, object]]) -> str:
    """Return a JSON task list with one task per line (compact like Label Studio's export, but diffable)."""
    return "[\n" + ",\n".join(json.dumps(t, ensure_ascii=False) for t in tasks) + "\n]\n"


def parse(content: str, path: str, units: Units) -> tuple[list[Parsed], list[str]]:
    """Read a Label Studio JSON export; return the documents and every problem found."""
    try:
        tasks = json.loads(content)
    except json.JSONDecodeError as e:
        return [], [f"{path}: not valid JSON ({e.msg} at line {e.lineno} column {e.colno})"]
    if isinstance(tasks, dict):
        tasks = [tasks]  # Label Studio also imports a single task object
    if not isinstance(tasks, list):
        return [], [f"{path}: expected a list of tasks (Label Studio: Export → JSON)"]
    parsed: list[Parsed] = []
    problems: list[str] = []
    for n, task in enumerate(tasks, 1):
        where = f"{path} record {n}"
        doc, found = _parse_task(task, where, fallback_id(path, n), units)
        problems += found
        if doc is not None:
            parsed.append(Parsed(doc, where, unreviewed=not _live(task.get("annotations"))))
    return parsed, problems


def _parse_task(task: object, where: str, default_id: str, units: Units) -> tuple[Document | None, list[str]]:
    if not isinstance(task, dict):
        return None, [f"{where}: expected a task object, got {type(task).__name__}"]
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"]:
        return None, [f'{where}: data.text must be a non-empty string (the text of <Text value="$text">)']
    text: str = data["text"]
    problems: list[str] = []
    doc_id = optional_str(data, "planex_id", f"{where}: data", problems)
    if not doc_id:
        doc_id = f"label-studio-{task['id']}" if is_int(task.get("id")) else default_id
    source = optional_str(data, "source", f"{where}: data", problems)
    meta = optional_meta(data, "planex_meta", f"{where}: data", problems)
    chosen = _chosen_result(task, where, problems)
    spans: list[Span] = []
    regions: dict[object, Span] = {}
    relations: list[tuple[str, dict[str, object]]] = []
    if chosen is not None:
        field, result = chosen
        for i, item in enumerate(result):
            at = f"{field}.result[{i}]"
            if isinstance(item, dict) and item.get("type") == "relation":
                relations.append((at, item))
                continue
            span = _parse_region(item, at, text, units, where, problems)
            if span is not None:
                spans.append(span)
                if isinstance(item, dict) and "id" in item:
                    regions[item["id"]] = span
    links = _links(relations, regions, where, problems) if relations or data.get("planex_links") else None
    doc = Document(doc_id, text, spans, source, meta, links)
    if data.get("planex_raw") is True:
        doc, found = to_normalised(doc)
        problems += [f"{where}: {p}" for p in found]
    # The spans that did parse are returned too, so their range, label and overlap problems get listed as well.
    return doc, problems


def _links(
    relations: list[tuple[str, dict[str, object]]], regions: dict[object, Span], where: str, problems: list[str]
) -> list[Link]:
    """Turn relations into links from the TASK end (``planex labels check`` then checks the ends' labels)."""
    links = []
    for at, item in relations:
        a, b = (regions.get(item.get(key)) for key in ("from_id", "to_id"))
        if a is None or b is None:
            problems.append(
                f"{where}: {at} relates {item.get('from_id')!r} to {item.get('to_id')!r}; both must be span regions"
            )
            continue
        task, span = (a, b) if a.label == TASK or b.label != TASK else (b, a)
        links.append(Link((task.start, task.end), (span.start, span.end)))
    return links


def _chosen_result(task: dict[str, object], where: str, problems: list[str]) -> tuple[str, list[object]] | None:
    """Return (field path, result list) of the one annotation (or prediction) to import."""
    for key in ("annotations", "predictions"):
        entries = task.get(key) or []
        if not isinstance(entries, list):
            problems.append(f"{where}: {key} must be a list")
            return None
        live = _live(entries)
        if len(live) > 1:
            problems.append(
                f"{where}: {len(live)} {key}; a planex document has one set of spans, "
                f"so keep one (export a single annotator's work, or delete the others)"
            )
            return None
        if live:
            i, entry = live[0]
            result = entry.get("result") if isinstance(entry, dict) else None
            if not isinstance(result, list):
                problems.append(f"{where}: {key}[{i}].result must be a list of regions")
                return None
            return f"{key}[{i}]", result
    problems.append(f"{where}: no annotations or predictions; label the task or leave it out of the export")
    return None


def _live(entries: object) -> list[tuple[int, object]]:
    """Return (index, entry) of the annotations or predictions that were not cancelled."""
    if not isinstance(entries, list):
        return []
    return [(i, e) for i, e in enumerate(entries) if not (isinstance(e, dict) and e.get("was_cancelled"))]


def _parse_region(item: object, at: str, text: str, units: Units, where: str, problems: list[str]) -> Span | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: {at} must be an object")
        return None
    if item.get("type") != "labels":
        problems.append(f"{where}: {at}.type is {item.get('type')!r}; only span labels (type 'labels') are imported")
        return None
    value = item.get("value")
    if not isinstance(value, dict):
        problems.append(f"{where}: {at}.value is missing")
        return None
    before = len(problems)
    for key in ("start", "end"):
        if key not in value:
            problems.append(f"{where}: {at}.value.{key} is missing")
        elif not is_int(value[key]):
            problems.append(f"{where}: {at}.value.{key} must be an integer, got {value[key]!r}")
    labels = value.get("labels")
    label = labels[0] if isinstance(labels, list) and len(labels) == 1 and isinstance(labels[0], str) else None
    if label is None:
        problems.append(f"{where}: {at}.value.labels must hold exactly one label name, got {labels!r}")
    if label is None or len(problems) > before:
        return None
    om = OffsetMap(text, units)
    start, end = om.decode(value["start"]), om.decode(value["end"])
    if start is None or end is None:
        problems.append(
            f"{where}: {at}.value {value['start']}-{value['end']} splits a character outside the BMP; "
            f"the offsets are not UTF-16 units, so try --offsets codepoints"
        )
        return None
    said = value.get("text")
    if isinstance(said, str) and 0 <= start <= end <= len(text) and not _same_text(said, text[start:end]):
        other = next(u for u in UNITS if u != units)
        alt = OffsetMap(text, other)
        a, b = alt.decode(value["start"]), alt.decode(value["end"])
        hint = f"; the offsets fit {other}: rerun with --offsets {other}" if _fits(said, text, a, b) else ""
        problems.append(
            f"{where}: {at}.value.text is {said!r} but the task text has {text[start:end]!r} "
            f"at {value['start']}-{value['end']}{hint}"
        )
        return None
    return Span(start, end, label)


def _same_text(said: str, piece: str) -> bool:
    # Label Studio's editor writes a selection's line breaks as a literal backslash-n.
    return said in (piece, re.sub(r"[\n\r]", r"\\n", piece))


def _fits(said: str, text: str, start: int | None, end: int | None) -> bool:
    return (
        start is not None and end is not None and 0 <= start <= end <= len(text) and _same_text(said, text[start:end])
    )
