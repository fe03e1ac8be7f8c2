"""Task-link scores: exact and lenient link precision/recall/F1 per kind, and exact task rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex.document import Document, Span
from planex.labelfile import write_documents
from planex.links import Link
from training.linkscore import Table, document_link_scores, gold_table, link_scores, markdown_table, predicted_table

KINDS = ["DEADLINE", "LEAD_UNIT", "INDICATOR"]
T1, T2 = (0, 4), (20, 24)
D1, L1, L2, I2 = (5, 9), (10, 14), (15, 18), (25, 30)
GOLD = Table.of([(T1, "DEADLINE", D1), (T1, "LEAD_UNIT", L1), (T1, "LEAD_UNIT", L2), (T2, "INDICATOR", I2)])


def _micro(scores: dict, mode: str = "exact") -> tuple[float, float, float]:
    m = scores[mode]["micro"]
    return round(m["precision"], 4), round(m["recall"], 4), round(m["f1"], 4)


def test_linkscore_identical_tables_score_one() -> None:
    s = link_scores([GOLD], [GOLD], KINDS)
    assert _micro(s) == (1.0, 1.0, 1.0) and _micro(s, "lenient") == (1.0, 1.0, 1.0)
    assert s["rows"] == {"gold": 2, "exact": 2, "share": 1.0}


def test_linkscore_wrong_attachment_counts_per_kind() -> None:
    # L2 goes to the second task instead of the first: one lead-unit link wrong on each side.
    pred = Table.of([(T1, "DEADLINE", D1), (T1, "LEAD_UNIT", L1), (T2, "LEAD_UNIT", L2), (T2, "INDICATOR", I2)])
    s = link_scores([GOLD], [pred], KINDS)
    lead = s["exact"]["per_kind"]["LEAD_UNIT"]
    assert (lead["correct"], lead["predicted"], lead["support"]) == (1, 2, 2)
    assert s["exact"]["per_kind"]["DEADLINE"]["f1"] == 1.0
    assert _micro(s) == (0.75, 0.75, 0.75)
    assert _micro(s, "lenient") == (0.75, 0.75, 0.75)  # an attachment error stays wrong when lenient
    assert s["rows"]["exact"] == 0  # both rows have a wrong attribute set


def test_linkscore_task_span_error_is_lenient_right() -> None:
    short = (0, 3)  # the task span cut short: every link of that row is wrong when exact
    pred = Table.of(
        [(short, "DEADLINE", D1), (short, "LEAD_UNIT", L1), (short, "LEAD_UNIT", L2), (T2, "INDICATOR", I2)]
    )
    s = link_scores([GOLD], [pred], KINDS)
    assert _micro(s) == (0.25, 0.25, 0.25)
    assert _micro(s, "lenient") == (1.0, 1.0, 1.0)
    assert s["rows"] == {"gold": 2, "exact": 1, "share": 0.5}


def test_linkscore_merged_cell_matches_one_to_one() -> None:
    # A merged cell links one attribute to two tasks; a single predicted task that overlaps both
    # may stand for only one of them.
    gold = Table.of([((0, 4), "LEAD_UNIT", (30, 34)), ((10, 14), "LEAD_UNIT", (30, 34))])
    pred = Table.of([((2, 12), "LEAD_UNIT", (30, 34))])
    s = link_scores([gold], [pred], KINDS)
    assert _micro(s) == (0.0, 0.0, 0.0)
    assert _micro(s, "lenient") == (1.0, 0.5, 0.6667)


def test_linkscore_spurious_and_missing_rows() -> None:
    gold = Table.of([(T1, "DEADLINE", D1)], tasks=[T1, T2])  # T2 is a row with no attributes
    pred = Table.of([(T1, "DEADLINE", D1), ((40, 44), "DEADLINE", (45, 49))], tasks=[T2, (40, 44)])
    s = link_scores([gold], [pred], KINDS)
    assert _micro(s) == (0.5, 1.0, 0.6667)
    assert s["rows"] == {"gold": 2, "exact": 2, "share": 1.0}
    assert s["rows_with_attributes"] == {"gold": 1, "exact": 1, "share": 1.0}
    assert s["exact"]["per_kind"]["INDICATOR"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 0,
        "predicted": 0,
        "correct": 0,
    }


def test_linkscore_documents_are_scored_separately() -> None:
    # The same offsets in two documents are two different links.
    s = link_scores([GOLD, Table.of([])], [Table.of([]), GOLD], KINDS)
    assert _micro(s) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("text", "spans", "links"),
    [
        (
            "（一）建设平台。2025年底前完成。（牵头单位：市大数据局）\n（二）推进共享。",
            [Span(3, 7, "TASK"), Span(8, 15, "DEADLINE"), Span(24, 29, "LEAD_UNIT"), Span(34, 38, "TASK")],
            {((3, 7), "DEADLINE", (8, 15)), ((3, 7), "LEAD_UNIT", (24, 29))},
        ),
        # Before the first task, a plan-wide target is unattached.
        (
            "到2025年，基本建成。\n一、建设平台\n",
            [Span(0, 6, "DEADLINE"), Span(15, 19, "TASK")],
            set(),
        ),
    ],
)
def test_linkscore_predicted_table_uses_server_attachment(text: str, spans: list[Span], links: set) -> None:
    assert all(text[s.start : s.end].strip() for s in spans)
    table = predicted_table(text, spans)
    assert table.links == links
    assert table.tasks == {(s.start, s.end) for s in spans if s.label == "TASK"}


def test_linkscore_gold_table_keeps_rows_without_links() -> None:
    spans = [Span(0, 4, "TASK"), Span(5, 9, "DEADLINE"), Span(20, 24, "TASK")]
    table = gold_table(spans, [Link((0, 4), (5, 9))])
    assert table.links == {((0, 4), "DEADLINE", (5, 9))}
    assert table.tasks == {(0, 4), (20, 24)}


def _doc(doc_id: str, text: str, spans: list[Span], links: list[Link] | None) -> Document:
    return Document(doc_id, text, spans, links=links)


TEXT = "（一）建设平台。2025年底前完成。（牵头单位：市大数据局）\n（二）推进共享。"
TASK1, DEAD, LEAD, TASK2 = Span(3, 7, "TASK"), Span(8, 15, "DEADLINE"), Span(24, 29, "LEAD_UNIT"), Span(34, 38, "TASK")
LABELS = ("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR")


def test_linkscore_documents_without_labelled_links_are_left_out() -> None:
    gold = [TASK1, DEAD, LEAD, TASK2]
    links = [Link((3, 7), (8, 15)), Link((3, 7), (24, 29))]
    docs = [
        _doc("a", TEXT, gold, links),
        _doc("b", TEXT, gold, None),  # links not labelled yet: not scored
        _doc("c", "2025年底前", [Span(0, 7, "DEADLINE")], None),  # no TASK: nothing to link, scored
    ]
    pred = [[TASK1, DEAD, TASK2], [TASK1, DEAD, LEAD, TASK2], [Span(0, 7, "DEADLINE")]]
    s = document_link_scores(docs, pred, LABELS)
    assert (s["documents"], s["documents_without_links"]) == (2, 1)
    assert _micro(s) == (1.0, 0.5, 0.6667)
    assert s["exact"]["per_kind"]["LEAD_UNIT"]["correct"] == 0 and s["rows"] == {"gold": 2, "exact": 1, "share": 0.5}
    # the rule on the gold spans of the same two documents gets both links: the system's miss is a span error
    assert _micro(s["on_gold_spans"]) == (1.0, 1.0, 1.0) and s["on_gold_spans"]["rows"]["share"] == 1.0


def test_linkscore_on_gold_spans_shows_an_attachment_error() -> None:
    # The gold gives the deadline to the second task; the rule, on the very gold spans, to the first.
    doc = _doc("a", TEXT, [TASK1, DEAD, LEAD, TASK2], [Link((34, 38), (8, 15)), Link((3, 7), (24, 29))])
    s = document_link_scores([doc], [doc.spans], LABELS)
    assert _micro(s["on_gold_spans"]) == (0.5, 0.5, 0.5) and _micro(s) == (0.5, 0.5, 0.5)
    assert "on_gold_spans" not in document_link_scores([doc], [doc.spans], LABELS, on_gold_spans=False)
    lines = markdown_table({"bert": {"links": s}})
    assert "| *gold spans* | 0.000 | 1.000 | 0.000 | 0.500 | 0.500 | **0.500** | 0.500 | 0.000 | 0.000 |" in lines


def test_linkscore_markdown_table_per_system() -> None:
    s = link_scores([GOLD], [GOLD], KINDS) | {"documents": 1, "documents_without_links": 0}
    lines = markdown_table({"rules": {"links": s}, "old": {}})
    assert (
        "| system | deadline | lead unit | indicator | link P | link R | link F1 | lenient F1 | rows | rows+ |" in lines
    )
    assert "| rules | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 | **1.000** | 1.000 | 1.000 | 1.000 |" in lines
    assert lines[-1] == "Gold links: deadline 1, lead unit 2, indicator 1; 2 task rows in 1 documents."
    assert markdown_table({"old": {}}) == []  # a report made before links were scored


def test_linkscore_evaluate_reports_links_for_the_rules(tmp_path: Path) -> None:
    from planex_cli.main import main

    raw, labels = tmp_path / "d1.txt", tmp_path / "d1.jsonl"
    raw.write_text(TEXT, encoding="utf-8")  # already normal: text == raw
    links = [Link((3, 7), (8, 15)), Link((3, 7), (24, 29))]
    write_documents(labels, [Document("d1", TEXT, [TASK1, DEAD, LEAD, TASK2], str(raw), links=links)])
    assert main(["evaluate", "--model", "rules", "--labels", str(labels), "--reports", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "evaluate-rules.json").read_text(encoding="utf-8"))
    scores = report["results"]["labelled documents"]["rules"]["links"]
    assert scores["exact"]["micro"]["support"] == 2 and scores["rows"]["gold"] == 2
    assert "| rules | " in (tmp_path / "evaluate-rules.md").read_text(encoding="utf-8").split("Task links")[1]
