"""Inter-annotator agreement: exact span F1 per label and micro, exact link F1, listed disagreements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex.document import Document, Span
from planex.labelfile import write_documents
from planex.links import Link
from training.agreement import agreement, main

TEXT = "1.完善体系。(牵头单位:市局)2025年底前,覆盖率达到90%以上。"


def _span(text: str, label: str) -> Span:
    start = TEXT.index(text)
    return Span(start, start + len(text), label)


TASK, LEAD = _span("完善体系", "TASK"), _span("市局", "LEAD_UNIT")
DEAD, IND = _span("2025年底前", "DEADLINE"), _span("覆盖率达到90%以上", "INDICATOR")


def _doc(spans: list[Span], links: list[Link], text: str = TEXT, id_: str = "a") -> Document:
    return Document(id=id_, text=text, spans=spans, links=links)


def _link(span: Span) -> Link:
    return Link(task=(TASK.start, TASK.end), span=(span.start, span.end))


GOLD = _doc([TASK, LEAD, DEAD, IND], [_link(LEAD), _link(DEAD), _link(IND)])


def test_agreement_identical_labelling_scores_one_with_no_disagreements() -> None:
    r = agreement([GOLD], [GOLD])
    assert r["spans"]["micro"]["f1"] == 1.0 and r["links"]["micro"]["f1"] == 1.0
    assert r["disagreements"] == []


def test_agreement_counts_a_boundary_and_a_missing_link_per_label() -> None:
    short = _span("达到90%以上", "INDICATOR")  # 达到90%以上: the measured thing left out
    second = _doc([TASK, LEAD, DEAD, short], [_link(LEAD), _link(short)])
    r = agreement([GOLD], [second])
    assert r["spans"]["per_label"]["INDICATOR"]["f1"] == 0.0
    assert r["spans"]["per_label"]["TASK"]["f1"] == 1.0
    assert r["spans"]["micro"]["f1"] == pytest.approx(0.75)
    links = r["links"]["micro"]
    assert (links["correct"], links["predicted"], links["support"]) == (1, 2, 3)
    texts = {(d["only_in"], d["what"], d["text"]) for d in r["disagreements"]}
    assert ("gold", "span", "覆盖率达到90%以上") in texts and ("second", "span", "达到90%以上") in texts
    assert ("gold", "link", "完善体系 -> 2025年底前") in texts


def test_agreement_refuses_unknown_ids_and_changed_texts() -> None:
    with pytest.raises(ValueError, match="no gold document"):
        agreement([GOLD], [_doc([], [], id_="b")])
    with pytest.raises(ValueError, match="different text"):
        agreement([GOLD], [_doc([], [], text=TEXT + "。")])


def test_agreement_cli_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_documents(tmp_path / "gold.jsonl", [GOLD])
    write_documents(tmp_path / "second.jsonl", [GOLD])
    main([str(tmp_path / "second.jsonl"), str(tmp_path / "gold.jsonl")])
    out = json.loads(capsys.readouterr().out)
    assert out["documents"] == 1 and out["spans"]["micro"]["support"] == 4
