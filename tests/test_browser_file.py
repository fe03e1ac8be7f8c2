"""The web page in headless Chromium with document files: choose a PDF, drop a DOCX, see a scan refused."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planex.documents import read_document
from serving.app import create_app
from serving.settings import Settings
from tests import liveserver
from tests.test_browser import CHROMIUM, OUTPUT, opened_page

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "documents"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Chromium is not installed: run `make browser` (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The page served with the default model, so that the seed plan's task table is a real one."""
    app = create_app(Settings(model_path=ROOT / "models" / "default", api_key=None))
    with liveserver.in_thread(app) as url, opened_page(url) as tab:
        yield tab


def _wait_for_status(page: Any, text: str) -> None:
    page.wait_for_function("(t) => document.getElementById('status').textContent.includes(t)", arg=text, timeout=60_000)


def _lead_units(page: Any) -> list[str]:
    return [c for c in page.locator("#tasks tbody tr td:nth-child(5)").all_inner_texts() if c.strip()]


def test_browser_file_chosen_pdf_is_read_and_highlighted(page: Any) -> None:
    name = "seed_003.pdf"
    page.set_input_files("#file", str(FIXTURES / name))
    _wait_for_status(page, f"{name} (pdf, 5 pages)")
    text = read_document((FIXTURES / name).read_bytes(), name).text
    assert page.input_value("#text") == text
    # The highlighted view is the returned text, cut at the server's code-point offsets, unchanged.
    assert page.inner_text("#highlighted").replace("\r\n", "\n") == text
    assert page.locator("#highlighted mark.ent").count() > 50
    assert page.locator("#tasks tbody tr").count() > 20 and len(_lead_units(page)) > 20
    assert "市大数据中心" in " ".join(_lead_units(page))
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "browser-file-pdf.png"), full_page=True)


def test_browser_file_dropped_docx_is_read(page: Any) -> None:
    name = "seed_003.docx"
    data = base64.b64encode((FIXTURES / name).read_bytes()).decode()
    # What a drop from the desktop delivers: a DataTransfer holding the file, dropped on the input area.
    page.evaluate(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            document.getElementById("input").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer }));
        }""",
        [name, data],
    )
    _wait_for_status(page, f"{name} (docx)")
    assert page.input_value("#text") == read_document((FIXTURES / name).read_bytes(), name).text
    assert len(_lead_units(page)) > 20
    assert "error" not in (page.get_attribute("#status", "class") or "")


def test_browser_file_scan_is_refused_with_the_reason(page: Any) -> None:
    page.set_input_files("#file", str(FIXTURES / "scanned.pdf"))
    _wait_for_status(page, "no text layer")
    assert page.get_attribute("#status", "class") == "error"
