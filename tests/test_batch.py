"""``planex batch``: documents in, one record per document out, resumable, the same on the local and Ray engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex_cli.main import main
from serving.batch import BatchConfig, Item, list_items, run_batch
from serving.batch_store import read_records, write_records

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "tests" / "fixtures" / "documents"
TEXT = "1. 加强经济运行监测。2025年底前，建成全市经济运行监测平台。（牵头单位：市发展改革委）"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "plans"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "sub" / "b.txt").write_bytes("二、推进数字政府建设。（市大数据局牵头）".encode("gb18030"))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (folder / "notes.md").write_text("ignored: not a document type", encoding="utf-8")
    return folder


def _cfg(model: Path) -> BatchConfig:
    return BatchConfig(model=model, threads=1, chunk=2)


def test_batch_list_items_reads_folders_and_jsonl_and_refuses_clashing_ids(corpus: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"id": "x1", "text": TEXT}, ensure_ascii=False) + "\n\n", encoding="utf-8")
    items = list_items([corpus, jsonl])
    assert [i.id for i in items] == ["a.txt", "broken.pdf", "sub/b.txt", "x1"]
    assert items[-1] == Item(id="x1", text=TEXT)
    with pytest.raises(ValueError, match="two documents have the id 'x1'"):
        list_items([jsonl, jsonl])
    jsonl.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: expected a JSON object with a 'text' string"):
        list_items([jsonl])
    jsonl.write_text('{"text": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match='line 1: a record needs an "id"'):
        list_items([jsonl])


def test_batch_local_records_every_document_and_its_errors(corpus: Path, tmp_path: Path, tiny_model_dir: Path) -> None:
    out = tmp_path / "out.jsonl"
    counts = run_batch([corpus], out, _cfg(tiny_model_dir), progress=False)
    assert counts == {"documents": 3, "processed": 3, "skipped": 0, "failed": 1}
    records = {r["id"]: r for r in read_records(out)}
    assert "PDF" in records["broken.pdf"]["error"] or "pdf" in records["broken.pdf"]["error"].lower()
    good = records["sub/b.txt"]
    assert good["error"] is None and good["source"]["encoding"] == "gb18030"
    assert good["text"] == "二、推进数字政府建设。（市大数据局牵头）"
    for e in good["entities"]:
        assert good["text"][e["start"] : e["end"]] == e["text"]
    with pytest.raises(ValueError, match="--resume"):
        run_batch([corpus], out, _cfg(tiny_model_dir), progress=False)


def test_batch_resume_skips_done_ids_and_drops_a_torn_line(corpus: Path, tmp_path: Path, tiny_model_dir: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_batch([corpus / "a.txt"], out, _cfg(tiny_model_dir), progress=False)
    first = out.read_text(encoding="utf-8")
    out.write_text(first + '{"id": "sub/b.txt", "err', encoding="utf-8")  # a run killed mid-write
    counts = run_batch([corpus], out, _cfg(tiny_model_dir), resume=True, progress=False)
    assert counts == {"documents": 3, "processed": 2, "skipped": 1, "failed": 1}
    assert out.read_text(encoding="utf-8").startswith(first)
    assert sorted(r["id"] for r in read_records(out)) == ["a.txt", "broken.pdf", "sub/b.txt"]


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xlsx"])
def test_batch_flat_outputs_round_trip_and_resume(
    suffix: str, corpus: Path, tmp_path: Path, tiny_model_dir: Path
) -> None:
    ref = tmp_path / "ref.jsonl"
    run_batch([corpus], ref, _cfg(tiny_model_dir), progress=False)
    out = tmp_path / f"out{suffix}"
    run_batch([corpus / "a.txt"], out, _cfg(tiny_model_dir), progress=False)
    assert not (tmp_path / f"out{suffix}.journal.jsonl").exists()
    run_batch([corpus], out, _cfg(tiny_model_dir), resume=True, progress=False)
    got = {r["id"]: r for r in read_records(out)}
    for want in read_records(ref):
        assert {k: v for k, v in got[want["id"]].items() if v is not None} == {
            k: v for k, v in want.items() if v is not None
        }


def test_batch_write_records_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.csv"
    write_records(out, [{"id": "a", "error": None, "characters": 1}])
    before = out.read_bytes()
    import csv

    def boom(*a: object, **k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csv.DictWriter, "writerows", boom)
    with pytest.raises(OSError):
        write_records(out, [{"id": "b"}])
    assert out.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_batch_cli_unknown_output_and_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "o.txt")]) == 2
    assert "name a .jsonl, .parquet, .csv, .xlsx file" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_batch_ray_engine_gives_the_local_records(corpus: Path, tmp_path: Path, tiny_model_dir: Path) -> None:
    pytest.importorskip("ray.data", reason="Ray is the optional extra [ray]")
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_batch([corpus], local, _cfg(tiny_model_dir), progress=False)
    args = ["batch", str(corpus), "--out", str(ray_out), "--model", str(tiny_model_dir), "--engine", "ray"]
    assert main([*args, "--workers", "2", "--threads", "1", "--chunk", "1", "--no-progress"]) == 0
    assert read_records(ray_out) == read_records(local)
