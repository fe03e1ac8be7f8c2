"""Data paths: one module with environment overrides, and what a clone without the shared corpus can do."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planex import paths, sources
from planex_cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SHOW = "from planex import paths; print(paths.PROJECT, paths.SCHEME, paths.MODELS, paths.CORPUS, sep='\\n')"


def _paths(env: dict[str, str], cwd: Path, pythonpath: Path) -> list[str]:
    """paths' values in a fresh interpreter that imports planex from ``pythonpath``."""
    full = {**env, "PYTHONPATH": str(pythonpath)}
    run = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, cwd=cwd, env=full, check=True)
    return run.stdout.splitlines()


def test_paths_an_installed_copy_uses_the_working_directory(tmp_path: Path) -> None:
    # A wheel puts planex/ in site-packages with no labels/ beside it: the project is where it runs.
    site = tmp_path / "site"
    shutil.copytree(ROOT / "planex", site / "planex", ignore=shutil.ignore_patterns("__pycache__"))
    project = tmp_path / "project"
    (project / "labels").mkdir(parents=True)
    project_s, scheme, models, corpus = _paths({}, project, site)
    assert Path(project_s) == project and Path(scheme) == project / "labels" / "scheme.json"
    assert Path(models) == project / "models" and Path(corpus) == tmp_path / "shared" / "corpus" / "plans.jsonl"


def test_paths_environment_overrides(tmp_path: Path) -> None:
    env = {"PLANEX_HOME": str(tmp_path / "home"), "PLANEX_CORPUS": str(tmp_path / "c.jsonl"),
           "PLANEX_MODELS_DIR": str(tmp_path / "m")}  # fmt: skip
    project_s, scheme, models, corpus = _paths(env, tmp_path, ROOT)
    assert Path(project_s) == tmp_path / "home" and Path(scheme) == tmp_path / "home" / "labels" / "scheme.json"
    assert (Path(models), Path(corpus)) == (tmp_path / "m", tmp_path / "c.jsonl")


# The CLI's defaults for the shared data, as `planex corpus`, `planex benchmark` and `planex speed` see them.
SHOW_CLI = """
from planex_cli.main import build_parser
def parse(*argv):
    return build_parser(list(argv)).parse_args(list(argv))
gather, families = parse("corpus", "gather", "raw.txt"), parse("corpus", "families")
print(*gather.against, gather.reserved, gather.out, gather.seeds, *families.corpora, sep="\\n")
print(parse("benchmark").benchmarks_dir, parse("speed").corpus, sep="\\n")
"""


def test_paths_shared_data_move_with_planex_shared_and_the_cli_follows(tmp_path: Path) -> None:
    env = {"PLANEX_HOME": str(tmp_path / "home"), "PLANEX_SHARED": str(tmp_path / "data")}
    full = {**env, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", SHOW_CLI], capture_output=True, text=True, env=full, check=True)
    data, home = tmp_path / "data", tmp_path / "home"
    corpus = data / "corpus" / "plans.jsonl"
    assert [Path(line) for line in run.stdout.splitlines()] == [
        corpus,  # gather --against
        data / "corpus" / "reserved_shingles.txt",  # gather --reserved
        home / "corpus" / "plans_more.jsonl",  # gather --out: the project's own corpus
        home / "seeds",
        corpus,  # families --corpora
        home / "corpus" / "plans_more.jsonl",
        data / "benchmarks" / "ner",  # benchmark --benchmarks-dir
        corpus,  # speed --corpus
    ]
    # PLANEX_CORPUS names the corpus file alone; the rest of the shared data stays under PLANEX_SHARED.
    moved = subprocess.run(
        [sys.executable, "-c", SHOW], capture_output=True, text=True, check=True,
        env={**full, "PLANEX_CORPUS": str(tmp_path / "c.jsonl")},
    )  # fmt: skip
    assert Path(moved.stdout.splitlines()[-1]) == tmp_path / "c.jsonl"


def test_paths_no_cli_module_anchors_data_at_the_working_directory() -> None:
    # `Path("../shared/…")` meant the corpus moved with the shell's directory and ignored PLANEX_*.
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "planex_cli").glob("*.py")}
    assert not [name for name, text in sources.items() if re.search(r"Path\(\s*[\"']\.\./", text)]


def test_paths_a_clone_is_its_own_project() -> None:
    assert paths.PROJECT == ROOT and paths.SCHEME == ROOT / "labels" / "scheme.json"


@pytest.fixture
def no_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    missing = tmp_path / "shared" / "corpus" / "plans.jsonl"
    monkeypatch.setattr(sources, "DEFAULT_CORPUS", missing)
    return missing


def test_evaluate_without_the_corpus_scores_the_label_texts(no_corpus: Path, tmp_path: Path, capsys) -> None:
    labels = ROOT / "labels" / "corpus" / "corpus_c.jsonl"
    with pytest.warns(UserWarning, match="PLANEX_CORPUS"):
        assert main(["evaluate", "--model", "rules", "--labels", str(labels), "--out", str(tmp_path / "r")]) == 0
    assert "counts offsets into the label files' texts" in capsys.readouterr().out
    report = json.loads((tmp_path / "r" / "evaluate-rules.json").read_text(encoding="utf-8"))
    result = report["results"]["labelled documents"]["rules"]
    assert result["raw_texts"] == "label files" and 0 < result["micro"]["f1"] <= 1


@pytest.mark.skipif(
    not paths.CORPUS.is_file(), reason=f"{paths.CORPUS} not present (CI has ../shared beside the clone)"
)
def test_evaluate_scores_on_normalised_text_are_the_same_with_and_without_the_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = ROOT / "labels" / "corpus" / "corpus_c.jsonl"
    assert main(["evaluate", "--model", "rules", "--labels", str(labels), "--out", str(tmp_path / "with")]) == 0
    monkeypatch.setattr(sources, "DEFAULT_CORPUS", tmp_path / "missing.jsonl")
    with pytest.warns(UserWarning):
        assert main(["evaluate", "--model", "rules", "--labels", str(labels), "--out", str(tmp_path / "without")]) == 0
    with_, without = (
        json.loads((tmp_path / d / "evaluate-rules.json").read_text())["results"]["labelled documents"]["rules"]
        for d in ("with", "without")
    )
    assert (
        "raw_texts" not in with_ and with_["micro"] == without["micro"] and with_["per_label"] == without["per_label"]
    )


def test_labels_sample_without_the_corpus_says_where_it_comes_from(no_corpus: Path, capsys) -> None:
    assert main(["labels", "sample", "3", "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{no_corpus}: no such file" in err and "PLANEX_CORPUS" in err and "--corpus" in err


def test_labels_renormalise_without_the_corpus_names_it(no_corpus: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "c.jsonl"
    shutil.copy(ROOT / "labels" / "corpus" / "corpus_c.jsonl", copy)
    before = copy.read_bytes()
    assert main(["labels", "renormalise", str(copy), "--corpus", str(no_corpus)]) == 2
    assert "PLANEX_CORPUS" in capsys.readouterr().err and copy.read_bytes() == before


def test_benchmark_without_the_corpus_runs_and_says_so(no_corpus: Path, tmp_path: Path) -> None:
    argv = ["benchmark", "--systems", "rules", "--settings", "cross-layout", "--reports", str(tmp_path)]
    with pytest.warns(UserWarning):
        assert main(argv) == 0
    assert "counts offsets into the label files' texts" in (tmp_path / "benchmark.md").read_text(encoding="utf-8")
