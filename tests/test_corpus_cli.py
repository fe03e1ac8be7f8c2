"""The corpus commands and drawing by family, run as a user would through ``planex``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex import corpus_gather as cg
from planex_cli.main import main

PLAN = "1.推进老旧小区改造，年内完成120个小区。\n牵头单位：县住建局\n责任单位：各乡镇\n"
SECRET = "这是一份留作评估的文件：（市发展改革委牵头）推进重大项目建设，年底前完成投资五十亿元。"


def _jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_corpus_cli_gather_adds_plans_and_purges_reserved_copies(tmp_path: Path, capsys) -> None:
    raw = tmp_path / "pages.txt"
    raw.write_text(f"@@@ http://a | 甲方案\n{PLAN}\n@@@ http://b | 乙方案\n{SECRET}\n", encoding="utf-8")
    reserved = tmp_path / "reserved.txt"
    reserved.write_text("".join(cg.window_hash(w) + "\n" for w in cg.windows(SECRET)), encoding="utf-8")
    known = _jsonl(tmp_path / "plans.jsonl", [{"id": "p00001", "text": "与新文件无关的已知文本，只用来占位。"}])
    (tmp_path / "seeds").mkdir()
    out = tmp_path / "plans_more.jsonl"
    argv = ["corpus", "gather", str(raw), "--out", str(out), "--against", str(known)]
    argv += ["--seeds", str(tmp_path / "seeds"), "--reserved", str(reserved)]
    assert main(argv) == 0
    assert "2 read, 1 kept" in capsys.readouterr().err
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["m00001"]
    assert "http://b" not in raw.read_text(encoding="utf-8")  # the reserved text is gone from the pasted file
    assert main(argv) == 0  # a second run finds the plan already there
    assert "1 read, 0 kept" in capsys.readouterr().err


def test_corpus_cli_families_writes_the_file_and_the_table(tmp_path: Path, capsys) -> None:
    corpus = _jsonl(tmp_path / "c.jsonl", [{"id": "m00001", "title": "方案", "text": PLAN}])
    (tmp_path / "seeds").mkdir()
    out = tmp_path / "families.tsv"
    argv = ["corpus", "families", "--corpora", str(corpus), "--seeds", str(tmp_path / "seeds")]
    (tmp_path / "labels").mkdir()
    assert main([*argv, "--labels", str(tmp_path / "labels"), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "id\tfamily\nm00001\tlead_resp_lines\n"
    assert "| `lead_resp_lines` |" in capsys.readouterr().out


def test_labels_sample_by_family(tmp_path: Path, capsys) -> None:
    corpus = _jsonl(tmp_path / "c.jsonl", [{"id": f"m{i:05d}", "title": "方案", "text": "正文"} for i in range(1, 7)])
    families = tmp_path / "families.tsv"
    families.write_text(
        "id\tfamily\n" + "".join(f"m{i:05d}\t{'resp_line' if i < 4 else 'other'}\n" for i in range(1, 7))
    )
    (tmp_path / "labels").mkdir()
    argv = ["labels", "sample", "2", "--seed", "1", "--corpus", str(corpus), "--labels", str(tmp_path / "labels")]
    assert main([*argv, "--family", "resp_line", "--families", str(families)]) == 0
    assert set(capsys.readouterr().out.strip().split(",")) <= {"m00001", "m00002", "m00003"}
    assert main([*argv, "--family", "no_such_family", "--families", str(families)]) == 2
    assert "unknown family 'no_such_family'" in capsys.readouterr().err


@pytest.mark.parametrize("action", ["gather", "families"])
def test_corpus_cli_help_names_the_action(action: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["corpus", action, "--help"])
    assert "usage: planex corpus" in capsys.readouterr().out
