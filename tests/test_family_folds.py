"""The by-family benchmark setting (folds of whole layout families) and the recipe ablations beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex import rules
from planex.document import Document
from planex.layouts import classify
from planex.scheme import load_scheme
from training.config import TrainConfig
from training.familyfolds import family_folds

# Short plans of three layouts, kept under the tiny base's 128 positions.
TEXTS = {
    "a1": "（一）建设数据平台。到2025年，覆盖率达到90%以上。（牵头单位：市数据局）",
    "a2": "（二）完善管理制度。2024年底前完成。（牵头单位：市财政局）",
    "b1": "1.推进政务服务改革（市政务服务局牵头，各区配合）。",
    "b2": "2.优化营商环境，2025年6月底前完成（市发展改革委负责）。",
    "c1": "三、加快项目建设。2026年底前建成投用。",
    "c2": "四、提升服务水平。到2027年，满意度达到95%。",
}
FAMILIES = {"a1": "resp_bracket", "a2": "resp_bracket", "b1": "inline_lead", "c1": "deadline_rows", "c2": "x_other"}


def _docs() -> list[Document]:
    return [Document(i, t, rules.extract(t)) for i, t in TEXTS.items()]


def test_family_folds_keep_families_whole_and_test_every_document_once() -> None:
    docs = _docs()
    split = family_folds(docs, 3, FAMILIES)
    tested = [d.id for fold in split.folds for d in fold]
    assert sorted(tested) == sorted(TEXTS)  # every document tested once
    # b2 is not in the families file: classified from its text, never dropped
    assert split.classified == {"b2": classify(TEXTS["b2"])}
    family = {**FAMILIES, **split.classified}
    for i, fold in enumerate(split.folds):
        test_families = {family[d.id] for d in fold}
        train_families = {family[d.id] for j, f in enumerate(split.folds) if j != i for d in f}
        assert test_families == set(split.families[i]) and not test_families & train_families
    assert family_folds(list(reversed(docs)), 3, FAMILIES) == split  # deterministic, whatever the order
    sizes = [sum(len(d.text) for d in fold) for fold in split.folds]
    assert max(sizes) - min(sizes) <= max(len(t) for t in TEXTS.values()) * 2  # greedy balance by characters
    with pytest.raises(ValueError, match="--family-folds must be between 2 and the number of layout families"):
        family_folds(docs, len(set(family.values())) + 1, FAMILIES)


def test_documents_missing_from_the_families_file_are_classified_from_their_corpus_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planex import paths
    from training import familyfolds

    corpus = tmp_path / "plans.jsonl"
    records = [
        {"id": "z1", "title": "某市防汛应急预案", "text": TEXTS["a1"], "script": "simplified"},
        {"id": "z2", "title": "", "text": TEXTS["b1"], "script": "traditional"},
    ]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    monkeypatch.setattr(paths, "CORPUS", corpus)
    monkeypatch.setattr(familyfolds, "PROJECT_CORPUS", tmp_path / "none.jsonl")
    docs = [Document(r["id"], r["text"], [], f"corpus:{r['id']} https://example.org") for r in records]
    # the title and the script name these families; the normalised text alone would not
    found, classified = familyfolds.document_families(docs, {})
    assert found == classified == {"z1": "emergency_plan", "z2": "traditional_repost"}
    assert classify(TEXTS["a1"]) != "emergency_plan" and classify(TEXTS["b1"]) != "traditional_repost"


def test_recipe_ablations_build_their_config(tmp_path: Path) -> None:
    from training.benchmark import systems_for

    cfg = TrainConfig(labels=[tmp_path], base_model="b", rule_hints=True)
    names = ["bert+hint-dropout", "bert+window256", "bert+hint-dropout+window256"]
    made = {n: f().cfg for n, f in systems_for(names, cfg, load_scheme()).items()}  # type: ignore[attr-defined]
    assert made["bert+hint-dropout"] == TrainConfig(
        labels=[tmp_path], base_model="b", rule_hints=True, hint_dropout=0.5
    )
    assert made["bert+window256"] == TrainConfig(labels=[tmp_path], base_model="b", rule_hints=True, max_tokens=256)
    both = made["bert+hint-dropout+window256"]
    assert (both.rule_hints, both.hint_dropout, both.max_tokens) == (True, 0.5, 256) and cfg.max_tokens == 128
    plain = TrainConfig(labels=[tmp_path], base_model="b")  # hint dropout implies hints
    assert systems_for(["bert+hint-dropout"], plain, load_scheme())["bert+hint-dropout"]().cfg.rule_hints  # type: ignore[attr-defined]


def test_window256_predicts_with_the_window_it_trained_on(tmp_path: Path, tiny_base_dir: Path) -> None:
    from training.benchmark import systems_for

    cfg = TrainConfig(labels=[tmp_path], base_model=str(tiny_base_dir), epochs=1, batch_size=4, rule_hints=True)
    system = systems_for(["bert+hint-dropout+window256"], cfg, load_scheme())["bert+hint-dropout+window256"]()
    system.fit(_docs())
    extractor = system.extractor  # type: ignore[attr-defined]
    # decoded as the server decodes it: the spec's window (planex.modelspec.window_config), hints on
    assert extractor.config.max_tokens == 256 and extractor.config.stride == 190 and extractor.rule_hints


def test_by_family_benchmark_reports_the_families_each_fold_tests(tmp_path: Path, tiny_base_dir: Path) -> None:
    from training.benchmark import run_benchmark

    docs, log = _docs(), []
    cfg = TrainConfig(labels=[tmp_path], base_model=str(tiny_base_dir), epochs=1, batch_size=4, max_tokens=64)
    report = run_benchmark(
        docs, load_scheme(), cfg, ["rules", "bert+hint-dropout"], ["by-family"], 5, tmp_path, log=log.append,
        families=FAMILIES, family_k=2,
    )  # fmt: skip
    assert report["family_folds"] == 2
    split = family_folds(docs, 2, FAMILIES)
    for result in report["results"]["by-family"].values():
        assert [f["families"] for f in result["folds"]] == split.families
        assert sorted(d["id"] for d in result["per_document"]) == sorted(TEXTS)
        assert result["classified_families"] == split.classified
    saved = json.loads((tmp_path / "benchmark.json").read_text(encoding="utf-8"))
    assert saved["results"]["by-family"]["rules"]["folds"][0]["families"] == split.families[0]
    table = (tmp_path / "benchmark.md").read_text(encoding="utf-8")
    assert "## by-family (2-fold cross-validation over whole layout families" in table
    assert "| 1 | " + ", ".join(f"`{f}`" for f in split.families[0]) + f" | {len(split.folds[0])} |" in table
    assert "| bert+hint-dropout | " in table and "classified by `planex.layouts.classify`: b2" in table
    assert any("fold 1/2 (tests " in line for line in log)


def test_cli_benchmark_by_family_reads_the_families_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from planex.labelfile import write_documents
    from planex_cli.main import main

    labels, families = tmp_path / "labels.jsonl", tmp_path / "families.tsv"
    write_documents(labels, _docs())
    families.write_text("id\tfamily\n" + "".join(f"{i}\t{f}\n" for i, f in FAMILIES.items()), encoding="utf-8")
    base = ["benchmark", "--systems", "rules", "--settings", "by-family", "--labels", str(labels)]
    base += ["--reports", str(tmp_path), "--family-folds", "2"]
    assert main([*base, "--families", str(tmp_path / "none.tsv")]) == 2
    assert "planex corpus families" in capsys.readouterr().err  # says how to make the file
    assert main([*base, "--families", str(families)]) == 0
    report = json.loads((tmp_path / "benchmark.json").read_text(encoding="utf-8"))
    folds = report["results"]["by-family"]["rules"]["folds"]
    assert [f["families"] for f in folds] == family_folds(_docs(), 2, FAMILIES).families
