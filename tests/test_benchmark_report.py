"""Benchmark report: the by-file table pools per-document counts into exact micro-F1; seed repeats; resume."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from planex.document import Span
from planex.sources import DEFAULT_CORPUS
from training.benchmark_report import render_markdown, subset_micro_f1
from training.scoring import seqeval_scores

if TYPE_CHECKING:
    from planex.document import Document
    from planex.scheme import LabelScheme
    from training.config import TrainConfig

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
    assert "with uncommitted changes" not in table
    dirty = render_markdown({**report, "machine": {**machine, "uncommitted_code": True}})
    assert "at commit `x` with uncommitted changes to the code on x" in dirty


def test_machine_says_when_the_code_differs_from_its_commit(tmp_path: Path, monkeypatch) -> None:
    import subprocess

    from training.benchmark_report import machine

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "training").mkdir()
    (tmp_path / "training" / "a.py").write_text("x = 1\n")
    (tmp_path / "notes.md").write_text("notes\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    monkeypatch.chdir(tmp_path)
    assert machine()["commit"] and machine()["uncommitted_code"] is False
    (tmp_path / "notes.md").write_text("edited notes\n")  # not code
    assert machine()["uncommitted_code"] is False
    (tmp_path / "training" / "b.py").write_text("y = 2\n")  # new code, not yet committed
    assert machine()["uncommitted_code"] is True


class SeededSystem:
    """Predicts the gold spans of some documents, which ones depending on the seed."""

    seeded = True

    def __init__(self, seed: int, gold: dict[str, list[Span]]):
        self.seed, self.gold = seed, gold

    def fit(self, docs: list[Any]) -> None:
        return None

    def predict(self, texts: list[str]) -> list[list[Span]]:
        every = 1 + self.seed % 3  # seed 13: every 2nd document, 14: every 3rd, 15: all
        return [self.gold[t] if i % every == 0 else [] for i, t in enumerate(texts)]


@dataclass
class FakeRun:
    """The labelled documents, with rules as themselves and "bert" as a SeededSystem; ``made`` logs each system made."""

    docs: list[Document]
    scheme: LabelScheme
    cfg: TrainConfig
    made: list[tuple[str, int]]


@pytest.fixture
def fake_run(monkeypatch: pytest.MonkeyPatch) -> FakeRun:
    from dataclasses import replace

    from planex.labelfile import label_files, load_documents
    from planex.scheme import load_scheme
    from training import benchmark
    from training.baselines import RuleSystem
    from training.config import TrainConfig

    if not DEFAULT_CORPUS.exists():  # the benchmark scores on raw texts, read from the corpus for corpus labels
        pytest.skip(f"{DEFAULT_CORPUS} not present (CI and developers have ../shared beside the clone)")
    docs = load_documents(label_files([Path("labels")]))
    gold = {d.text: d.spans for d in docs}
    made: list[tuple[str, int]] = []

    def fake_systems(names: list[str], cfg: TrainConfig, *_: Any) -> dict[str, Any]:
        def factory(name: str) -> Any:
            made.append((name, cfg.seed))
            return RuleSystem() if name == "rules" else SeededSystem(cfg.seed, gold)

        return {n: (lambda n=n: factory(n)) for n in names}

    monkeypatch.setattr(benchmark, "systems_for", fake_systems)
    cfg = replace(TrainConfig(labels=[Path("labels")], base_model="b"), seed=13)
    return FakeRun(docs, load_scheme(), cfg, made)


def test_repeats_rerun_seeded_systems_only_and_report_the_spread(tmp_path: Path, fake_run: FakeRun) -> None:
    from training import benchmark

    docs, scheme, cfg, made = fake_run.docs, fake_run.scheme, fake_run.cfg, fake_run.made
    report = benchmark.run_benchmark(
        docs, scheme, cfg, ["rules", "bert"], ["cross-layout"], 2, tmp_path, log=lambda _: None, repeats=3
    )
    assert made == [("rules", 13), ("bert", 13), ("bert", 14), ("bert", 15)]  # rules are deterministic
    runs = report["results"]["cross-layout"]["bert"]["seed_runs"]
    assert [r["seed"] for r in runs] == [13, 14, 15]
    assert runs[0]["micro_f1"] == report["results"]["cross-layout"]["bert"]["micro"]["f1"]
    assert len({r["micro_f1"] for r in runs}) == 3  # the seeds really predicted differently
    assert "seed_runs" not in report["results"]["cross-layout"]["rules"]
    table = (tmp_path / "benchmark.md").read_text(encoding="utf-8")
    mean = sum(r["micro_f1"] for r in runs) / 3
    assert "| bert | 13, 14, 15 | " in table and f"**{mean:.3f} ± " in table
    made.clear()  # cross-validation: one system per fold, and a repeat trains every fold again; rules run once
    report = benchmark.run_benchmark(
        docs, scheme, cfg, ["rules", "bert"], ["all-data"], 2, tmp_path, log=lambda _: None, repeats=2,
        repeat_settings=("all-data",),
    )  # fmt: skip
    assert made == [("rules", 13)] * 2 + [("bert", 13)] * 2 + [("bert", 14)] * 2
    assert [r["seed"] for r in report["results"]["all-data"]["bert"]["seed_runs"]] == [13, 14]
    assert "seed_runs" not in report["results"]["all-data"]["rules"]
    with pytest.raises(ValueError, match="unknown setting"):
        benchmark.run_benchmark(docs, scheme, cfg, ["rules"], ["cross-layout"], 2, tmp_path, repeat_settings=("cv",))


def test_resume_keeps_finished_runs_and_runs_only_the_missing_ones(tmp_path: Path, fake_run: FakeRun) -> None:
    import json

    from training import benchmark

    docs, scheme, cfg, made = fake_run.docs, fake_run.scheme, fake_run.cfg, fake_run.made
    args = (docs, scheme, cfg, ["rules", "bert"], ["cross-layout", "all-data"], 2, tmp_path)
    full = benchmark.run_benchmark(*args, log=lambda _: None, repeats=2)
    # An interruption during bert's repeat in cross-layout: what the partial report then held.
    partial = json.loads((tmp_path / "benchmark.json").read_text(encoding="utf-8"))
    del partial["results"]["cross-layout"]["bert"]["seed_runs"]
    del partial["results"]["all-data"]
    made.clear()
    resumed = benchmark.run_benchmark(*args, log=lambda _: None, repeats=2, resume=partial)
    # cross-layout: rules and bert's first seed are kept (each made once, untrained, to ask whether
    # a seed changes it) and only bert's seed 14 is trained; all-data then runs both systems' folds.
    assert made == [("rules", 13), ("bert", 13), ("bert", 14), *[("rules", 13)] * 2, *[("bert", 13)] * 2]
    for setting in ("cross-layout", "all-data"):
        for name in ("rules", "bert"):
            assert resumed["results"][setting][name]["micro"] == full["results"][setting][name]["micro"]
    assert (
        resumed["results"]["cross-layout"]["bert"]["seed_runs"] == full["results"]["cross-layout"]["bert"]["seed_runs"]
    )
    assert resumed["machine"] == partial["machine"]
    assert resumed["resumed"][0]["runs"] == ["cross-layout bert seed 14", "all-data rules", "all-data bert"]
    table = (tmp_path / "benchmark.md").read_text(encoding="utf-8")
    assert "interrupted and resumed" in table and "all-data bert" in table
    with pytest.raises(ValueError, match="different cv"):
        benchmark.run_benchmark(docs, scheme, cfg, ["rules"], ["all-data"], 3, tmp_path, resume=partial)
    with pytest.raises(ValueError, match="not a benchmark report"):
        benchmark.run_benchmark(*args, resume={"results": []})
    with pytest.raises(ValueError, match="different command"):
        benchmark.run_benchmark(*args, command="planex benchmark --epochs 1", resume=partial)
