"""Task links in label files: reading, validation messages, writing, the proposal rule and counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex.document import Document, Span
from planex.labelfile import LabelFileError, label_files, load_documents, write_documents
from planex.links import Link, link_counts, propose_links

TEXT = "（一）建设平台。2025年底前完成。（牵头单位：市大数据局）\n（二）推进共享。"
SPANS = [
    {"start": 3, "end": 7, "label": "TASK"},
    {"start": 8, "end": 15, "label": "DEADLINE"},
    {"start": 24, "end": 29, "label": "LEAD_UNIT"},
    {"start": 34, "end": 38, "label": "TASK"},
]


def _write(path: Path, links: object) -> Path:
    record = {"id": "d1", "text": TEXT, "spans": SPANS, "links": links}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_links_round_trip_and_absent_is_not_empty(tmp_path: Path) -> None:
    links = [Link((3, 7), (24, 29)), Link((3, 7), (8, 15))]
    docs = [
        Document("a", TEXT, [Span(**s) for s in SPANS], links=links),
        Document("b", TEXT, [Span(**s) for s in SPANS], links=[]),
        Document("c", TEXT, [Span(**s) for s in SPANS]),
    ]
    path = tmp_path / "l.jsonl"
    write_documents(path, docs)
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first["links"] == [{"task": [3, 7], "span": [8, 15]}, {"task": [3, 7], "span": [24, 29]}]
    back = load_documents([path])
    assert [d.links for d in back] == [sorted(links), [], None]
    assert all("links" not in d.meta for d in back)


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (
            [{"task": [3, 7], "span": [8, 15]}, {"task": [3, 7], "span": [8, 15]}],
            "link task 3-7 '建设平台' → span 8-15 '2025年底前': listed twice",
        ),
        (
            [{"task": [8, 15], "span": [24, 29]}],
            "link task 8-15 '2025年底前' → span 24-29 '市大数据局': the task end is a DEADLINE",
        ),
        (
            [{"task": [2, 7], "span": [8, 15]}],
            "task 2-7 '）建设平台' → span 8-15 '2025年底前': the task end is no span",
        ),
        ([{"task": [3, 7], "span": [9, 15]}], "span 9-15 '025年底前': the span end is no span of this record"),
        ([{"task": [3, 7], "span": [34, 38]}], "span 34-38 '推进共享': the span end is a TASK span"),
        ([{"task": [3, 7]}], "links[0] must be {'task': [start, end], 'span': [start, end]}"),
        ([{"task": [3, 7], "span": ["8", 15]}], "links[0] must be"),
        ({"task": [3, 7]}, "field 'links' must be a list"),
    ],
)
def test_links_check_names_file_line_offsets_and_text(tmp_path: Path, links: object, message: str) -> None:
    path = _write(tmp_path / "bad.jsonl", links)
    with pytest.raises(LabelFileError) as err:
        load_documents([path])
    assert f"{path} line 1" in str(err.value)
    assert message in str(err.value)


def test_links_proposed_by_the_server_rule() -> None:
    spans = [Span(**s) for s in SPANS]
    assert propose_links(TEXT, spans) == [Link((3, 7), (8, 15)), Link((3, 7), (24, 29))]
    # Before the first item there is no task: the target stays unattached.
    text = "到2025年，基本建成。\n一、建设平台\n"
    assert propose_links(text, [Span(0, 6, "DEADLINE"), Span(15, 19, "TASK")]) == []


def test_links_counts_per_kind_and_unattached() -> None:
    spans = [Span(**s) for s in SPANS] + [Span(40, 44, "INDICATOR")]
    counts = link_counts(spans, [Link((3, 7), (8, 15))])
    assert counts == {"DEADLINE": 1, "unattached LEAD_UNIT": 1, "unattached INDICATOR": 1}


def test_links_on_every_gold_document_with_a_task() -> None:
    docs = load_documents(label_files(["labels"], heldout=True))
    with_task = [d for d in docs if any(s.label == "TASK" for s in d.spans)]
    assert with_task, "no gold documents found"
    assert [d.id for d in with_task if d.links is None] == []
