"""POST /v1/feedback: corrections on raw offsets are saved as valid, normalised label records that training reads."""

from __future__ import annotations

import errno
import http.client
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from planex.normalise import normalise
from planex.scheme import load_scheme
from planex_cli.main import main
from serving.app import create_app
from serving.settings import Settings
from tests import liveserver
from tests.test_normalise import _arbitrary, _pieces
from training.batches import load_training_documents
from training.config import TrainConfig

# Traditional script, pinyin annotations and a CRLF: raw offsets differ from normalised ones.
RAW = "（一）建設區(qū)域數(shù)據(jù)平臺。2025年底前完成。\r\n（牽頭單位：市大數(shù)據(jù)局）"


def span(piece: str, label: str, text: str = RAW) -> dict[str, Any]:
    start = text.index(piece)
    return {"start": start, "end": start + len(piece), "label": label}


GOOD = [
    span("建設區(qū)域數(shù)據(jù)平臺", "TASK"),
    span("2025年底前", "DEADLINE"),
    span("市大數(shù)據(jù)局", "LEAD_UNIT"),
]


@pytest.fixture
def labels_root(tmp_path: Path) -> Path:
    return tmp_path / "labels"


@pytest.fixture
def client(tiny_model_dir: Path, labels_root: Path) -> Iterator[TestClient]:
    app = create_app(Settings(model_path=tiny_model_dir, api_key=None, feedback_dir=labels_root / "feedback"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def records(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.read_text("utf-8").splitlines()]


def test_feedback_saves_normalised_record_that_checks_and_trains(client: TestClient, labels_root: Path) -> None:
    r = client.post("/v1/feedback", json={"text": RAW, "spans": GOOD, "source": "https://example.gov.cn/p1"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["spans"] == 3 and out["labels"] == {"DEADLINE": 1, "LEAD_UNIT": 1, "TASK": 1}
    assert out["model_version"] == "test-0" and out["file"].endswith(".jsonl")
    folder = labels_root / "feedback"
    assert [f.name for f in folder.iterdir()] == [out["file"]]  # no temporary file left behind
    [rec] = records(folder)
    assert rec["text"] == normalise(RAW).text and len(rec["text"]) == out["characters"]
    got = [(rec["text"][s["start"] : s["end"]], s["label"]) for s in rec["spans"]]
    assert got == [("建设区域数据平台", "TASK"), ("2025年底前", "DEADLINE"), ("市大数据局", "LEAD_UNIT")]
    assert rec["id"] == out["id"] == "feedback-" + out["file"].removesuffix(".jsonl")
    assert rec["source"] == f"feedback:{out['file'].removesuffix('.jsonl')} https://example.gov.cn/p1"
    assert rec["model_version"] == "test-0" and rec["received"].endswith("+00:00") and rec["raw"] == RAW

    assert main(["labels", "check", str(folder)]) == 0
    cfg = TrainConfig(labels=[labels_root], base_model="unused", include_feedback=True)
    assert [d.id for d in load_training_documents(cfg, load_scheme())] == [out["id"]]
    (labels_root / "gold.jsonl").write_text(
        json.dumps({"id": "g1", "text": "（一）建设平台。", "spans": [{"start": 3, "end": 7, "label": "TASK"}]}) + "\n",
        encoding="utf-8",
    )
    cfg.include_feedback = False
    assert [d.id for d in load_training_documents(cfg, load_scheme())] == ["g1"]


def test_feedback_lists_every_problem_and_writes_nothing(client: TestClient, labels_root: Path) -> None:
    text = "（一）建設區(qū)域平臺。 市財政局"
    bad = [
        span("建設", "TASK", text),
        span("設區", "LEAD_UNIT", text),  # overlaps the TASK span
        {"start": 6, "end": 9, "label": "TASK"},  # "(qū" inside the annotation: no whole character
        span(" 市財政局", "LEAD_UNIT", text),  # begins with a space
        {"start": 30, "end": 40, "label": "TASK"},  # past the end
        {"start": 0, "end": 1, "label": "SUPPORT_UNIT"},  # not a label of the served model
    ]
    r = client.post("/v1/feedback", json={"text": text, "spans": bad})
    assert r.status_code == 422
    messages = [e["message"] for e in r.json()["errors"]]
    for expected in ("overlaps span", "covers no whole character", "whitespace", "out of range", "unknown label"):
        assert any(expected in m for m in messages), (expected, messages)
    assert all(e["field"] == "spans" for e in r.json()["errors"])
    assert not (labels_root / "feedback").exists()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"text": " ", "spans": []}, 422, "text is empty"),
        ({"text": "建设", "spans": [{"start": 0, "end": "2", "label": "TASK"}]}, 422, "spans[0].end"),
        ({"text": "建设", "spans": [], "author": "x"}, 422, "/v1/feedback has the fields text, spans, source, note"),
        ({"text": "建设", "spans": [{"start": 0, "end": 2, "label": "TASK", "score": 1}]}, 422, "start, end, label"),
        ({"text": "建设"}, 422, "spans: required field missing"),
    ],
)
def test_feedback_request_errors(client: TestClient, body: dict[str, Any], status: int, message: str) -> None:
    r = client.post("/v1/feedback", json=body)
    assert r.status_code == status and message in r.json()["detail"]


def test_feedback_size_limit_and_api_key(tiny_model_dir: Path, tmp_path: Path) -> None:
    s = Settings(model_path=tiny_model_dir, api_key="k3y", feedback_dir=tmp_path, max_chars=10)
    with TestClient(create_app(s)) as c:
        assert c.post("/v1/feedback", json={"text": "建设", "spans": []}).status_code == 401
        auth = {"Authorization": "Bearer k3y"}
        r = c.post("/v1/feedback", json={"text": "建" * 11, "spans": []}, headers=auth)
        assert r.status_code == 413 and "PLANEX_MAX_CHARS" in r.json()["detail"]
        assert c.post("/v1/feedback", json={"text": "建设", "spans": []}, headers=auth).status_code == 201


def test_feedback_concurrent_posts_never_interleave(client: TestClient, labels_root: Path) -> None:
    codes: list[int] = []

    def post(n: int) -> None:
        codes.append(client.post("/v1/feedback", json={"text": RAW, "spans": GOOD, "note": f"n{n}"}).status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes == [201] * 8
    recs = records(labels_root / "feedback")
    assert sorted(r["note"] for r in recs) == [f"n{n}" for n in range(8)] and len({r["id"] for r in recs}) == 8
    assert main(["labels", "check", str(labels_root / "feedback")]) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_pieces, _arbitrary), max_size=12).map("".join), st.integers(0, 60), st.integers(0, 60))
def test_feedback_from_raw_takes_exactly_the_characters_inside(raw: str, a: int, b: int) -> None:
    n = normalise(raw)
    a, b = min(a, b, len(raw)), min(max(a, b), len(raw))
    inside = [i for i in range(len(n.text)) if a <= n.starts[i] and n.ends[i] <= b]
    got = n.from_raw(a, b)
    assert got == ((inside[0], inside[-1] + 1) if inside else None)
    if inside:
        assert inside == list(range(inside[0], inside[-1] + 1))  # one run, as from_raw assumes


@pytest.mark.parametrize(("code", "status"), [(errno.ENOSPC, 507), (errno.EROFS, 503)])
def test_feedback_disk_full_is_a_clear_answer_on_a_kept_connection(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, status: int
) -> None:
    """A write that fails (the disk full, the folder read-only) leaves no file and keeps the connection open."""
    folder = tmp_path / "feedback"
    app = create_app(Settings(model_path=tiny_model_dir, api_key=None, feedback_dir=folder))

    def full(fd: int) -> None:  # the data is written to the temporary file; flushing it to the disk fails
        raise OSError(code, os.strerror(code))

    body = json.dumps({"text": RAW, "spans": GOOD}).encode()
    headers = {"Content-Type": "application/json"}
    with liveserver.in_thread(app) as url:
        conn = http.client.HTTPConnection(url.removeprefix("http://"), timeout=60)
        monkeypatch.setattr("planex.atomic.os.fsync", full)
        conn.request("POST", "/v1/feedback", body, headers)
        first = conn.getresponse()
        detail = json.loads(first.read())["detail"]
        sock = conn.sock
        assert first.status == status and "the correction was not saved" in detail and "post it again" in detail
        assert first.getheader("connection") != "close"
        assert list(folder.iterdir()) == []  # no record, no temporary file
        monkeypatch.undo()
        conn.request("POST", "/v1/feedback", body, headers)  # the same connection, the disk writable again
        second = conn.getresponse()
        second.read()
        assert second.status == 201 and conn.sock is sock
        conn.close()
    assert len(list(folder.glob("*.jsonl"))) == 1


def test_feedback_orphan_temporary_files_removed_at_startup(tiny_model_dir: Path, tmp_path: Path) -> None:
    """A server killed while writing leaves .<name>.<random>.tmp; the next start removes it, and nothing else."""
    folder = tmp_path / "feedback"
    folder.mkdir()
    orphan = folder / ".20250101T000000000000Z-0123abcd.jsonl.x1y2z3.tmp"
    orphan.write_text('{"id": "half', encoding="utf-8")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    fresh = folder / ".20250101T000000000001Z-4567cdef.jsonl.a1b2c3.tmp"  # perhaps another server's, mid-write
    fresh.write_text("{", encoding="utf-8")
    record = folder / "20250101T000000000000Z-89abcdef.jsonl"
    record.write_text("{}\n", encoding="utf-8")
    app = create_app(Settings(model_path=tiny_model_dir, api_key=None, feedback_dir=folder))
    with TestClient(app):
        assert sorted(p.name for p in folder.iterdir()) == sorted([fresh.name, record.name])
