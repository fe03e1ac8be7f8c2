"""HTTP API: every route and every client error, with the tiny model loaded through the real lifespan."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planex import rules
from planex.inference import Entity
from planex.modelio import ModelLoadError
from planex.normalise import Normalised, normalise
from serving.app import create_app
from serving.export import COLUMNS, header
from serving.settings import Settings

NOISY = "002_09fd2415f66b5df1"  # traditional script, pinyin annotations 區(qū), misdecoded runs ?。ㄒ唬
METRICS = {"entity_f1": 0.81, "per_label": {"TASK": 0.9}}


def make_app(model: Path, **overrides: Any) -> Any:
    return create_app(Settings(model_path=model, api_key=None, **overrides))


@pytest.fixture(scope="module")
def model_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with training metrics in planex.json, as `planex train` leaves them."""
    path = tmp_path_factory.mktemp("served") / "tiny"
    shutil.copytree(tiny_model_dir, path)
    meta = json.loads((path / "planex.json").read_text(encoding="utf-8"))
    (path / "planex.json").write_text(json.dumps({**meta, "metrics": METRICS}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client(model_dir: Path) -> Iterator[TestClient]:
    with TestClient(make_app(model_dir), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def noisy(seed_texts: dict[str, str]) -> str:
    return seed_texts[NOISY]


class RuleExtractor:
    """Stands in for the model with the rule extractor, so task-table contents are predictable."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def extract(self, raws: list[str]) -> list[tuple[Normalised, list[Entity]]]:
        self.calls.append(list(raws))
        out = []
        for raw in raws:
            norm = normalise(raw)
            ents = []
            for s in rules.extract(norm.text):
                a, b = norm.to_raw(s.start, s.end)
                ents.append(Entity(s.label, raw[a:b], a, b, 0.9, s.start, s.end))
            out.append((norm, ents))
        return out


@pytest.fixture
def rule_model(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> RuleExtractor:
    fake = RuleExtractor()
    models = client.app.state.service.models
    monkeypatch.setattr(models, "current", dataclasses.replace(models.current, extractor=fake))
    return fake


def all_spans(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every span in the task table and the unattached list."""
    spans = list(doc["unattached"])
    for task in doc["tasks"]:
        spans += [task["title"], *task["deadlines"], *task["lead_units"], *task["indicators"]]
        spans += [s for group in task["other"].values() for s in group]
    return spans


def check_offsets(posted: str, doc: dict[str, Any]) -> None:
    """Every span's text is the posted text at its offsets, and the table loses no entity."""
    for span in doc["entities"] + all_spans(doc):
        assert posted[span["start"] : span["end"]] == span["text"]
    key = lambda s: (s["label"], s["start"], s["end"])  # noqa: E731
    # A lead stated in a heading belongs to each task under it, so a span may stand under several tasks;
    # none is lost or invented, and none is both attached and unattached.
    assert set(map(key, all_spans(doc))) == set(map(key, doc["entities"]))
    assert not set(map(key, doc["unattached"])) & {key(s) for s in all_spans({**doc, "unattached": []})}


def post(client: TestClient, body: bytes | str, path: str = "/v1/extract", **headers: str) -> Any:
    data = body.encode() if isinstance(body, str) else body
    return client.post(path, content=data, headers={"content-type": "application/json", **headers})


# Routes


def test_api_extract_returns_entities_tasks_model_timing(client: TestClient, seed_texts: dict[str, str]) -> None:
    text = seed_texts["001_f7c1b273358ac10b"][:3000]
    r = client.post("/v1/extract", json={"text": text})
    assert r.status_code == 200
    doc = r.json()
    assert set(doc) >= {"entities", "tasks", "unattached", "model", "timing", "characters"}
    assert doc["entities"], "the random tiny model predicts something on 3000 characters"
    assert doc["model"]["name"] == "tiny-test" and doc["model"]["version"] == "test-0"
    assert [lb["name"] for lb in doc["model"]["labels"]] == ["TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR"]
    assert all(lb["color"].startswith("#") for lb in doc["model"]["labels"])
    assert doc["timing"]["total_ms"] >= doc["timing"]["inference_ms"] > 0
    assert doc["characters"] == len(text) and doc["normalised_text"] is None
    check_offsets(text, doc)


def test_api_offsets_on_traditional_and_noisy_input(client: TestClient, noisy: str) -> None:
    extractor = client.app.state.service.state.extractor
    [(norm, direct)] = extractor.extract([noisy])
    # Spans whose raw text differs in length from the normalised one cross an annotation or a repaired run.
    crossing = {(e.start, e.end) for e in direct if e.end - e.start != e.norm_end - e.norm_start}
    assert crossing, "some spans must cross 區(qū)-style annotations or misdecoded runs for this test to bite"
    r = client.post("/v1/extract", json={"text": noisy, "options": {"include_normalised_text": True}})
    doc = r.json()
    check_offsets(noisy, doc)
    assert crossing <= {(e["start"], e["end"]) for e in doc["entities"]}
    assert doc["normalised_text"] == norm.text and "區(qū)" not in doc["normalised_text"]


def test_api_task_table_on_traditional_seed(client: TestClient, rule_model: RuleExtractor, noisy: str) -> None:
    doc = client.post("/v1/extract", json={"text": noisy}).json()
    check_offsets(noisy, doc)
    party = next(t for t in doc["tasks"] if t["title"]["text"] == "助力黨建工作效能提升")
    assert party["section"] == ["二、", "（一）", "1."]
    assert party["section_headings"][:2] == ["重点任务", "助力十大领域数智化效能提升"]
    assert [u["text"] for u in party["lead_units"]] == [
        "市委辦公室",
        "市紀(jì)委監(jiān)委機(jī)關",
        "市委組織部",
        "市大數(shù)據(jù)局",
    ]
    assert {u["label"] for u in doc["unattached"]} <= {"DEADLINE", "INDICATOR", "LEAD_UNIT", "TASK"}


def test_api_values_read_with_doc_year(client: TestClient, rule_model: RuleExtractor) -> None:
    text = "（一）建设数据平台。年内完成，平台接入率达到90%以上。（牵头单位：市大数据局）"
    doc = client.post("/v1/extract", json={"text": text, "options": {"doc_year": 2024}}).json()
    [task] = doc["tasks"]
    assert task["title"]["text"] == "建设数据平台" and task["section"] == ["（一）"]
    assert task["deadlines"][0]["value"] == {"date": "2024-12-31", "period": "2024", "kind": "by"}
    assert task["indicators"][0]["value"] == {"metric": "平台接入率", "comparator": ">=", "value": 90.0, "unit": "%"}
    assert [u["text"] for u in task["lead_units"]] == ["市大数据局"]
    no_year = client.post("/v1/extract", json={"text": text}).json()
    assert no_year["tasks"][0]["deadlines"][0]["value"]["date"] is None


def test_api_min_score_filters_entities(client: TestClient, seed_texts: dict[str, str]) -> None:
    text = seed_texts["000_c36e1dec5c4ec8d6"][:1500]
    every = client.post("/v1/extract", json={"text": text}).json()["entities"]
    cut = sorted(e["score"] for e in every)[len(every) // 2]
    kept = client.post("/v1/extract", json={"text": text, "options": {"min_score": cut}}).json()
    assert kept["entities"] == [e for e in every if e["score"] >= cut]
    check_offsets(text, kept)


def test_api_long_document_is_windowed_not_cut(client: TestClient, seed_texts: dict[str, str]) -> None:
    text = seed_texts["003_73a913652c5a0285"][:6000]  # ~100 windows of 64 tokens with the tiny model
    doc = client.post("/v1/extract", json={"text": text}).json()
    check_offsets(text, doc)
    assert max(e["end"] for e in doc["entities"]) > len(text) - 200


def test_api_batch_shares_one_extractor_call(client: TestClient, rule_model: RuleExtractor, noisy: str) -> None:
    texts = [noisy[:2000], "（一）建设数据平台。2025年底前完成。"]
    r = client.post("/v1/extract/batch", json={"texts": texts, "options": {"doc_year": 2025}})
    assert r.status_code == 200
    body = r.json()
    assert rule_model.calls == [texts]  # all windows of all texts go through one call, batched together
    assert len(body["results"]) == 2 and body["model"]["name"] == "tiny-test"
    for text, doc in zip(texts, body["results"], strict=True):
        check_offsets(text, doc)
    assert body["results"][1]["tasks"][0]["deadlines"][0]["value"]["date"] == "2025-12-31"


def test_api_batch_with_real_model(client: TestClient, seed_texts: dict[str, str]) -> None:
    texts = [seed_texts[k][:800] for k in sorted(seed_texts)]
    body = client.post("/v1/extract/batch", json={"texts": texts}).json()
    for text, doc in zip(texts, body["results"], strict=True):
        check_offsets(text, doc)


def test_api_csv_export(client: TestClient, rule_model: RuleExtractor, noisy: str) -> None:
    doc = client.post("/v1/extract", json={"text": noisy}).json()
    r = client.post("/v1/extract?format=csv", json={"text": noisy})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="planex-tasks.csv"' in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert (
        rows[0]
        == header()
        == [*COLUMNS, "task_offsets", "deadlines_offsets", "lead_units_offsets", "indicators_offsets"]
    )
    assert len(rows) == 1 + len(doc["tasks"]) + len(doc["unattached"])
    # Cells show the reader's text (simplified, pinyin gone); the offsets columns index the posted text.
    party = dict(zip(rows[0], next(row for row in rows if row[1] == "助力党建工作效能提升"), strict=True))
    assert party["section"] == "二、（一）1."
    assert party["lead_units"] == "市委办公室; 市纪委监委机关; 市委组织部; 市大数据局"
    raw_units = [noisy[int(a) : int(b)] for a, b in (o.split("-") for o in party["lead_units_offsets"].split("; "))]
    assert raw_units == ["市委辦公室", "市紀(jì)委監(jiān)委機(jī)關", "市委組織部", "市大數(shù)據(jù)局"]
    assert noisy[slice(*map(int, party["task_offsets"].split("-")))] == "助力黨建工作效能提升"
    assert all(row[0] == "(unattached)" for row in rows[1 + len(doc["tasks"]) :])


# Traditional script with pinyin annotations, a PDF line wrap inside 市发展和改革委员会, full-width padding.
WRAPPED = (
    "（一）加強區(qū)域協(xié)同，2025年底前完成。（牽頭單位：市發展和改\n"
    "革委員會、市統計局\u3000\u3000數(shù)據(jù)中心）\n"
)


def test_api_spans_carry_the_readers_normalised_text(client: TestClient, rule_model: RuleExtractor) -> None:
    doc = client.post("/v1/extract", json={"text": WRAPPED}).json()
    check_offsets(WRAPPED, doc)  # text, start and end stay the posted text
    [task] = doc["tasks"]
    assert task["title"]["text"] == "加強區(qū)域協(xié)同，2025年底前完成"
    assert task["title"]["normalised"] == "加强区域协同，2025年底前完成"
    assert [(u["text"], u["normalised"]) for u in task["lead_units"]] == [
        ("市發展和改\n革委員會", "市发展和改革委员会"),
        ("市統計局\u3000\u3000數(shù)據(jù)中心", "市统计局数据中心"),
    ]
    assert {e["normalised"] for e in doc["entities"]} == {
        "加强区域协同，2025年底前完成",
        "市发展和改革委员会",
        "市统计局数据中心",
    }
    answer = client.post("/v1/extract?format=csv", json={"text": WRAPPED})
    csv_rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    from openpyxl import load_workbook

    xlsx = client.post("/v1/extract?format=xlsx", json={"text": WRAPPED}).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    for row in (csv_rows[1], [c.value or "" for c in next(sheet.iter_rows(min_row=2))]):
        cells = dict(zip(header(), row, strict=True))
        assert cells["task"] == "加强区域协同，2025年底前完成"
        assert cells["lead_units"] == "市发展和改革委员会; 市统计局数据中心"
        assert cells["lead_units_offsets"] == "35-45; 46-65" and WRAPPED[35:45] == "市發展和改\n革委員會"


def test_api_xlsx_and_batch_csv_export(client: TestClient, rule_model: RuleExtractor) -> None:
    from openpyxl import load_workbook

    text = "（一）建设数据平台。2025年底前完成。\n（二）=SUM(A1)推进共享。"
    r = client.post("/v1/extract?format=xlsx", json={"text": text})
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == header() and values[1][:3] == ["（一）", "建设数据平台", "2025年底前 [2025-12-31]"]
    assert values[1][5:7] == ["3-9", "10-17"]  # raw offsets of the task and its deadline
    batch = client.post("/v1/extract/batch?format=csv", json={"texts": [text, text]})
    rows = list(csv.reader(io.StringIO(batch.content.decode("utf-8-sig"))))
    assert rows[0] == ["document", *header()] and {row[0] for row in rows[1:]} == {"1", "2"}


def test_api_model_info(client: TestClient) -> None:
    info = client.get("/v1/model").json()
    assert (info["name"], info["version"], info["metrics"]) == ("tiny-test", "test-0", METRICS)
    assert [lb["name"] for lb in info["labels"]] == ["TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR"]
    assert info["limits"]["max_chars"] == 200_000 and info["device"] == "cpu" and len(info["scheme_hash"]) == 16
    assert info["line_marker"] == "§"
    assert info["rule_hints"] is None  # the tiny model was trained without rule hints
    assert info["single_token_labels"] is None  # its planex.json predates the field: every span length decodes


def test_api_health_ready_docs_page(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "model": "tiny-test", "version": "test-0"}
    docs = client.get("/docs").text
    assert "swagger" in docs.lower() and "https://" not in docs  # the docs page works offline
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404  # ReDoc needs a CDN: not served
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/extract", "/v1/extract/batch", "/v1/model", "/healthz", "/readyz"} <= set(paths)
    page = client.get("/")
    assert page.status_code == 200 and 'id="text"' in page.text and "https://" not in page.text
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "https://" not in script.text  # works offline: no CDN


def test_api_metrics(client: TestClient) -> None:
    client.post("/v1/extract", json={"text": "（一）建设数据平台。"})
    client.post("/v1/extract", json={"text": " "})
    post(client, '{"text": "数据"}'.encode("gbk"))  # refused before routing, still counted under its route
    text = client.get("/metrics").text
    assert 'planex_http_requests_total{method="POST",route="/v1/extract",status="400"}' in text
    assert 'planex_http_requests_total{method="POST",route="/v1/extract",status="200"}' in text
    assert 'planex_http_requests_total{method="POST",route="/v1/extract",status="422"}' in text
    assert (
        'planex_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/v1/extract",status="200"}' in text
    )
    assert 'planex_model_info{name="tiny-test",scheme_hash=' in text and 'version="test-0"' in text
    chars = next(line for line in text.splitlines() if line.startswith("planex_characters_processed_total"))
    assert float(chars.split()[-1]) >= len("（一）建设数据平台。")


def test_api_not_ready_before_startup(model_dir: Path) -> None:
    c = TestClient(make_app(model_dir))  # no `with`: the lifespan has not run, so no model
    assert c.get("/healthz").status_code == 200
    assert c.get("/readyz").status_code == 503
    r = c.post("/v1/extract", json={"text": "x"})
    assert r.status_code == 503 and "/readyz" in r.json()["detail"]


# Client errors


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ('{"text": ', 400, "body is not valid JSON"),
        ("[" * 990 + "]" * 990, 400, "body is not valid JSON (arrays or objects nested too deeply)"),
        ('{"text": ' + "[" * 100_000, 400, "body is not valid JSON (arrays or objects nested too deeply)"),
        ('{"text": "x", "options": {"doc_year": ' + "9" * 5000 + "}}", 400,
         "body is not valid JSON (a number with more than 4300 digits)"),
        ('{"text": "x", "options": {"doc_year": 2024.5}}', 422, "options.doc_year: input should be a valid integer"),
        ("[1, 2]", 422, "the body must be a JSON object"),
        ('{"text": 5}', 422, "text: input should be a valid string (got int)"),
        ('{"text": null}', 422, "text: input should be a valid string (got null)"),
        ('{"text": "x", "options": []}', 422, "options: input should be"),
        ('{"text": "x", "options": {"doc_year": "2024"}}', 422, "options.doc_year: input should be a valid integer"),
        ('{"text": "x", "options": {"min_score": 2}}', 422, "options.min_score: input should be less than or equal"),
        ('{"text": ""}', 422, 'text is empty: post the plan text in the "text" field'),
        ('{"text": " \\n\\t\\u3000"}', 422, 'text is empty: post the plan text in the "text" field'),
        ('{"text": "a\\ud800b"}', 422, "text has a lone surrogate"),
        ('{"text": "x", "options": {"year": 2024}}', 422,
         "options.year: unknown option; the options are doc_year, include_normalised_text, min_score"),
        ('{"txt": "x"}', 422, "txt: unknown field"),
        ("{}", 422, "text: required field missing"),
    ],
)  # fmt: skip
def test_api_client_errors(client: TestClient, body: str, status: int, message: str) -> None:
    r = post(client, body)
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]
    assert all(set(e) == {"field", "message"} for e in r.json().get("errors", []))


def test_api_non_utf8_body(client: TestClient) -> None:
    r = post(client, '{"text": "建设数据平台"}'.encode("gbk"))
    assert r.status_code == 400
    assert "not valid UTF-8" in r.json()["detail"] and "send JSON encoded as UTF-8" in r.json()["detail"]


def test_api_wrong_content_type(client: TestClient) -> None:
    r = client.post("/v1/extract", content=b'{"text": "x"}', headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "application/json" in r.json()["detail"]


def test_api_unknown_format_and_route(client: TestClient) -> None:
    r = client.post("/v1/extract?format=pdf", json={"text": "x"})
    assert r.status_code == 422 and "format: input should be 'json', 'csv' or 'xlsx'" in r.json()["detail"]
    assert "/docs" in client.get("/v2/extract").json()["detail"]
    assert client.get("/v1/extract").status_code == 405


def test_api_batch_errors(client: TestClient) -> None:
    r = client.post("/v1/extract/batch", json={"texts": ["ok", " "]})
    assert (
        r.status_code == 422 and 'texts[1] is empty: post the plan text in the "texts[1]" field' in r.json()["detail"]
    )
    assert client.post("/v1/extract/batch", json={"texts": []}).status_code == 422
    assert client.post("/v1/extract/batch", json={"texts": "x"}).status_code == 422


def test_api_text_over_default_limit_is_413(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"text": "建" * 200_001})
    assert r.status_code == 413
    assert r.json()["detail"] == "text has 200001 characters; the limit is 200000 (PLANEX_MAX_CHARS)"


def test_api_size_limits(model_dir: Path) -> None:
    app = make_app(model_dir, max_chars=300, max_batch=2, max_batch_chars=500, max_body_bytes=4096)
    with TestClient(app) as c:
        assert c.post("/v1/extract", json={"text": "建" * 300}).status_code == 200  # at the limit: served whole
        r = c.post("/v1/extract", json={"text": "建" * 301})
        assert r.status_code == 413 and "text has 301 characters; the limit is 300" in r.json()["detail"]
        r = c.post("/v1/extract/batch", json={"texts": ["a", "b", "c"]})
        assert r.status_code == 413 and "(PLANEX_MAX_BATCH)" in r.json()["detail"]
        r = c.post("/v1/extract/batch", json={"texts": ["建" * 300, "建" * 300]})
        assert r.status_code == 413 and "600 characters in all; the limit is 500" in r.json()["detail"]
        r = c.post("/v1/extract", json={"text": "x" * 5000})
        assert r.status_code == 413 and "the limit is 4096 (PLANEX_MAX_BODY_BYTES)" in r.json()["detail"]
        chunks = iter([b'{"text": "', b"x" * 5000, b'"}'])  # no Content-Length: counted while read
        r = c.post("/v1/extract", content=chunks, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "PLANEX_MAX_BODY_BYTES" in r.json()["detail"]


def test_api_queue_full_is_429(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(model_dir, inference_threads=1, queue_size=0)
    with TestClient(app) as c:
        extractor = app.state.service.state.extractor
        real, entered, gate = extractor.extract, threading.Event(), threading.Event()

        def slow(texts: list[str]) -> Any:
            entered.set()
            gate.wait(30)
            return real(texts)

        monkeypatch.setattr(extractor, "extract", slow)
        first: list[Any] = []
        worker = threading.Thread(target=lambda: first.append(c.post("/v1/extract", json={"text": "建设"})))
        worker.start()
        try:
            assert entered.wait(30)
            r = c.post("/v1/extract", json={"text": "建设"})
            assert r.status_code == 429
            assert int(r.headers["retry-after"]) >= 1 and "PLANEX_QUEUE_SIZE" in r.json()["detail"]
        finally:
            gate.set()
            worker.join(30)
        assert first[0].status_code == 200


def test_api_key(model_dir: Path) -> None:
    app = create_app(Settings(model_path=model_dir, api_key="s3cret"))
    with TestClient(app) as c:
        r = c.post("/v1/extract", json={"text": "建设"})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in r.json()["detail"]
        bad = c.post("/v1/extract", json={"text": "建设"}, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401 and "not accepted" in bad.json()["detail"]
        good = c.post("/v1/extract", json={"text": "建设"}, headers={"Authorization": "Bearer s3cret"})
        assert good.status_code == 200
        assert c.get("/v1/model").status_code == 401
        assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200


def test_api_openapi_declares_auth_as_the_server_enforces_it(model_dir: Path) -> None:
    """Without a key the document declares no auth; with one, Bearer and 401 on /v1/* only."""
    open_doc = make_app(model_dir).openapi()
    assert "securitySchemes" not in open_doc.get("components", {})
    for path, ops in open_doc["paths"].items():
        for op in ops.values():
            assert "security" not in op and "401" not in op["responses"], path
    assert "403" in open_doc["paths"]["/v1/admin/reload"]["post"]["responses"]
    keyed = create_app(Settings(model_path=model_dir, api_key="s3cret")).openapi()
    assert keyed["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, ops in keyed["paths"].items():
        for op in ops.values():
            guarded = path.startswith("/v1/")
            assert ("security" in op) == guarded and ("401" in op["responses"]) == guarded, path
    text = keyed["components"]["schemas"]["ExtractRequest"]["properties"]["text"]
    assert text["minLength"] == 1


# Server errors and startup


def test_api_bug_is_generic_500_with_logged_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("serving.extraction.document_result", broken)
    with caplog.at_level(logging.ERROR, logger="planex.serving"):
        r = client.post("/v1/extract", json={"text": "建设"})
    assert r.status_code == 500
    assert "secret" not in r.text and "internal server error" in r.json()["detail"]
    record = next(rec for rec in caplog.records if rec.name == "planex.serving" and rec.exc_info)
    assert "secret internals" in caplog.text and "Traceback" in caplog.text
    assert record.getMessage().split()[2] in r.json()["detail"]  # the reference ties response and log


def test_api_startup_fails_on_missing_model(tmp_path: Path) -> None:
    missing = tmp_path / "no-model"
    with (
        pytest.raises(ModelLoadError, match=rf"model folder {missing} does not exist; train one"),
        TestClient(make_app(missing)),
    ):
        pass


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("scheme_hash", "planex.json scheme_hash does not match its scheme"),
        ("weights", "model.safetensors is missing"),
        ("meta", "planex.json is missing; this is not a planex model folder"),
    ],
)
def test_api_startup_fails_on_inconsistent_model(model_dir: Path, tmp_path: Path, breakage: str, message: str) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    meta_file = broken / "planex.json"
    if breakage == "scheme_hash":
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        meta_file.write_text(json.dumps({**meta, "scheme_hash": "0" * 16}), encoding="utf-8")
    else:
        (broken / ("model.safetensors" if breakage == "weights" else "planex.json")).unlink()
    with pytest.raises(ModelLoadError, match=str(broken)) as info, TestClient(make_app(broken)):
        pass
    assert message in str(info.value)


# Offsets hold for any text


_PIECES = st.sampled_from(
    ["區(qū)域", "設(shè)立", "數(shù)據(jù)", "?。ㄒ唬", "（一）", "1.", "建设", "2025年底前", "\r\n", "\n\n", " ",
     "\u3000", "😀", "𠀀", "a", "e\u0301", "市大数据局", "。", "(", ")", "牵头单位："]
)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_PIECES, min_size=1, max_size=40).map("".join).filter(str.strip))
def test_api_offsets_hold_for_any_text(client: TestClient, text: str) -> None:
    r = client.post("/v1/extract", json={"text": text})
    assert r.status_code == 200
    check_offsets(text, r.json())
