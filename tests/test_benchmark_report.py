"""Benchmark report rendering: the by-file table pools per-document counts into exact micro-F1."""

from __future__ import annotations

from typing import Any

from planex.labelfile import Span
from training.benchmark import render_markdown, subset_micro_f1
from training.scoring import seqeval_scores

LABELS = ("TASK", "DEADLINE")
DOCS = {
    "a1": ("完善平台。2025年底前完成。", [Span(0, 4, "TASK"), Span(5, 12, "DEADLINE")], [Span(0, 4, "TASK")]),
    "a2": (
        "推进改革。年内。",
        [Span(0, 4, "TASK"), Span(5, 7, "DEADLINE")],
        [Span(0, 2, "TASK"), Span(5, 7, "DEADLINE")],
    ),
    "b1": ("建设网络。", [Span(0, 4, "TASK")], [Span(0, 4, "TASK"), Span(4, 5, "DEADLINE")]),
}


def per_document() -> list[dict[str, Any]]:
    return [
        {"id": i, "predicted": len(p), **seqeval_scores([t], [g], [p], LABELS)["micro"]}
        for i, (t, g, p) in DOCS.items()
    ]


def test_pooled_micro_f1_equals_seqeval_on_the_subset() -> None:
    for ids in ({"a1", "a2"}, {"b1"}, set(DOCS)):
        rows = [DOCS[i] for i in sorted(ids)]
        expected = seqeval_scores([t for t, _, _ in rows], [g for _, g, _ in rows], [p for _, _, p in rows], LABELS)
        assert abs(subset_micro_f1(per_document(), ids) - expected["micro"]["f1"]) < 1e-9


def test_markdown_has_a_by_file_table_only_when_documents_span_files() -> None:
    result = {
        "per_label": {lab: {"f1": 0.5, "support": 1} for lab in LABELS},
        "micro": {"f1": 0.5},
        "macro": {"f1": 0.5},
        "exact_raw": {"micro": {"f1": 0.5}},
        "train_seconds": 0.0,
        "predict_seconds": 1.0,
        "characters": 10,
        "per_document": per_document(),
    }
    machine = dict.fromkeys(("date", "commit", "cpu", "cores", "torch_threads", "gpu", "python", "torch"), "x")
    report = {
        "machine": machine,
        "labels": LABELS,
        "documents": 3,
        "characters": 10,
        "base_model": "base",
        "cv": 2,
        "results": {"all-data": {"rules": result}},
    }
    files = {"a1": "a.jsonl", "a2": "a.jsonl", "b1": "b.jsonl"}
    table = render_markdown({**report, "document_files": files})
    a_f1 = subset_micro_f1(per_document(), {"a1", "a2"})
    assert "| system | a.jsonl (2) | b.jsonl (1) |" in table
    assert f"| rules | {a_f1:.3f} | " in table
    assert "by label file" not in render_markdown({**report, "document_files": dict.fromkeys(files, "a.jsonl")})
