"""The ``planex`` command: normalise, help texts, and clear errors for bad input files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from planex.sources import DEFAULT_CORPUS
from planex_cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def test_cli_normalise_seed_002(capsys) -> None:
    assert main(["normalise", str(ROOT / "seeds" / "002_09fd2415f66b5df1.txt")]) == 0
    out = capsys.readouterr().out
    assert "（一）助力十大领域数智化效能提升" in out
    assert "（二）提升一体化数智平台支撑能力" in out
    assert not re.search(r"\((?:qū|shè|shù|jù)\)", out)
    assert "區" not in out and "数字政府" in out


def test_cli_normalise_rejects_non_utf8(tmp_path: Path, capsys) -> None:
    f = tmp_path / "gbk.txt"
    f.write_bytes("数字政府建设".encode("gbk"))
    assert main(["normalise", str(f)]) == 2
    err = capsys.readouterr().err
    assert "not valid UTF-8" in err and "iconv -f gb18030" in err


@pytest.mark.parametrize("command", ["pretrain", "train", "evaluate", "benchmark"])
def test_cli_help_documents_every_option(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    options = re.findall(r"^\s+(--[a-z-]+)", out, re.M)
    assert options, out
    for line in out.splitlines():
        m = re.match(r"^\s{2}(--[a-z-]+)(?: [A-Z_ .\[\]]+)?$", line)
        if m and m.group(1) != "--help":
            # the help text is on the next line: make sure none is empty
            following = out.splitlines()[out.splitlines().index(line) + 1]
            assert following.strip(), f"{command} {m.group(1)} has no help"


def test_cli_missing_labels_path_is_clear(capsys) -> None:
    assert main(["labels", "check", "no/such/dir"]) == 2
    assert "no/such/dir: no such file or folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["--help"], ["labels", "--help"], ["normalise", "--help"], ["labels", "check", "--help"]]
)
def test_cli_help_exits_cleanly(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0


def test_cli_evaluate_rules_scores_the_rule_extractor(tmp_path: Path, capsys) -> None:
    from planex import rules
    from planex.labelfile import load_documents

    labels = ROOT / "labels" / "seeds" / "seed_004.jsonl"
    assert main(["evaluate", "--model", "rules", "--labels", str(labels), "--reports", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "evaluate-rules.json").read_text(encoding="utf-8"))
    scores = report["results"]["labelled documents"]["rules"]
    # the report is the rules' own output, scored: recompute the span count it saw
    (doc,) = load_documents([labels])
    n_pred = len(rules.extract(doc.text))
    assert sum(d["predicted"] for d in scores["per_document"]) == n_pred
    assert 0.0 < scores["micro"]["f1"] <= 1.0
    markdown = (tmp_path / "evaluate-rules.md").read_text(encoding="utf-8")
    assert markdown.startswith("# planex evaluate\n")
    assert (
        "| rules |" in markdown and "`planex evaluate --model rules" in markdown and "none (rule extractor)" in markdown
    )


def test_cli_evaluate_prints_and_writes_nothing_without_out(tmp_path: Path, monkeypatch, capsys) -> None:
    labels = ROOT / "labels" / "seeds" / "seed_004.jsonl"
    monkeypatch.chdir(tmp_path)
    assert main(["evaluate", "--model", "rules", "--labels", str(labels)]) == 0
    assert "| rules |" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_cli_train_help_shows_each_default_once_and_no_absolute_path(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: models/<version>)" in out and "(default: .)" not in out
    assert "(default: labels/scheme.json)" in out and str(ROOT) not in out
    assert out.count("(default:") == len(re.findall(r"\(default: [^)]*\)", out))
    assert "(default: models/<version>) (default" not in out


def test_cli_switch_on_by_default_has_a_no_form() -> None:
    import argparse

    from planex_cli.dataclass_options import add_dataclass_options, dataclass_from_args
    from training.pretrain import PretrainConfig

    parser = argparse.ArgumentParser()
    add_dataclass_options(parser, PretrainConfig)
    base = ["--inputs", "seeds", "--out", "x"]
    assert dataclass_from_args(PretrainConfig, parser.parse_args(base)).keep_best is True
    assert dataclass_from_args(PretrainConfig, parser.parse_args([*base, "--no-keep-best"])).keep_best is False
    assert dataclass_from_args(PretrainConfig, parser.parse_args([*base, "--resume"])).resume is True


def test_cli_benchmark_report_records_the_command_that_ran(tmp_path: Path) -> None:
    if not DEFAULT_CORPUS.exists():  # the benchmark scores on raw texts, read from the corpus for corpus labels
        pytest.skip(f"{DEFAULT_CORPUS} not present (CI and developers have ../shared beside the clone)")
    argv = ["benchmark", "--systems", "rules", "--settings", "cross-layout", "--reports", str(tmp_path)]
    assert main(argv) == 0
    report = json.loads((tmp_path / "benchmark.json").read_text(encoding="utf-8"))
    assert report["command"] == "planex " + " ".join(argv)
    assert list(report["results"]["cross-layout"]) == ["rules"]
    assert f"Produced by `{report['command']}`" in (tmp_path / "benchmark.md").read_text(encoding="utf-8")


def test_cli_benchmark_held_out_setting_scores_only_sealed_documents(tmp_path: Path, capsys) -> None:
    from planex.document import Document, Span
    from planex.labelfile import write_documents

    raw, sealed = tmp_path / "h1.txt", tmp_path / "sealed.jsonl"
    raw.write_text("（一）建设平台。2025年底前完成。", encoding="utf-8")  # already normal: text == raw
    write_documents(sealed, [Document("h1", raw.read_text(encoding="utf-8"), [Span(3, 7, "TASK")], str(raw))])
    base = ["benchmark", "--systems", "rules", "--settings", "held-out", "--reports", str(tmp_path)]
    assert main([*base, "--heldout", str(sealed)]) == 0
    report = json.loads((tmp_path / "benchmark.json").read_text(encoding="utf-8"))
    rules = report["results"]["held-out"]["rules"]
    assert report["heldout_documents"] == 1 and [d["id"] for d in rules["per_document"]] == ["h1"]
    assert rules["per_label"]["TASK"]["support"] == 1 and rules["per_label"]["TASK"]["f1"] == 1.0
    assert "test on 1 sealed held-out documents" in (tmp_path / "benchmark.md").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(base) == 2
    assert "needs --heldout" in capsys.readouterr().err
    assert main([*base, "--heldout", "labels/seeds/seed_004.jsonl"]) == 2  # a training document is not sealed
    assert "also in --labels" in capsys.readouterr().err


def test_cli_benchmark_help_lists_every_system(capsys, monkeypatch) -> None:
    from planex.scheme import load_scheme
    from training.benchmark import systems_for
    from training.config import TrainConfig

    monkeypatch.setenv("COLUMNS", "1000")  # argparse would wrap lines at hyphens inside the names
    with pytest.raises(SystemExit):
        main(["benchmark", "--help"])
    listed = set(" ".join(capsys.readouterr().out.split()).split("systems: ", 1)[1].split(";")[0].split())
    cfg = TrainConfig(labels=[Path("labels")], base_model="m")
    with pytest.raises(ValueError, match="choose from") as known:
        systems_for(["no-such-system"], cfg, load_scheme())
    assert set(str(known.value).split("choose from ")[1].split(", ")) <= listed


def test_cli_evaluate_card_writes_the_scores_into_the_model_card_once(tmp_path: Path, tiny_model_dir: Path) -> None:
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    (model / "README.md").write_text("# tiny\n\nWhat it is.\n", encoding="utf-8")
    labels = ROOT / "labels" / "seeds" / "seed_004.jsonl"
    argv = ["evaluate", "--model", str(model), "--labels", str(labels), "--card"]
    assert main(argv) == 0
    assert main(argv) == 0  # a second run replaces the section instead of adding another
    card = (model / "README.md").read_text(encoding="utf-8")
    assert card.startswith("# tiny\n\nWhat it is.\n")
    assert card.count("## Scores on labelled documents it never saw") == 1
    assert "1 documents of `" in card and "| entity F1 (seqeval strict) |" in card and "link F1" in card
    assert main(["evaluate", "--model", "rules", "--labels", str(labels), "--card"]) == 2  # no folder to write into
