"""Real runs, marked slow (`make test-slow`): pretraining on 200 KB, fine-tuning and its report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planex_cli.main import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "plans.jsonl"
BASE = ROOT / "models" / "base" / "planex-char-bert-4l256"


def test_slow_pretrain_200kb_end_to_end(tmp_path: Path) -> None:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is not present")
    sample = tmp_path / "sample.jsonl"
    lines, size = [], 0
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        lines.append(line)
        size += len(json.loads(line)["text"].encode("utf-8"))
        if size >= 200_000:
            break
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "pre"
    args = [
        "pretrain",
        "--inputs",
        str(sample),
        "--out",
        str(out),
        "--layers",
        "2",
        "--hidden",
        "64",
        "--heads",
        "2",
        "--max-steps",
        "60",
        "--eval-every",
        "30",
        "--checkpoint-every",
        "30",
        "--batch-size",
        "16",
    ]
    assert main(args) == 0
    metrics = json.loads((out / "model" / "pretrain_metrics.json").read_text())
    assert metrics["steps"] == 60 and metrics["heldout_sequences"] > 0
    assert metrics["heldout_masked_accuracy"] > 1 / metrics["vocab_size"]  # learnt something beyond chance
    assert (out / "checkpoint" / "trainer_state.json").is_file()


def test_slow_finetune_one_epoch_two_documents_report(tmp_path: Path) -> None:
    base = BASE if (BASE / "model.safetensors").is_file() else None
    if base is None:
        pytest.skip(f"{BASE} is not built yet (planex pretrain)")
    labels = tmp_path / "two.jsonl"
    docs = [line for line in (ROOT / "labels" / "seeds" / "seed_002_003.jsonl").read_text().splitlines() if line]
    labels.write_text("\n".join(docs[:2]) + "\n", encoding="utf-8")
    reports = tmp_path / "reports"
    args = [
        "evaluate",
        "--cv",
        "2",
        "--labels",
        str(labels),
        "--base-model",
        str(base),
        "--epochs",
        "1",
        "--reports",
        str(reports),
    ]
    assert main(args) == 0
    report = json.loads((reports / "evaluate-cv2.json").read_text())
    result = report["results"]["2-fold cross-validation"]["bert"]
    assert set(result["per_label"]) == {"TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR"}
    for key in ("micro", "macro", "exact_raw", "per_document", "folds", "errors", "train_seconds"):
        assert key in result
    assert len(result["folds"]) == 2 and 0 <= result["micro"]["f1"] <= 1
    assert (reports / "evaluate-cv2.md").read_text().startswith("# planex benchmark")
