"""``planex extract FILE…``: document files in, the API's JSON or a CSV/XLSX task table out, clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planex.documents import read_document
from planex_cli.main import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "documents"


def test_cli_extract_prints_json_with_offsets_into_the_text(
    tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [FIXTURES / "table.pdf", FIXTURES / "table.docx"]
    assert main(["extract", *map(str, files), "--model", str(tiny_model_dir)]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["model"]["name"] == "tiny-test" and len(out["results"]) == 2
    for path, result in zip(files, out["results"], strict=True):
        assert result["text"] == read_document(path.read_bytes(), path.name).text
        assert result["source"]["name"] == str(path) and result["source"]["type"] == path.suffix[1:]
        for e in result["entities"]:
            assert result["text"][e["start"] : e["end"]] == e["text"]
    assert {e["page"] for e in out["results"][0]["entities"]} <= {1}
    assert "1. " in captured.err and "table.pdf (pdf, 1 pages)" in captured.err


def test_cli_extract_seed_plan_task_table_with_the_default_model(tmp_path: Path) -> None:
    """The seed plan saved as DOCX, through the default model: a CSV task table with lead units and deadlines.

    (The same plan printed to PDF goes through the default model in tests/test_api_file.py.)
    """
    out = tmp_path / "tasks.csv"
    args = ["extract", str(FIXTURES / "seed_003.docx"), "--model", str(ROOT / "models" / "default"), "--out", str(out)]
    assert main(args) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    tasks = [r for r in rows if r["section"] != "(unattached)"]
    assert len(tasks) > 30
    assert sum(bool(r["lead_units"]) for r in tasks) > 20 and sum(bool(r["deadlines"]) for r in tasks) > 20
    assert any("市大数据中心" in r["lead_units"] for r in tasks)


def test_cli_extract_writes_xlsx(tiny_model_dir: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "tasks.xlsx"
    assert main(["extract", str(FIXTURES / "table.html"), "--model", str(tiny_model_dir), "--out", str(out)]) == 0
    sheet = load_workbook(out).active
    assert sheet is not None and [c.value for c in sheet[1]][:2] == ["section", "task"]


@pytest.mark.parametrize(
    ("name", "says"),
    [("scanned.pdf", "no text layer"), ("encrypted.pdf", "password"), ("table.html", "name a .json, .csv or .xlsx")],
)
def test_cli_extract_bad_input_is_a_clear_error(
    name: str, says: str, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["extract", str(FIXTURES / name), "--model", str(tiny_model_dir)]
    if name == "table.html":
        args += ["--out", str(tmp_path / "tasks.txt")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("planex extract: ") and says in err
