"""The committed offline base models load with plain transformers and have read Chinese plans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

BASES = Path(__file__).resolve().parent.parent / "models" / "base"
# The default's base and its fourth-stage continuation (reports/pretrain-mix2/): both committed, both must load.
NAMES = ["planex-char-bert-4l256", "planex-char-bert-4l256-mix"]
each_base = pytest.mark.parametrize("name", NAMES)


@pytest.fixture
def base(name: str) -> Path:
    folder = BASES / name
    if not (folder / "model.safetensors").is_file():
        pytest.skip(f"{folder} not built")
    return folder


@each_base
def test_base_model_loads_offline_and_fills_masks(base: Path) -> None:
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModelForMaskedLM.from_pretrained(base).eval()
    assert tok.is_fast
    hits = 0
    phrases = ["加快推进数字政府建设", "牵头单位：市大数据局", "到2025年底前完成", "各县（市、区）人民政府"]
    for phrase in phrases:
        for i, ch in enumerate(phrase):
            if not "\u4e00" <= ch <= "\u9fff":
                continue
            masked = phrase[:i] + tok.mask_token + phrase[i + 1 :]
            enc = tok(masked, return_tensors="pt")
            with torch.no_grad():
                logits = model(**enc).logits[0]
            pos = enc["input_ids"][0].tolist().index(tok.mask_token_id)
            top5 = tok.convert_ids_to_tokens(logits[pos].topk(5).indices.tolist())
            hits += ch in top5
    total = sum("\u4e00" <= c <= "\u9fff" for p in phrases for c in p)
    assert hits / total > 0.5  # a random model would almost never rank the right character top-5 of 7,558


@each_base
def test_base_model_card_states_heldout_accuracy(base: Path) -> None:
    metrics = json.loads((base / "pretrain_metrics.json").read_text())
    assert metrics["heldout_masked_accuracy"] > 0.3
    card = (base / "README.md").read_text(encoding="utf-8")
    assert f"{metrics['heldout_masked_accuracy']:.3f}" in card
