"""The attachment rule scored on its own: task links built from gold spans against the gold links."""

from __future__ import annotations

import json
from pathlib import Path

from planex.document import Document, Span
from planex.labelfile import write_documents
from planex.links import Link, propose_links
from planex.scheme import load_scheme
from planex_cli.main import main
from training.goldlinks import gold_link_report, render_markdown, wrong_links

TEXT = "一、建设平台。（牵头单位：市发改委）\n二、推进共享。2025年底前完成。"


def _doc(doc_id: str, *, wrong: bool) -> Document:
    def at(s: str, label: str) -> Span:
        start = TEXT.index(s)
        return Span(start, start + len(s), label)

    t1, lead, t2, due = (
        at("建设平台", "TASK"),
        at("市发改委", "LEAD_UNIT"),
        at("推进共享", "TASK"),
        at("2025年底前", "DEADLINE"),
    )
    spans = [t1, lead, t2, due]
    links = propose_links(TEXT, spans)
    assert len(links) == 2  # the rule gives the lead to the first task and the deadline to the second
    if wrong:  # the gold says otherwise for the deadline: the rule must be caught on it
        links = [Link((t1.start, t1.end), (lead.start, lead.end)), Link((t1.start, t1.end), (due.start, due.end))]
    return Document(doc_id, TEXT, spans, links=links)


def _files(tmp_path: Path) -> Path:
    folder = tmp_path / "labels"
    folder.mkdir()
    write_documents(folder / "right.jsonl", [_doc("d1", wrong=False)])
    write_documents(folder / "wrong.jsonl", [_doc("d2", wrong=True)])
    (folder / "families.tsv").write_text("id\tfamily\nd1\tinline_lead\nd2\tresp_line\n", encoding="utf-8")
    return folder


def test_gold_links_score_one_where_the_rule_agrees_and_less_where_a_link_is_wrong(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    report = gold_link_report([folder], load_scheme(), folder / "families.tsv")
    right, wrong = report["by_file"][str(folder / "right.jsonl")], report["by_file"][str(folder / "wrong.jsonl")]
    assert right["exact"]["micro"]["f1"] == 1.0
    assert wrong["exact"]["micro"]["f1"] == 0.5  # the lead is right, the deadline went to the other task
    assert wrong["exact"]["per_kind"]["DEADLINE"]["f1"] == 0.0 and wrong["exact"]["per_kind"]["LEAD_UNIT"]["f1"] == 1.0
    assert report["by_family"]["resp_line"]["exact"]["micro"]["f1"] == 0.5
    assert report["by_family"]["inline_lead"]["exact"]["micro"]["f1"] == 1.0
    assert 0.5 < report["all"]["exact"]["micro"]["f1"] < 1.0
    sides = sorted((w["doc"], w["side"], w["kind"], w["task"], w["span"]) for w in report["wrong"])
    assert sides == [
        ("d2", "missed", "deadline", "建设平台", "2025年底前"),
        ("d2", "spurious", "deadline", "推进共享", "2025年底前"),
    ]
    markdown = render_markdown(report)
    assert "| resp_line | 1 |" in markdown and "d2 missed deadline: `2025年底前` → task `建设平台`" in markdown


def test_gold_links_family_falls_back_to_the_layout_rules(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    report = gold_link_report([folder], load_scheme(), families=None)
    assert sum(s["documents"] for s in report["by_family"].values()) == 2 and report["families_file"] is None


def test_wrong_links_of_a_document_without_links_is_empty() -> None:
    doc = _doc("d3", wrong=False)
    assert wrong_links(Document(doc.id, doc.text, doc.spans, links=None)) == []


def test_cli_evaluate_links_on_gold_prints_and_writes_the_report(tmp_path: Path, capsys) -> None:
    folder = _files(tmp_path)
    assert main(["evaluate", "--links-on-gold", "--labels", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert "# planex evaluate --links-on-gold" in capsys.readouterr().out
    report = json.loads((tmp_path / "out" / "evaluate-links-on-gold.json").read_text(encoding="utf-8"))
    assert report["documents"] == 2 and report["all"]["exact"]["micro"]["correct"] == 3
    assert (tmp_path / "out" / "evaluate-links-on-gold.md").is_file()


def test_cli_evaluate_links_on_gold_refuses_a_model(tmp_path: Path, capsys) -> None:
    assert main(["evaluate", "--links-on-gold", "--model", "rules", "--labels", str(_files(tmp_path))]) == 2
    assert "leave out --model" in capsys.readouterr().err
