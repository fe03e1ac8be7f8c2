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


SEEDS = Path(__file__).resolve().parent.parent / "labels" / "seeds"


@pytest.mark.parametrize(
    ("fmt", "offsets"), [("label-studio", []), ("doccano", []), ("doccano", ["--offsets", "codepoints"])]
)
def test_links_round_trip_through_label_studio_and_doccano(tmp_path: Path, fmt: str, offsets: list[str]) -> None:
    from planex_cli.main import main

    exported, back = tmp_path / "exported", tmp_path / "back.jsonl"
    assert main(["labels", "export", "--to", fmt, str(SEEDS), "--out", str(exported), *offsets]) == 0
    assert main(["labels", "import", "--from", fmt, str(exported), "--out", str(back), *offsets]) == 0
    original = load_documents([SEEDS])
    assert sum(len(d.links or []) for d in original) > 800
    assert [(d.id, d.links) for d in load_documents([back])] == [(d.id, sorted(d.links or [])) for d in original]


def test_links_conll_export_says_it_drops_them(tmp_path: Path, capsys) -> None:
    from planex_cli.main import main

    out = tmp_path / "seeds.conll"
    assert main(["labels", "export", "--to", "conll", str(SEEDS), "--out", str(out)]) == 0
    n = sum(len(d.links or []) for d in load_documents([SEEDS]))
    assert f"warning: CoNLL has no place for task links; the {n} links" in capsys.readouterr().err


def _ls_task(result: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{"data": {"text": TEXT, "planex_id": "d1"}, "annotations": [{"result": result}]}]


def _ls_region(rid: str, start: int, end: int, label: str) -> dict[str, object]:
    value = {"start": start, "end": end, "labels": [label]}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def _relation(a: str, b: str) -> dict[str, object]:
    return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": []}


def test_links_label_studio_relations_read_either_way_and_checked(tmp_path: Path) -> None:
    from planex.formats import import_file

    regions = [_ls_region("t", 3, 7, "TASK"), _ls_region("d", 8, 15, "DEADLINE"), _ls_region("u", 34, 38, "TASK")]
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(_ls_task([*regions, _relation("d", "t")]), ensure_ascii=False), encoding="utf-8")
    assert import_file("label-studio", path, None)[0].doc.links == [Link((3, 7), (8, 15))]
    bad = _ls_task([*regions, _relation("t", "nope"), _relation("t", "u")])
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LabelFileError) as err:
        import_file("label-studio", path, None)
    message = str(err.value)
    assert "annotations[0].result[3] relates 't' to 'nope'; both must be span regions" in message
    assert "link task 3-7 '建设平台' → span 34-38 '推进共享': the span end is a TASK span" in message


def test_links_doccano_relations_read_and_checked(tmp_path: Path) -> None:
    from planex.formats import import_file

    entities = [
        {"id": 1, "label": "TASK", "start_offset": 3, "end_offset": 7},
        {"id": 2, "label": "DEADLINE", "start_offset": 8, "end_offset": 15},
    ]
    record = {"text": TEXT, "entities": entities, "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "task"}]}
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_file("doccano", path, None, "codepoints")[0].doc.links == [Link((3, 7), (8, 15))]
    record["relations"] = [{"id": 1, "from_id": 1, "to_id": 9, "type": "task"}]
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=r"line 1: relations\[0\] must join two entities by their ids"):
        import_file("doccano", path, None, "codepoints")


def test_links_follow_spans_onto_the_normalised_text() -> None:
    from planex.formats.rawtext import to_normalised

    raw = Document(
        "d", "區(qū)域治理。2025年底前", [Span(0, 8, "TASK"), Span(9, 16, "DEADLINE")], links=[Link((0, 8), (9, 16))]
    )
    doc, problems = to_normalised(raw)
    assert problems == [] and doc.text == "区域治理。2025年底前"
    assert doc.links == [Link((0, 4), (5, 12))]


def test_links_summary_counts_kinds_and_unattached() -> None:
    from planex.links import summary_lines

    spans = [Span(**s) for s in SPANS]
    docs = [
        Document("a", TEXT, spans, links=[Link((3, 7), (8, 15))]),
        Document("b", TEXT, spans),  # a TASK but no links yet: left out
        Document("c", "2025年底前", [Span(0, 7, "DEADLINE")]),  # no TASK: its span is unattached
    ]
    assert summary_lines(docs, ["TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR"]) == [
        "\ntask links: 1 documents with links, 1 with a TASK but no links yet (not counted)",
        "  links per kind: deadline 1, lead unit 0, indicator 0 (1 in all)",
        "  unattached spans: deadline 1, lead unit 1, indicator 0",
    ]


def test_links_move_with_their_spans_when_the_normaliser_changes() -> None:
    from planex.migrate import migrate_links, migrate_spans

    old, new = "（一）建设 平台。2025年底前", "（一）建设平台。2025年底前"  # a space removed inside the task
    spans = [Span(3, 8, "TASK"), Span(9, 16, "DEADLINE")]
    moved, _ = migrate_spans(old, new, spans)
    links, problems = migrate_links(old, new, [Link((3, 8), (9, 16))])
    assert problems == [] and links == [Link((moved[0].start, moved[0].end), (moved[1].start, moved[1].end))]
    assert links == [Link((3, 7), (8, 15))]
    assert migrate_links(old, "（一）", [Link((3, 8), (9, 16))])[1] == [
        "link task 3-8 → span 9-16 lost a span; dropped"
    ]
