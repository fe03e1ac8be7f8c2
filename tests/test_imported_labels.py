"""Labels from other corpora: BMES/BIOES import, sentence lines kept, stale offsets, renormalise, evaluation
of documents that carry their own text, and a named dev set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex.document import Document, Span
from planex.formats import import_file
from planex.labelfile import LabelFileError, load_documents, write_documents
from planex.migrate import migrate_spans
from planex.normalise import normalise
from planex.scheme import load_scheme
from planex_cli.main import main

ROOT = Path(__file__).resolve().parent.parent
RESUME = ROOT / "tests" / "data" / "ner" / "resume"
RESUME_SCHEME = ROOT / "training" / "schemes" / "resume.json"


def _conll(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "x.bmes"
    f.write_text(text, encoding="utf-8")
    return f


def test_conll_import_reads_bmes_with_the_benchmarks_scheme() -> None:
    parsed = import_file("conll", RESUME / "train.char.bmes", load_scheme(RESUME_SCHEME))
    first = parsed[0].doc
    assert first.text == "张三，中国国籍，汉族。"
    assert [(first.text[s.start : s.end], s.label) for s in first.spans] == [
        ("张三", "NAME"),
        ("中国国籍", "CONT"),
        ("汉族", "RACE"),
    ]
    assert len(parsed) == 6 and all(not p.warnings for p in parsed)
    assert parsed[1].doc.id == "train.char-2"  # no '# id' comments: file stem and number


def test_conll_import_takes_bioes_and_single_character_entities(tmp_path: Path) -> None:
    f = _conll(tmp_path, "在 O\n京 S-LOC\n张 B-NAME\n小 I-NAME\n三 E-NAME\n")
    (p,) = import_file("conll", f, load_scheme(RESUME_SCHEME))
    assert p.doc.spans == [Span(1, 2, "LOC"), Span(2, 5, "NAME")]


def test_conll_import_warns_for_an_entity_cut_by_a_sentence_break(tmp_path: Path, capsys) -> None:
    f = _conll(tmp_path, "京 B-ORG\n大 E-ORG\n\n银 M-ORG\n行 E-ORG\n工 O\n")
    out = tmp_path / "o.jsonl"
    assert main(["labels", "import", "--from", "conll", str(f), "--out", str(out), "--scheme", str(RESUME_SCHEME)]) == 0
    assert "x.bmes line 4: the document starts inside a ORG span (M-ORG), cut by a sentence break" in (
        capsys.readouterr().err
    )
    assert load_documents([out])[1].spans == [Span(0, 2, "ORG")]


def test_conll_import_still_refuses_a_continuation_inside_a_sentence(tmp_path: Path) -> None:
    f = _conll(tmp_path, "在 O\n行 E-ORG\n")
    with pytest.raises(LabelFileError, match="line 2: E-ORG after O or a closed span"):
        import_file("conll", f, load_scheme(RESUME_SCHEME))


def test_conll_import_merges_touching_entities_of_one_label_with_a_warning(tmp_path: Path, capsys) -> None:
    # E-X then B-X, and S-X S-X: two entities in the data, one span in planex (which cannot hold touching
    # spans of one label); the warning names them so that a user can see what changed.
    f = _conll(tmp_path, "总 B-TITLE\n裁 E-TITLE\n董 B-TITLE\n事 E-TITLE\n， O\n京 S-LOC\n沪 S-LOC\n")
    out = tmp_path / "o.jsonl"
    assert main(["labels", "import", "--from", "conll", str(f), "--out", str(out), "--scheme", str(RESUME_SCHEME)]) == 0
    captured = capsys.readouterr()
    assert "touching TITLE spans '总裁董事' (0-4) merged into one" in captured.err
    assert "touching LOC spans '京沪' (5-7) merged into one" in captured.err
    assert "(2 warnings)" in captured.out
    assert load_documents([out])[0].spans == [Span(0, 4, "TITLE"), Span(5, 7, "LOC")]


def test_import_keep_line_breaks_keeps_sentence_lines_when_renormalised(tmp_path: Path) -> None:
    # Two long sentences, one a line, without a closing stop: the normaliser would join them as a PDF wrap.
    line1, line2 = "甲" * 30 + "乙", "丙" * 30
    raw = tmp_path / "doc.txt"
    raw.write_text(f"{line1}\n{line2}", encoding="utf-8")
    assert "\n" not in normalise(raw.read_text(encoding="utf-8")).text
    conll = "".join(f"{c} O\n" for c in line1) + "\\n O\n" + "".join(f"{c} O\n" for c in line2)
    f = _conll(tmp_path, f"# id = d\n# source = {raw}\n{conll}")
    out = tmp_path / "o.jsonl"
    for extra, problems in (([], 1), (["--keep-line-breaks"], 0)):
        assert main(["labels", "import", "--from", "conll", str(f), "--out", str(out), *extra]) == 0
        assert main(["labels", "check", str(out)]) == problems  # the stale-offset check re-normalises the source
    (doc,) = load_documents([out])
    assert doc.meta == {"line_breaks": "keep"}
    assert main(["labels", "renormalise", str(out)]) == 0
    assert load_documents([out])[0].text == f"{line1}\n{line2}"


def test_labels_check_reports_stale_offsets(tmp_path: Path, capsys) -> None:
    raw = tmp_path / "doc.txt"
    raw.write_text("（一）加強數據管理。", encoding="utf-8")
    labels = tmp_path / "l.jsonl"
    write_documents(labels, [Document("d", "（一）加強數據管理。", [Span(3, 7, "TASK")], str(raw))])
    assert main(["labels", "check", str(labels)]) == 1
    err = capsys.readouterr().err
    assert "(d): text differs from its source as normalised today" in err
    assert "from offset 4 ('強數據管理。' vs '强数据管理。')" in err
    assert "run `planex labels renormalise" in err
    assert main(["labels", "renormalise", str(labels)]) == 0
    assert main(["labels", "check", str(labels)]) == 0


def test_labels_check_notes_sources_it_cannot_read(tmp_path: Path, capsys) -> None:
    labels = tmp_path / "l.jsonl"
    write_documents(labels, [Document("d", "加强", [], "corpus:p1"), Document("e", "加强", [], "")])
    assert main(["labels", "check", str(labels), "--corpus", str(tmp_path / "none.jsonl")]) == 0
    assert "note: 1 documents not compared with their source" in capsys.readouterr().err


def test_renormalise_keeps_a_span_whose_last_character_t2s_changes(tmp_path: Path) -> None:
    # The data-loss bug: 鲍臻湧 became 鲍臻 because 湧 → 涌 made its last character "not survive".
    moved, problems = migrate_spans("鲍臻湧先生", "鲍臻涌先生", [Span(0, 3, "NAME")])
    assert (moved, problems) == ([Span(0, 3, "NAME")], [])
    raw = tmp_path / "r.txt"
    raw.write_text("董事鲍臻湧先生", encoding="utf-8")
    labels = tmp_path / "l.jsonl"
    write_documents(labels, [Document("d", "董事鲍臻湧先生", [Span(2, 5, "NAME")], str(raw))])
    assert main(["labels", "renormalise", str(labels)]) == 0
    (doc,) = load_documents([labels])
    assert doc.text == "董事鲍臻涌先生" and [doc.text[s.start : s.end] for s in doc.spans] == ["鲍臻涌"]


def test_renormalise_reports_a_span_that_lost_characters() -> None:
    moved, problems = migrate_spans("加强数据\n管理", "加强数据管理", [Span(0, 7, "TASK"), Span(4, 5, "TASK")])
    assert moved == [Span(0, 6, "TASK")]
    assert problems == [
        "span 0-7 TASK '加强数据\\n管理' became '加强数据管理'; check it",
        "span 4-5 TASK '\\n' vanished; re-annotate it",
    ]


def test_evaluate_scores_labels_that_carry_their_own_text(tmp_path: Path, tiny_base_dir: Path) -> None:
    labels = tmp_path / "labels"
    for split in ("train", "dev", "test"):
        argv = ["labels", "import", "--from", "conll", str(RESUME / f"{split}.char.bmes")]
        assert main([*argv, "--out", str(labels / f"{split}.jsonl"), "--scheme", str(RESUME_SCHEME)]) == 0
    model = tmp_path / "m"
    train = ["train", "--labels", str(labels / "train.jsonl"), "--dev", str(labels / "dev.jsonl")]
    train += ["--scheme", str(RESUME_SCHEME), "--base-model", str(tiny_base_dir), "--out", str(model), "--epochs", "1"]
    assert main(train) == 0
    meta = json.loads((model / "planex.json").read_text(encoding="utf-8"))
    assert meta["dev_documents"] == ["dev.char-1", "dev.char-2"] and len(meta["train_documents"]) == 6
    evaluate = ["evaluate", "--model", str(model), "--labels", str(labels / "test.jsonl")]
    assert main([*evaluate, "--reports", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "evaluate-m.json").read_text(encoding="utf-8"))
    (result,) = report["results"]["held-out documents"].values()
    assert set(result["per_label"]) == {"NAME", "CONT", "RACE", "TITLE", "EDU", "ORG", "PRO", "LOC"}
    assert result["micro"]["support"] == 5


def test_train_refuses_a_dev_set_that_shares_documents(tmp_path: Path, tiny_base_dir: Path) -> None:
    labels = tmp_path / "l.jsonl"
    write_documents(labels, [Document("a", "加强数据", [Span(0, 4, "TASK")]), Document("b", "管理", [])])
    argv = ["train", "--labels", str(labels), "--dev", str(labels), "--base-model", str(tiny_base_dir)]
    assert main([*argv, "--out", str(tmp_path / "m")]) == 2


def test_length_buckets_keep_every_window_once_and_cut_padding() -> None:
    import random

    from training.batches import make_batches as _batches

    rows = [{"input_ids": [7] * n, "labels": [0] * n} for n in random.Random(1).choices(range(3, 120), k=400)]

    def padded(batches: list) -> int:  # type: ignore[type-arg]
        return sum(b["input_ids"].numel() for b in batches)

    plain, bucketed = _batches(rows, 8, random.Random(0), 0), _batches(rows, 8, random.Random(0), 0, buckets=True)
    lengths = sorted(int(m.sum()) for b in bucketed for m in b["attention_mask"])
    assert lengths == sorted(len(r["input_ids"]) for r in rows)
    assert padded(bucketed) < 0.6 * padded(plain)


def test_train_help_shows_one_default_each_and_no_install_path(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert str(ROOT) not in out
    assert "(default: models/<version>)" in out and "(default: .)" not in out
    assert "(default: labels/scheme.json)" in out
