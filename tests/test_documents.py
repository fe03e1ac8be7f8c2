"""Document files to text: tables as rows, pages, encodings, and a clear error for every file that cannot be read."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planex.documents import (
    CELL_SEPARATOR,
    DocumentError,
    NoTextLayer,
    TooManyPages,
    UnreadableDocument,
    UnsupportedDocument,
    read_document,
)
from planex.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "documents"
SEED = ROOT / "seeds" / "003_73a913652c5a0285.txt"
# The task-division table of the fixtures (make_fixtures.py), one line per row as the readers write it.
ROWS = [
    "序号 | 任务 | 责任单位 | 完成时限",
    "1 | 加快经济社会运行数据整合利用，构建经济治理数据库 | 市发展改革委、市大数据局 | 2023年年底前",
    "2 | 建设聊城市“智慧信访”平台，基本具备矛盾纠纷线上化解处置能力 | 市委政法委 | 2023年年底前",
    "3 | 推进应急管理能力现代化，全市应急管理信息化重点应用智能化取得突破 | 市应急局 | 2025年年底前",
    "4 | 实现民生服务办事“一码通行”，建成并启用新政务服务中心 | 市大数据局、市行政审批局 | 2023年年底前",
]
# table.docx merges the deadline cells of rows 1 and 2: the merged cell's text stays on its first row.
DOCX_ROWS = [*ROWS[:2], ROWS[2].rsplit(" ", 1)[0], *ROWS[3:]]


def _read(name: str, **kwargs: int) -> str:
    return read_document((FIXTURES / name).read_bytes(), name, **kwargs).text


@pytest.mark.parametrize(("name", "rows"), [("table.pdf", ROWS), ("table.html", ROWS), ("table.docx", DOCX_ROWS)])
def test_documents_table_rows_survive_reading_and_normalising(name: str, rows: list[str]) -> None:
    text = _read(name)
    lines = text.splitlines()
    start = lines.index(rows[0])
    assert lines[start : start + len(rows)] == rows
    # The normaliser joins PDF line wraps; it must keep each row on its own line.
    normalised = normalise(text).text.splitlines()
    assert all(row in normalised for row in rows)
    assert "为贯彻落实《聊城市加快推进数字政府建设实施方案》" in text


def test_documents_html_leaves_out_page_chrome() -> None:
    text = _read("table.html")
    assert "首页" not in text and "浏览量" not in text  # the page's menu and footer


def test_documents_pdf_cell_wraps_are_joined() -> None:
    # In the printed PDF the task cells wrap onto a second line (构建经济治理 / 数据库).
    text = _read("table.pdf")
    assert "构建经济治理数据库" in text and "\n数据库" not in text


@pytest.mark.parametrize("name", ["seed_003.pdf", "seed_003.docx"])
def test_documents_seed_plan_text_comes_back_whole_and_in_order(name: str) -> None:
    seed = normalise(SEED.read_text(encoding="utf-8")).text
    text = normalise(_read(name)).text
    # Line breaks and spaces differ (the PDF wraps lines); the characters and their order do not.
    assert re.sub(r"\s", "", text) == re.sub(r"\s", "", seed)


def test_documents_pdf_pages_locate_offsets() -> None:
    doc = read_document((FIXTURES / "seed_003.pdf").read_bytes(), "seed_003.pdf")
    assert doc.kind == "pdf" and doc.pages == 5 and doc.empty_pages == ()
    assert doc.page_starts[0] == 0 and list(doc.page_starts) == sorted(doc.page_starts)
    for page, start in enumerate(doc.page_starts, 1):
        assert doc.page_at(start) == page
        assert doc.text[start - 1 : start] in ("", "\n")  # a page starts on a line of its own
    assert doc.page_at(len(doc.text) - 1) == 5


SAMPLE = "（一）建设数据平台。2025年底前完成。(牵头单位:市大数据局)\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (("𠀀" + SAMPLE).encode("gb18030"), "gb18030"),  # four-byte GB18030, outside GBK
        (SAMPLE.encode("utf-16"), "utf-16-le"),  # with a byte-order mark
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_documents_txt_encoding_is_detected_and_reported(data: bytes, encoding: str) -> None:
    doc = read_document(data, "plan.txt")
    assert doc.text.removeprefix("𠀀") == SAMPLE
    assert (doc.kind, doc.encoding, doc.pages) == ("txt", encoding, None)


def test_documents_gbk_seed_is_read() -> None:
    raw = SEED.read_text(encoding="utf-8")
    data = raw.encode("gbk", errors="replace")
    doc = read_document(data, "seed.txt")
    assert doc.encoding == "gb18030" and doc.text == data.decode("gbk")


def _truncated() -> bytes:
    data = (FIXTURES / "table.pdf").read_bytes()
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "name", "error", "says"),
    [
        ((FIXTURES / "scanned.pdf").read_bytes(), "scan.pdf", NoTextLayer, "no text layer"),
        ((FIXTURES / "encrypted.pdf").read_bytes(), "locked.pdf", UnreadableDocument, "password"),
        (_truncated(), "cut.pdf", UnreadableDocument, "damaged"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "junk.pdf", UnreadableDocument, "damaged"),
        (b"<html>not a pdf</html>", "plan.pdf", UnreadableDocument, "not a PDF"),
        (b"PK\x03\x04" + b"\x00" * 200, "plan.docx", UnreadableDocument, "not a Word .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "plan.docx", UnreadableDocument, "save it as .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "plan.doc", UnsupportedDocument, "save it as .docx"),
        (b"\x00\x01\x02\x03\xff\xfe\xfd" * 100, "plan.txt", UnreadableDocument, "not text"),
        (b"data", "plan.xyz", UnsupportedDocument, ".pdf, .docx, .html, .htm, .txt"),
        (b"   ", "plan.pdf", UnreadableDocument, "empty"),
        (b"<html><body></body></html>", "plan.html", UnreadableDocument, "no text"),
    ],
)
def test_documents_bad_files_get_a_reason(data: bytes, name: str, error: type[DocumentError], says: str) -> None:
    with pytest.raises(error, match=re.escape(says)) as info:
        read_document(data, name)
    assert name in str(info.value)


def test_documents_docx_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import zipfile

    from planex.documents import word

    monkeypatch.setattr(word, "MAX_UNPACKED_BYTES", 1024 * 1024)  # the real limit is 200 MB
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * (2 * 1024 * 1024))  # compresses to about 2 kB
    assert len(buf.getvalue()) < 10_000
    with pytest.raises(UnreadableDocument, match="would unpack to"):
        read_document(buf.getvalue(), "bomb.docx")


def test_documents_page_limit() -> None:
    with pytest.raises(TooManyPages) as info:
        read_document((FIXTURES / "seed_003.pdf").read_bytes(), "seed.pdf", max_pages=4)
    assert (info.value.pages, info.value.limit) == (5, 4)
    assert read_document((FIXTURES / "seed_003.pdf").read_bytes(), "seed.pdf", max_pages=5).pages == 5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_documents_damaged_pdf_never_raises_anything_else(data: st.DataObject) -> None:
    """Bytes of a real PDF, overwritten at random places: either text comes back or a DocumentError."""
    pdf = bytearray((FIXTURES / "table.pdf").read_bytes())
    for _ in range(data.draw(st.integers(1, 20))):
        at = data.draw(st.integers(0, len(pdf) - 1))
        pdf[at : at + 8] = data.draw(st.binary(min_size=8, max_size=8))
    try:
        doc = read_document(bytes(pdf), "fuzz.pdf")
    except DocumentError:
        return
    assert doc.kind == "pdf" and doc.pages


def test_documents_separator_is_one_visible_mark() -> None:
    assert CELL_SEPARATOR.strip() == "|"


@pytest.mark.parametrize("module", ["result", "plain", "pdf", "word", "web", "__init__"])
def test_documents_docstring_examples(module: str) -> None:
    name = "planex.documents" + ("" if module == "__init__" else f".{module}")
    failed, _ = doctest.testmod(importlib.import_module(name))
    assert failed == 0
