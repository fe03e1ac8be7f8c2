"""``planex benchmark --external``: a public NER benchmark through the documented commands, new scheme included."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from planex import paths
from planex_cli.main import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "ner"
SHARED = paths.BENCHMARKS / "ner"


def test_external_benchmark_runs_both_systems_and_writes_the_reports(
    tmp_path: Path, tiny_base_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)  # work files go to ./runs/external
    argv = ["benchmark", "--external", "resume", "--benchmarks-dir", str(TINY), "--base-model", str(tiny_base_dir)]
    assert main([*argv, "--epochs", "2", "--reports", "out"]) == 0
    report = json.loads((tmp_path / "out" / "external" / "resume.json").read_text(encoding="utf-8"))
    assert set(report) >= {"in_house", "random_init", "machine", "commands", "published_test_f1"}
    for key, init in (("in_house", "pretrained"), ("random_init", "random")):
        r = report[key]
        # train_s is the model's training time rounded to 0.1 s: the tiny model can train in less (0.0).
        assert r["init"] == init and 0 <= r["test_micro_f1"] <= 1 and isinstance(r["train_s"], float)
        assert r["train_s"] >= 0
        assert set(r["per_type"]) == {"NAME", "CONT", "RACE", "TITLE", "EDU", "ORG", "PRO", "LOC"}
        assert r["test_entities"] == 5 and r["epochs_run"] <= 2 == r["max_epochs"]
    assert report["scheme"] == "training/schemes/resume.json"
    assert not [p for p in report["data"].values() if Path(p).is_absolute()]  # no machine's folders
    # Only documented commands ran: the report lists them, and they are what a user would type.
    assert report["commands"][0].startswith("planex labels import --from conll ")
    assert any(c.startswith("planex train ") and "--init random" in c for c in report["commands"])
    md = (tmp_path / "out" / "external" / "resume.md").read_text(encoding="utf-8")
    assert "| published: BERT-base (pretrained on Chinese Wikipedia) | 95.53 |" in md
    assert "planex, random init" in md
    # --resume reuses the trained models: nothing is trained again.
    capsys.readouterr()
    assert main([*argv, "--epochs", "2", "--reports", "out", "--resume", "--systems", "in-house"]) == 0
    out = capsys.readouterr().out
    assert "--resume: reusing runs/external/resume/in-house" in out and "$ planex train" not in out


def test_external_benchmark_says_where_the_data_should_be(tmp_path: Path, capsys) -> None:
    assert main(["benchmark", "--external", "resume", "--benchmarks-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path}/resume/train.char.bmes" in err and "pass --benchmarks-dir" in err
    assert main(["benchmark", "--external", "nope", "--benchmarks-dir", str(tmp_path)]) == 2
    assert "unknown benchmark; choose one of resume" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "resume").is_dir(), reason="needs ../shared/benchmarks/ner (not in a clone)")
def test_real_resume_imports_completely(tmp_path: Path, capsys) -> None:
    """The real Resume files go through `labels import` with the benchmark's scheme; every entity is kept
    (touching entities of one label are merged, with a warning each)."""
    scheme = ROOT / "training" / "schemes" / "resume.json"
    counts = {}
    for split, sentences in (("train", 3821), ("dev", 463), ("test", 477)):
        out = tmp_path / f"{split}.jsonl"
        f = SHARED / "resume" / f"{split}.char.bmes"
        assert main(["labels", "import", "--from", "conll", str(f), "--out", str(out), "--scheme", str(scheme)]) == 0
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == sentences
        counts[split] = sum(len(json.loads(line)["spans"]) for line in lines)
    # Entities in the files (B-/S- tags: 13,438 / 1,497 / 1,630), plus 2 train sentences that start inside an
    # entity, less the touching pairs merged (8 in train, 1 in test; each merge is a warning).
    assert counts == {"train": 13432, "dev": 1497, "test": 1629}
    assert capsys.readouterr().err.count("merged into one") == 9


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "resume").is_dir(), reason="needs ../shared/benchmarks/ner (not in a clone)")
@pytest.mark.skipif(not os.environ.get("PLANEX_EXTERNAL_FULL"), reason="hours on 2 cores: set PLANEX_EXTERNAL_FULL=1")
def test_real_resume_in_house_base_beats_random_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's targets, on the real data (tens of minutes on 2 CPU cores)."""
    base = ROOT / "models" / "base" / "planex-char-bert-4l256"
    monkeypatch.chdir(tmp_path)
    assert main(["benchmark", "--external", "resume", "--benchmarks-dir", str(SHARED), "--base-model", str(base)]) == 0
    report = json.loads((tmp_path / "reports" / "external" / "resume.json").read_text(encoding="utf-8"))
    assert report["in_house"]["test_micro_f1"] >= 0.94
    assert report["in_house"]["test_micro_f1"] - report["random_init"]["test_micro_f1"] >= 0.03
