"""The web page in real headless Chromium: paste a seed paragraph, extract, see highlights and the task table."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from serving.app import create_app
from serving.settings import Settings
from tests import liveserver

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
def server_url(tiny_model_dir: Path) -> Iterator[str]:
    with liveserver.in_thread(create_app(Settings(model_path=tiny_model_dir, api_key=None))) as url:
        yield url


def test_browser_extract_highlights_and_table(server_url: str, seed_texts: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    raw = seed_texts["002_09fd2415f66b5df1"]  # traditional script with pinyin annotations
    paragraph = raw[raw.index("1.助力黨建") : raw.index("3.助力智慧")].strip()
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(server_url + "/")
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
        finally:
            browser.close()
