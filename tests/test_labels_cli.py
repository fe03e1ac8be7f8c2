"""``planex labels``: validation messages, stats, the review workflow and offset migration."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from planex.document import Document, Span
from planex.labelfile import LabelFileError, load_documents, write_documents
from planex.migrate import migrate_spans
from planex.sheet import review_counts
from planex_cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, records: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records))
    return path


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([{"start": 3, "end": 3, "label": "TASK"}], "span 3-3 TASK: empty or ends before it starts"),
        ([{"start": 5, "end": 2, "label": "TASK"}], "span 5-2 TASK: empty or ends before it starts"),
        ([{"start": 0, "end": 99, "label": "TASK"}], "span 0-99 TASK: out of range (text has 12 characters)"),
        ([{"start": 0, "end": 3, "label": "TASK"}], "span 0-3 TASK ' 加强': begins or ends with whitespace"),
        ([{"start": 1, "end": 3, "label": "NOPE"}], "span 1-3 NOPE '加强': unknown label"),
        (
            [{"start": 1, "end": 5, "label": "TASK"}, {"start": 3, "end": 6, "label": "TASK"}],
            "span 3-6 TASK '数据管': overlaps span 1-5 TASK '加强数据'",
        ),
        (
            [{"start": 1, "end": 3, "label": "TASK"}, {"start": 3, "end": 7, "label": "TASK"}],
            "span 3-7 TASK '数据管理': touches span 1-3 TASK '加强' of the same label",
        ),
        ([{"start": 1, "end": 3, "label": "TASK", "text": "推进"}], "says text '推进' but the document has '加强'"),
        ([{"start": "1", "end": 3, "label": "TASK"}], "spans[0] must be {'start': int"),
    ],
)
def test_labels_check_reports_each_problem(tmp_path: Path, capsys, spans, message) -> None:
    f = _write(tmp_path / "bad.jsonl", [{"id": "d1", "text": " 加强数据管理机制。  ", "spans": spans}])
    assert main(["labels", "check", str(f)]) == 1
    err = capsys.readouterr().err
    assert f"{f} line 1" in err
    assert message in err


def test_labels_check_malformed_json_and_encoding(tmp_path: Path, capsys) -> None:
    f = _write(tmp_path / "bad.jsonl", ['{"id": "x", "text": "a"', {"id": "y", "text": "b", "spans": []}])
    g = tmp_path / "gbk.jsonl"
    g.write_bytes('{"id": "z", "text": "数据"}'.encode("gbk"))
    assert main(["labels", "check", str(f), str(g)]) == 1
    err = capsys.readouterr().err
    assert "line 1: not valid JSON" in err
    assert "not UTF-8" in err


def test_labels_check_passes_on_committed_labels(capsys) -> None:
    assert main(["labels", "check", "labels"]) == 0
    assert "0 problems" in capsys.readouterr().out


def test_heldout_folder_is_read_only_when_named(tmp_path: Path, capsys) -> None:
    # Sealed test documents stay out of `--labels labels/` (training, benchmarks) but are checked.
    for folder, doc_id in (("corpus", "a"), ("heldout", "h")):
        doc = Document(doc_id, "（一）建设平台。", [Span(3, 7, "TASK")], f"corpus:{doc_id}")
        (tmp_path / folder).mkdir()
        write_documents(tmp_path / folder / f"{doc_id}.jsonl", [doc])
    assert [d.id for d in load_documents([tmp_path])] == ["a"]
    assert [d.id for d in load_documents([tmp_path / "heldout"])] == ["h"]
    assert [d.id for d in load_documents([tmp_path], heldout=True)] == ["a", "h"]
    assert main(["labels", "check", str(tmp_path)]) == 0
    assert "2 documents, 2 spans, 0 problems" in capsys.readouterr().out


def test_labels_stats_prints_counts_and_lengths(tmp_path: Path, capsys) -> None:
    f = _write(
        tmp_path / "a.jsonl",
        [
            {
                "id": "d1",
                "text": "加强数据。2025年底前",
                "spans": [{"start": 0, "end": 4, "label": "TASK"}, {"start": 5, "end": 12, "label": "DEADLINE"}],
            }
        ],
    )
    assert main(["labels", "stats", str(f)]) == 0
    out = capsys.readouterr().out
    assert "d1" in out and "TOTAL (1 docs)" in out
    assert "TASK" in out and "span length" in out


def test_labels_review_workflow_counts_changes(tmp_path: Path, capsys) -> None:
    raw = tmp_path / "plan.txt"
    raw.write_text(
        "一、加强数据管理。\n（牵头单位：市大数据局，责任单位：市直各部门）\n2025年底前完成。", encoding="utf-8"
    )
    draft = tmp_path / "draft.jsonl"
    assert main(["labels", "preannotate", str(raw), "--out", str(draft)]) == 0
    assert main(["labels", "sheet", str(draft), "--out", str(tmp_path / "sheets")]) == 0
    sheet = (tmp_path / "sheets" / "plan.tsv").read_text(encoding="utf-8")
    assert "TASK\t加强数据管理" in sheet and "LEAD_UNIT\t市大数据局" in sheet
    # a reviewer deletes the deadline, shortens the task and adds nothing
    edited = "\n".join(
        line.replace("加强数据管理", "加强数据") for line in sheet.splitlines() if "DEADLINE" not in line
    )
    (tmp_path / "sheets" / "plan.tsv").write_text(edited + "\n", encoding="utf-8")
    # drafting the batch again keeps the reviewer's sheet; only --overwrite rewrites it
    assert main(["labels", "sheet", str(draft), "--out", str(tmp_path / "sheets")]) == 0
    assert "kept 1 sheets already there" in capsys.readouterr().out
    assert (tmp_path / "sheets" / "plan.tsv").read_text(encoding="utf-8") == edited + "\n"
    final = tmp_path / "final.jsonl"
    assert main(["labels", "apply", str(draft), str(tmp_path / "sheets"), "--out", str(final)]) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert counts["removed"] == 1 and counts["boundary_or_label_changed"] == 1 and counts["kept"] == 1
    doc = load_documents([final])[0]
    assert [doc.text[s.start : s.end] for s in doc.spans] == ["加强数据", "市大数据局"]


def test_labels_apply_reads_the_scheme_given(tmp_path: Path, capsys) -> None:
    draft = tmp_path / "draft.jsonl"
    write_documents(draft, [Document("d", "由市财政局配合。", [], "seeds/d.txt")])
    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets" / "d.tsv").write_text("1\tSUPPORT_UNIT\t市财政局\n", encoding="utf-8")
    scheme = json.loads((ROOT / "labels" / "scheme.json").read_text(encoding="utf-8"))
    scheme["labels"].append({"name": "SUPPORT_UNIT", "description": "配合单位", "color": "#123456"})
    new_scheme = _write(tmp_path / "scheme.json", [scheme])
    out = tmp_path / "final.jsonl"
    argv = ["labels", "apply", str(draft), str(tmp_path / "sheets"), "--out", str(out)]
    assert main(argv) == 2 and not out.exists()  # the default scheme has no SUPPORT_UNIT
    assert "SUPPORT_UNIT '市财政局': unknown label" in capsys.readouterr().err
    assert main([*argv, "--scheme", str(new_scheme)]) == 0
    assert load_documents([out])[0].spans == [Span(1, 5, "SUPPORT_UNIT")]


def test_labels_apply_again_keeps_the_links_whose_spans_stand(tmp_path: Path, capsys) -> None:
    """Links are labelled after the spans: applying the sheets again keeps them, and names those it must drop."""
    from planex.links import Link

    text = "（一）建设平台。（市财政局负责，年底前完成）"
    draft = tmp_path / "draft.jsonl"
    write_documents(draft, [Document("d", text, [], "seeds/d.txt")])
    (tmp_path / "sheets").mkdir()
    sheet = tmp_path / "sheets" / "d.tsv"
    sheet.write_text("3\tTASK\t建设平台\n9\tLEAD_UNIT\t市财政局\n16\tDEADLINE\t年底前\n", encoding="utf-8")
    out = tmp_path / "final.jsonl"
    argv = ["labels", "apply", str(draft), str(tmp_path / "sheets"), "--out", str(out)]
    assert main(argv) == 0 and load_documents([out])[0].links is None  # first apply: links not labelled yet
    [doc] = load_documents([out])
    doc.links = [Link((3, 7), (9, 13)), Link((3, 7), (16, 19))]
    write_documents(out, [doc])
    sheet.write_text("3\tTASK\t建设平台\n9\tLEAD_UNIT\t市财政局\n16\tDEADLINE\t年底前完成\n", encoding="utf-8")
    assert main(argv) == 0
    [again] = load_documents([out])
    assert again.links == [Link((3, 7), (9, 13))]  # the deadline's span changed: its link is dropped
    err = capsys.readouterr().err
    assert "d: kept 1 task links, dropped 1 whose spans changed: 建设平台 -> 年底前 (link them again)" in err
    # a labelled file as the draft (adding a label to gold, README): its own links are kept too
    assert main(["labels", "apply", str(out), str(tmp_path / "sheets"), "--out", str(tmp_path / "new.jsonl")]) == 0
    assert load_documents([tmp_path / "new.jsonl"])[0].links == [Link((3, 7), (9, 13))]


def test_labels_apply_again_replaces_its_review_counts(tmp_path: Path) -> None:
    draft = tmp_path / "draft.jsonl"
    write_documents(draft, [Document(i, "（一）建设平台。", [Span(3, 7, "TASK")], f"seeds/{i}.txt") for i in "ab"])
    (tmp_path / "sheets").mkdir()
    for i in "ab":
        (tmp_path / "sheets" / f"{i}.tsv").write_text("3\tTASK\t建设平台\n", encoding="utf-8")
    review = tmp_path / "review.jsonl"
    review.write_text('{"id": "other", "final": 3}\n', encoding="utf-8")
    argv = ["labels", "apply", str(draft), str(tmp_path / "sheets"), "--out", str(tmp_path / "final.jsonl")]
    assert main([*argv, "--review", str(review)]) == 0
    (tmp_path / "sheets" / "b.tsv").write_text("# the task removed\n", encoding="utf-8")
    assert main([*argv, "--review", str(review)]) == 0
    rows = [json.loads(line) for line in review.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["final"]) for r in rows] == [("other", 3), ("a", 1), ("b", 0)]


def test_label_folders_are_read_by_allow_list(tmp_path: Path) -> None:
    doc = Document("a", "（一）建设平台。", [Span(3, 7, "TASK")], "corpus:a")
    for folder in ("seeds", "corpus", "work/drafts", "work/review"):
        (tmp_path / folder).mkdir(parents=True)
        write_documents(tmp_path / folder / "x.jsonl", [Document(f"{folder}-a", doc.text, doc.spans, doc.source)])
    assert [d.id for d in load_documents([tmp_path])] == ["corpus-a", "seeds-a"]  # work/ is never labels
    (tmp_path / "batch_z").mkdir()
    write_documents(tmp_path / "batch_z" / "z.jsonl", [doc])
    with pytest.raises(LabelFileError, match=r"batch_z: a folder of label files that is neither gold"):
        load_documents([tmp_path])
    assert [d.id for d in load_documents([tmp_path / "batch_z"])] == ["a"]  # named directly, it is read


def test_labels_review_counts_exact() -> None:
    proposed = [Span(0, 4, "TASK"), Span(5, 9, "DEADLINE"), Span(10, 12, "LEAD_UNIT")]
    final = [Span(0, 4, "TASK"), Span(5, 8, "DEADLINE"), Span(20, 22, "INDICATOR")]
    assert review_counts(proposed, final) == {
        "proposed": 3,
        "kept": 1,
        "removed": 1,
        "boundary_or_label_changed": 1,
        "added": 1,
        "final": 3,
    }


def test_labels_migrate_moves_spans_through_text_change() -> None:
    old, new = "V元市加强数据管理", "?广元市加强数据管理"
    moved, problems = migrate_spans(old, new, [Span(3, 7, "TASK"), Span(0, 3, "LEAD_UNIT")])
    assert Span(4, 8, "TASK") in moved
    assert new[4:8] == "加强数据"
    assert any("became" in p for p in problems)  # 'V元市' → '广元市' is reported for a human to check


def test_labels_write_is_atomic_and_round_trips(tmp_path: Path) -> None:
    doc = Document("d", "加强数据", [Span(0, 4, "TASK")], "seeds/x.txt")
    write_documents(tmp_path / "x.jsonl", [doc])
    assert load_documents([tmp_path / "x.jsonl"])[0].spans == [Span(0, 4, "TASK")]
    assert not list(tmp_path.glob(".*tmp"))


def test_labels_sample_draws_unlabelled_plans_reproducibly(tmp_path: Path, capsys) -> None:
    records = [{"id": f"p{i:03d}", "title": f"实施方案{i}", "text": "正文"} for i in range(20)]
    records += [
        {"id": "p900", "title": "河南省氣象災害應急預(yù)案", "text": "正文"},  # 预案 once normalised
        {"id": "p901", "title": "关于2022年政务公开工作报告", "text": "正文"},
        {"id": "s001", "title": "国务院实施方案", "text": "正文"},
    ]
    corpus = _write(tmp_path / "plans.jsonl", records)
    labels = tmp_path / "labels"
    for folder, doc_id in (("corpus", "p000"), ("heldout", "p001"), ("work/drafts", "p002")):
        (labels / folder).mkdir(parents=True)
        write_documents(labels / folder / "x.jsonl", [Document(doc_id, "正文", [], f"corpus:{doc_id}")])

    def drawn(*extra: str) -> list[str]:
        argv = ["labels", "sample", "10", "--seed", "7", "--corpus", str(corpus), "--labels", str(labels), *extra]
        assert main(argv) == 0
        return capsys.readouterr().out.strip().split(",")

    first = drawn("--prefix", "p")
    assert first == drawn("--prefix", "p") and len(first) == 10 and first == sorted(first)
    assert not {"p000", "p001", "p002", "p900", "p901", "s001"} & set(first)
    assert set(drawn("--prefix", "p", "--seed", "8")) != set(first)
    assert main(["labels", "sample", "99", "--seed", "7", "--corpus", str(corpus), "--labels", str(labels)]) != 0
    assert "only 18 unlabelled records match" in capsys.readouterr().err
    # A stratum: only texts with a lead form, read after normalisation (牽頭 is 牵头).
    lead = [
        {"id": "p950", "title": "方案", "text": "（牽頭單位：市財政局）"},
        {"id": "p951", "title": "方案", "text": "责任单位"},
    ]
    _write(corpus, records + lead)
    argv = ["labels", "sample", "2", "--seed", "7", "--corpus", str(corpus), "--labels", str(labels), "--in-text"]
    assert main([*argv, "牵头", "责任单位"]) == 0
    assert capsys.readouterr().out.strip() == "p950,p951"
    assert main([*argv, "牵头"]) != 0  # one text has it, two were asked for


def test_preannotate_writes_a_draft_the_sheet_can_read_when_rules_propose_touching_spans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planex import rules
    from planex.document import Span

    text = "（八）放宽补贴申领条件。2019年1月1日至2020年12月31日，企业可申领。"
    cut = text.index("至")
    extract = rules.extract

    def split_period(t: str) -> list[Span]:
        # The rules once proposed a period as two touching DEADLINEs (s018); they read it whole now, so the
        # split is made here to keep the draft's merge path under test.
        out = []
        for s in extract(t):
            out += [Span(s.start, cut, s.label), Span(cut, s.end, s.label)] if s.start < cut < s.end else [s]
        return out

    monkeypatch.setattr(rules, "extract", split_period)
    proposed = rules.extract(text)
    touching = [(a, b) for a, b in itertools.pairwise(proposed) if a.end == b.start]
    assert touching and touching[0][0].label == touching[0][1].label == "DEADLINE"
    raw = tmp_path / "plan.txt"
    raw.write_text(text, encoding="utf-8")
    draft = tmp_path / "draft.jsonl"
    assert main(["labels", "preannotate", str(raw), "--out", str(draft)]) == 0
    assert main(["labels", "sheet", str(draft), "--out", str(tmp_path / "sheets")]) == 0
    doc = load_documents([draft])[0]
    assert "DEADLINE\t2019年1月1日至2020年12月31日" in (tmp_path / "sheets" / "plan.tsv").read_text(encoding="utf-8")
    assert [doc.text[s.start : s.end] for s in doc.spans if s.label == "DEADLINE"] == ["2019年1月1日至2020年12月31日"]
