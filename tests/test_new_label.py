"""A fifth label, SUPPORT_UNIT (配合单位), carried end to end: scheme file → labels → training → model → API.

The model is trained on eight synthetic items and overfits them; that is enough to show that no
step of the pipeline drops or renames a label it was not written for.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planex.document import Document, Span
from planex.labelfile import write_documents
from planex.modelio import ModelLoadError, load_model
from planex.scheme import DEFAULT_SCHEME
from serving.app import create_app
from serving.settings import Settings

NUMBERS = "一二三四五六七八"
TASKS = ["加强数据管理", "推进平台建设", "完善工作机制", "优化营商环境", "提升服务水平", "强化安全保障", "深化改革创新"]
TASKS.append("加快项目建设")
UNITS = ["市大数据局", "市发展改革委", "市财政局", "市商务局", "市政务服务中心", "市公安局", "市委改革办"]
UNITS.append("市住房城乡建设局")


def support_document(i: int) -> Document:
    """（一）加强数据管理。（牵头单位：市大数据局，配合单位：市财政局、…）with its spans."""
    lead, support = UNITS[i], [UNITS[(i + 2) % 8], UNITS[(i + 5) % 8]][: 1 + i % 2]
    text = f"（{NUMBERS[i]}）{TASKS[i]}。（牵头单位：{lead}，配合单位：{'、'.join(support)}）"
    spans = [Span(3, 3 + len(TASKS[i]), "TASK")]
    at = text.index(lead)
    spans.append(Span(at, at + len(lead), "LEAD_UNIT"))
    for unit in support:
        at = text.index(unit, text.index("配合单位"))
        spans.append(Span(at, at + len(unit), "SUPPORT_UNIT"))
    return Document(f"support-{i}", text, spans)


DOCS = [support_document(i) for i in range(8)]


def write_scheme(path: Path) -> Path:
    """The project's scheme plus SUPPORT_UNIT, as a user would add it to labels/scheme.json."""
    scheme = json.loads(DEFAULT_SCHEME.read_text(encoding="utf-8"))
    scheme["labels"].append(
        {"name": "SUPPORT_UNIT", "description": "A unit named to assist (配合单位).", "color": "#6a4c93"}
    )
    path.write_text(json.dumps(scheme, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tiny_base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(model folder, scheme file): a tiny model fine-tuned on DOCS with the five-label scheme."""
    from training.config import TrainConfig
    from training.finetune import train

    tmp = tmp_path_factory.mktemp("new-label")
    scheme = write_scheme(tmp / "scheme.json")
    write_documents(tmp / "labels" / "support.jsonl", DOCS)
    cfg = TrainConfig(
        labels=[tmp / "labels"],
        base_model=str(tiny_base_dir),
        out=tmp / "model",
        scheme=scheme,
        epochs=20,
        lr=1e-2,
        batch_size=4,
        max_tokens=64,
        dev_fraction=0,
    )
    train(cfg)
    return tmp / "model", scheme


def test_new_label_is_in_the_trained_model(trained: tuple[Path, Path]) -> None:
    from planex.inference import Extractor

    model, _ = trained
    loaded = load_model(model)
    assert {"B-SUPPORT_UNIT", "I-SUPPORT_UNIT"} <= set(loaded.model.config.id2label.values())
    assert loaded.scheme.names[-1] == "SUPPORT_UNIT"
    [(_, entities)] = Extractor(loaded).extract([DOCS[1].text])
    assert [e.text for e in entities if e.label == "SUPPORT_UNIT"] == ["市商务局", "市委改革办"]


def test_new_label_through_the_api_and_task_table(trained: tuple[Path, Path]) -> None:
    model, scheme = trained
    with TestClient(create_app(Settings(model_path=model, scheme_path=scheme, api_key=None))) as client:
        assert [lb["name"] for lb in client.get("/v1/model").json()["labels"]][-1] == "SUPPORT_UNIT"
        text = DOCS[0].text
        doc = client.post("/v1/extract", json={"text": text}).json()
        support = [e for e in doc["entities"] if e["label"] == "SUPPORT_UNIT"]
        assert [text[e["start"] : e["end"]] for e in support] == ["市财政局"]
        [task] = doc["tasks"]
        assert task["title"]["text"] == "加强数据管理"
        assert [s["text"] for s in task["other"]["SUPPORT_UNIT"]] == ["市财政局"]
        rows = list(csv.reader(io.StringIO(client.post("/v1/extract?format=csv", json={"text": text}).text)))
        cells = dict(zip(rows[0], rows[1], strict=True))
        assert rows[0][-1] == "SUPPORT_UNIT_offsets"  # its offsets column comes last, after the text columns
        assert (
            cells["SUPPORT_UNIT"] == "市财政局"
            and text[slice(*map(int, cells["SUPPORT_UNIT_offsets"].split("-")))] == "市财政局"
        )


def test_new_label_model_refused_under_the_old_scheme(trained: tuple[Path, Path]) -> None:
    model, _ = trained
    app = create_app(Settings(model_path=model, scheme_path=DEFAULT_SCHEME, api_key=None))
    refused = r"SUPPORT_UNIT but .*scheme\.json has TASK, DEADLINE, LEAD_UNIT, INDICATOR: serve a model"
    with pytest.raises(ModelLoadError, match=refused), TestClient(app):
        pass
