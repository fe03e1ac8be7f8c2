"""Error analysis: fragments (a cut indicator or unit name, a version year as a deadline) are their own kind."""

from __future__ import annotations

from typing import Any

import pytest

from planex.document import Document, Span
from training.benchmark_report import render_markdown
from training.errors import add_counts, classify, counts, version_year
from training.evaluate import pooled, public, score

LABELS = ("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR")
# A title with the plan's own year, a document number, then one task with its deadline, lead unit and indicator.
TEXT = (
    "泰安市2023年数字政府建设工作要点\n"
    "（泰政办发〔2023〕5号）\n"
    "1.建设数据平台，2025年底前完成，平台接入率达到95%以上。（牵头单位：市发展和改革委员会）"
)


def at(piece: str, label: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(piece, start + 1)
    return Span(start, start + len(piece), label)


GOLD = [
    at("建设数据平台", "TASK"),
    at("2025年底前", "DEADLINE"),
    at("平台接入率达到95%以上", "INDICATOR"),
    at("市发展和改革委员会", "LEAD_UNIT"),
]
DOC = Document("plan", TEXT, GOLD)


def kinds(pred: list[Span]) -> list[tuple[str, str | None, str, list[str]]]:
    return [(e["kind"], e["why"], e["text"], [o["text"] for o in e["other"]]) for e in classify([DOC], [pred])]


def test_errors_right_spans_are_no_errors() -> None:
    assert kinds(GOLD) == []


@pytest.mark.parametrize(
    ("wrong", "expected"),
    [
        # an indicator cut before its unit
        (at("平台接入率达到95", "INDICATOR"), ("fragment", "inside", "平台接入率达到95%以上", ["平台接入率达到95"])),
        # a lead unit cut inside its name
        (at("市发展和改", "LEAD_UNIT"), ("fragment", "inside", "市发展和改革委员会", ["市发展和改"])),
        # a lead unit that starts inside the name and runs past it
        (at("改革委员会）", "LEAD_UNIT"), ("fragment", "partial", "市发展和改革委员会", ["改革委员会）"])),
        # the plan's own year in its title, and in its document number, taken as deadlines
        (at("2023年", "DEADLINE"), ("fragment", "version year", "2023年", [])),
        (at("2023", "DEADLINE", 1), ("fragment", "version year", "2023", [])),
        # not fragments: a span running past the gold one, another label, nothing there
        (
            at("（牵头单位：市发展和改革委员会", "LEAD_UNIT"),
            ("boundary", None, "市发展和改革委员会", ["（牵头单位：市发展和改革委员会"]),
        ),
        (at("市发展和改革委员会", "TASK"), ("label", None, "市发展和改革委员会", ["市发展和改革委员会"])),
        (at("数字政府", "DEADLINE"), ("spurious", None, "数字政府", [])),
    ],
)
def test_errors_kind_of_each_wrong_span(wrong: Span, expected: tuple[str, str | None, str, list[str]]) -> None:
    right = [s for s in GOLD if not (s.start < wrong.end and wrong.start < s.end)]
    assert kinds([*right, wrong]) == [expected]


def test_errors_missed_gold_span() -> None:
    assert kinds(GOLD[:-1]) == [("missed", None, "市发展和改革委员会", [])]


@pytest.mark.parametrize(
    ("text", "piece", "expected"),
    [
        ("泰安市2023年数字政府建设工作要点\n", "2023年", True),
        ("（泰政办发〔2023〕5号）", "2023", True),
        ("按照《泰安市2023年数字经济工作要点》要求，年内完成。", "2023年", True),
        ("执行《数据标准（2023年版）》。", "2023年", True),
        ("2023年底前建成平台。", "2023年底前", False),
        ("到2025年，建成数据平台。", "2025年", False),
        ("泰安市数字政府建设工作要点\n", "数字", False),  # a title, but no year
    ],
)
def test_errors_version_year(text: str, piece: str, expected: bool) -> None:
    start = text.index(piece)
    assert version_year(text, Span(start, start + len(piece), "DEADLINE")) is expected


class Fixed:
    """A system that predicts given spans per text."""

    name, seeded = "fixed", False

    def __init__(self, pred: dict[str, list[Span]]):
        self.pred = pred

    def fit(self, docs: list[Document]) -> None:
        return None

    def predict(self, texts: list[str]) -> list[list[Span]]:
        return [self.pred[t] for t in texts]


def test_errors_counted_in_full_per_fold_and_pooled_into_the_report() -> None:
    other = Document("other", "1.推进共享。2024年6月底前完成。", [Span(2, 6, "TASK"), Span(7, 16, "DEADLINE")])
    cut = [*GOLD[:2], at("平台接入率达到95", "INDICATOR"), at("市发展和改", "LEAD_UNIT"), at("2023年", "DEADLINE")]
    system = Fixed({TEXT: cut, other.text: [Span(2, 6, "TASK"), Span(7, 12, "DEADLINE")]})
    folds = [[DOC], [other]]
    results = [score(system, fold, LABELS) for fold in folds]
    assert results[0]["error_counts"]["fragments"] == {"inside": 2, "partial": 0, "version year": 1}
    assert results[1]["error_counts"]["per_kind"]["fragment"] == {"DEADLINE": 1}  # 2024年6月 of 2024年6月底前
    result = public(pooled(results, folds, LABELS))
    assert result["error_counts"] == add_counts([counts(classify([DOC], [cut])), results[1]["error_counts"]])
    assert result["error_counts"]["per_kind"]["fragment"] == {"DEADLINE": 2, "INDICATOR": 1, "LEAD_UNIT": 1}
    assert all(not n for kind, n in result["error_counts"]["per_kind"].items() if kind != "fragment")
    assert {e["why"] for e in result["fragment_examples"]} == {"inside", "version year"}
    markdown = render_markdown(report({**result, "train_seconds": 0.0}))
    assert "| fixed | 0 | 0 | 0 | 4 | 0 | 3 / 0 / 1 |" in markdown
    assert "- fixed, LEAD_UNIT (inside): 「市发展和改革委员会」 → 「市发展和改」 in …" in markdown
    assert "- fixed, DEADLINE (version year): 「—」 → 「2023年」" in markdown


def report(result: dict[str, Any]) -> dict[str, Any]:
    machine = dict.fromkeys(("date", "commit", "cpu", "cores", "torch_threads", "gpu", "python", "torch"), "x")
    return {
        "machine": machine,
        "labels": list(LABELS),
        "documents": 2,
        "characters": 10,
        "base_model": "base",
        "cv": 2,
        "results": {"all-data": {"fixed": result}},
    }
