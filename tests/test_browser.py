"""The web page in real headless Chromium: paste a seed paragraph, extract, see highlights and the task table."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from serving.app import create_app
from serving.settings import Settings
from tests import liveserver
from tests.test_api import WRAPPED, RuleExtractor

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"  # git-ignored; screenshots land here
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Chromium is not installed: run `make browser` (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def served(tiny_model_dir: Path) -> Iterator[tuple[str, Any]]:
    app = create_app(Settings(model_path=tiny_model_dir, api_key=None))
    with liveserver.in_thread(app) as url:
        yield url, app


@pytest.fixture(scope="module")
def server_url(served: tuple[str, Any]) -> str:
    return served[0]


@contextlib.contextmanager
def opened_page(url: str) -> Iterator[Any]:
    """The page at ``url`` in a fresh headless Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url + "/")
            yield page
        finally:
            browser.close()


def test_browser_extract_highlights_and_table(server_url: str, seed_texts: dict[str, str]) -> None:
    raw = seed_texts["002_09fd2415f66b5df1"]  # traditional script with pinyin annotations
    paragraph = raw[raw.index("1.助力黨建") : raw.index("3.助力智慧")].strip()
    OUTPUT.mkdir(exist_ok=True)
    with opened_page(server_url) as page:
        page.fill("#text", paragraph)
        page.click("#extract")
        page.wait_for_selector("#highlighted mark.ent", timeout=30_000)
        page.wait_for_selector("#tasks tbody tr", timeout=30_000)
        marks = page.locator("#highlighted mark.ent")
        assert marks.count() > 0
        assert "background" in (marks.first.get_attribute("style") or "")
        # The highlighted view is the posted text, cut at the server's code-point offsets, unchanged.
        assert page.inner_text("#highlighted").replace("\r\n", "\n") == paragraph.replace("\r\n", "\n")
        assert page.locator("#tasks tbody tr").count() > 0
        assert "error" not in (page.get_attribute("#status", "class") or "")
        page.screenshot(path=str(OUTPUT / "browser-extract.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#download-csv")
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbfsection,task,deadlines,lead_units,indicators")


# How many lines each task title, ISO date and the year field's placeholder take on the page.
_LAYOUT = """() => {
  const year = document.getElementById("doc-year");
  const ctx = document.createElement("canvas").getContext("2d");
  const style = getComputedStyle(year);
  ctx.font = `${style.fontSize} ${style.fontFamily}`;
  return {
    // An inline element has one client rect per line it takes.
    titles: Array.from(document.querySelectorAll("#tasks tbody tr:not(.unattached) td.col-task .span-text"))
      .map((s) => [s.textContent, s.getClientRects().length]),
    dates: Array.from(document.querySelectorAll("#tasks time")).map((t) => [t.textContent, t.getClientRects().length]),
    placeholder: ctx.measureText(year.placeholder).width,
    room: year.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
  };
}"""


def test_browser_table_layout_and_columns(
    served: tuple[str, Any], seed_texts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Model name on load; titles on few lines; dates unbroken; a column per extra label only when one came back."""
    url, app = served
    models = app.state.service.models
    monkeypatch.setattr(models, "current", dataclasses.replace(models.current, extractor=RuleExtractor()))
    text = seed_texts["000_c36e1dec5c4ec8d6"]
    with opened_page(url) as page:
        page.wait_for_function("document.getElementById('model-name').textContent === 'tiny-test test-0'")
        page.fill("#text", text)
        page.fill("#doc-year", "2024")
        page.click("#extract")
        page.wait_for_selector("#tasks tbody tr", timeout=30_000)
        headers = page.locator("#tasks thead th").all_inner_texts()
        assert headers == ["#", "Section", "Task", "Deadlines", "Lead units", "Indicators"]  # no empty "Other"
        layout = page.evaluate(_LAYOUT)
        assert layout["dates"] and all(n == 1 for _, n in layout["dates"]), layout["dates"]
        assert layout["titles"] and all(n <= max(1, -(-len(t) // 20)) for t, n in layout["titles"]), layout
        page.fill("#doc-year", "")
        assert page.evaluate(_LAYOUT)["placeholder"] <= page.evaluate(_LAYOUT)["room"]
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "browser-table.png"), full_page=True)

        # A label added to the scheme later (column null) gets its own column when spans of it come back.
        answer = page.evaluate(
            "fetch('/v1/extract', {method: 'POST', headers: {'Content-Type': "
            "'application/json'}, body: JSON.stringify({text: '（一）建设平台。'})}).then(r => r.json())"
        )
        answer["model"]["labels"].append(
            {"name": "SUPPORT_UNIT", "description": "", "color": "#123456", "column": None}
        )
        answer["unattached"].append(
            {"label": "SUPPORT_UNIT", "text": "平台", "start": 5, "end": 7, "normalised": "平台", "score": 1.0}
        )
        page.route("**/v1/extract", lambda route: route.fulfill(json=answer))
        page.click("#extract")
        page.wait_for_selector("#tasks th.col-SUPPORT_UNIT", timeout=30_000)
        row = page.locator("#tasks tbody tr.unattached").last
        assert row.locator("td.col-SUPPORT_UNIT").inner_text() == "平台"


def test_browser_table_shows_the_readers_text(served: tuple[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Cells show the normalised text (simplified, wrap joined, padding gone); hovering shows the posted span."""
    url, app = served
    models = app.state.service.models
    monkeypatch.setattr(models, "current", dataclasses.replace(models.current, extractor=RuleExtractor()))
    with opened_page(url) as page:
        page.fill("#text", WRAPPED)
        page.click("#extract")
        page.wait_for_selector("#tasks tbody tr", timeout=30_000)
        row = page.locator("#tasks tbody tr").first
        assert row.locator("td.col-task").inner_text() == "加强区域协同，2025年底前完成"
        assert row.locator("td.col-lead_units").inner_text() == "市发展和改革委员会; 市统计局数据中心"
        unit = row.locator("td.col-lead_units .span-text").first
        assert unit.get_attribute("title") == "35–45: 市發展和改\n革委員會"
        # The highlights still cut the posted text at the raw offsets.
        assert page.inner_text("#highlighted").replace("\r\n", "\n") == WRAPPED
