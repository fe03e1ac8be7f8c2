"""README "Add a label type and retrain", run step by step on a temp copy of the labels with a tiny base model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planex import registry
from planex_cli.main import main
from serving.app import create_app
from serving.settings import Settings
from tests.conftest import ROOT, build_tiny_model
from tests.test_new_label import DOCS, write_scheme

KEY = "walkthrough-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.mark.slow
def test_walkthrough_add_label_retrain_and_reload(
    tiny_base_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels, models = tmp_path / "labels", tmp_path / "models"
    labels.mkdir()
    shutil.copy(ROOT / "labels" / "scheme.json", labels / "scheme.json")
    (labels / "seeds").mkdir()
    shutil.copy(ROOT / "labels" / "seeds" / "seed_004.jsonl", labels / "seeds")  # one gold file keeps it quick
    monkeypatch.setattr(registry, "MODELS", models)  # `planex train` writes models/<version>/ here, not in the repo
    build_tiny_model(models / "v-old")  # the four-label model serving before the change
    registry.promote("v-old", models)
    scheme = labels / "scheme.json"
    settings = Settings(
        model_path=models / "default",
        models_dir=models,
        scheme_path=scheme,
        feedback_dir=labels / "feedback",
        api_key=KEY,
    )
    with TestClient(create_app(settings)) as client:
        # A user corrects a result in the running service.
        fix = {"text": "（一）建设數(shù)据平台。", "spans": [{"start": 3, "end": 14, "label": "TASK"}]}
        r = client.post("/v1/feedback", json=fix, headers=AUTH)
        assert r.status_code == 201, r.text
        feedback_id = r.json()["id"]

        # 1. Add the label to the scheme.
        write_scheme(scheme)
        # 2. Label examples in an annotation tool and import them (here: doccano JSONL, annotated by hand).
        tool_export = tmp_path / "doccano-export.jsonl"
        tool_export.write_text(
            "".join(
                json.dumps({"text": d.text, "label": [[s.start, s.end, s.label] for s in d.spans]}, ensure_ascii=False)
                + "\n"
                for d in DOCS
            ),
            encoding="utf-8",
        )
        out = labels / "corpus" / "support_units.jsonl"
        assert main(["labels", "import", str(tool_export), "--from", "doccano", "--out", str(out)]) == 1  # old scheme
        args = ["labels", "import", str(tool_export), "--from", "doccano", "--out", str(out), "--scheme", str(scheme)]
        assert main(args) == 0
        # 3. Check every label file, feedback included.
        assert main(["labels", "check", str(labels), "--scheme", str(scheme)]) == 0
        # 4. Train on labels and feedback; the model goes to models/<version>/.
        train = ["train", "--labels", str(labels), "--include-feedback", "--base-model", str(tiny_base_dir)]
        train += ["--class-weights", "sqrt", "--augment", "width", "markers", "leads", "--rule-hints"]
        train += ["--scheme", str(scheme), "--epochs", "2", "--max-tokens", "64"]
        assert main([*train, "--dev-fraction", "0"]) == 0
        [version] = set(registry.versions(models)) - {"v-old"}
        meta = json.loads((models / version / "planex.json").read_text(encoding="utf-8"))
        assert meta["version"] == version and feedback_id in meta["train_documents"]
        assert meta["rule_hints"] == ["TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR"]  # the new label has no hints
        assert "SUPPORT_UNIT" in [lb["name"] for lb in meta["scheme"]["labels"]]

        # 5. Serve it: by name through the API ...
        assert client.get("/v1/model", headers=AUTH).json()["version"] == "test-0"  # unchanged until a reload
        r = client.post("/v1/admin/reload", json={"version": version}, headers=AUTH)
        assert r.status_code == 200, r.text
        info = client.get("/v1/model", headers=AUTH).json()
        assert info["version"] == version and info["labels"][-1]["name"] == "SUPPORT_UNIT"
        r = client.post("/v1/extract", json={"text": DOCS[0].text}, headers=AUTH)
        assert r.status_code == 200 and r.json()["model"]["version"] == version
        # ... and the old four-label model is now refused, because the scheme file has five labels.
        r = client.post("/v1/admin/reload", json={"version": "v-old"}, headers=AUTH)
        assert r.status_code == 409 and "SUPPORT_UNIT" in r.json()["detail"]
        # ... or promoted to models/default and reloaded without a name (what `kill -HUP` does).
        registry.promote(version, models)
        assert client.post("/v1/admin/reload", headers=AUTH).status_code == 200
        assert client.get("/v1/model", headers=AUTH).json()["path"] == str((models / version).resolve())
