"""The notebooks run top to bottom and draw their plots (slow: each starts a kernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

# The notebooks extra (make install has it): without it these tests skip instead of failing to import.
MISSING = "the notebooks extra is not installed (pip install -e '.[notebooks]')"
nbformat = pytest.importorskip("nbformat", reason=MISSING)
pytest.importorskip("nbclient", reason=MISSING)

from tools.run_notebooks import execute, main  # noqa: E402  (after the skip: it imports nbclient)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def _images(nb: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


@pytest.mark.parametrize("name", ["01_labels.ipynb", "02_evaluation.ipynb"])
def test_notebook_executes_and_plots(name: str, tmp_path: Path) -> None:
    if name.startswith("02") and not (ROOT / "reports" / "benchmark.json").exists():
        pytest.skip("reports/benchmark.json is not present; run `make benchmark` first")
    source = NOTEBOOKS / name
    before = source.read_bytes()
    out = tmp_path / name
    execute(source, out, cwd=ROOT)  # a temporary copy; the stored notebook stays as it is
    assert source.read_bytes() == before
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert _images(nb) >= 1, f"{name} produced no image output"


def test_failing_cell_exits_nonzero_and_leaves_the_notebook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")])
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    assert main([str(path)]) == 1
    assert path.read_bytes() == before
    assert "ZeroDivisionError" in capsys.readouterr().err
