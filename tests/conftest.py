"""Shared fixtures: a tiny randomly initialised BERT saved like a real planex model."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from planex.modelio import LoadedModel

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach for the network
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@functools.lru_cache(maxsize=1)
def seed_tokenizer():  # type: ignore[no-untyped-def]
    """The project's character tokenizer over the seeds' vocabulary, built once per test session."""
    from planex.normalise import normalise
    from training.chartokenizer import build_vocab, make_tokenizer

    texts = [normalise(p.read_text(encoding="utf-8")).text for p in SEEDS]
    return make_tokenizer(build_vocab(texts, min_freq=1))


def build_tiny_model(path: Path, scheme=None, seed: int = 0) -> Path:
    """Save a 2-layer, hidden-32 BERT classifier with the project's character tokenizer."""
    import torch
    from transformers import BertConfig, BertForTokenClassification

    from planex.modelio import save_model
    from planex.modelspec import ModelSpec
    from planex.scheme import load_scheme

    scheme = scheme or load_scheme()
    tokenizer = seed_tokenizer()
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=len(scheme.tags),
    )
    model = BertForTokenClassification(config)
    spec = ModelSpec(
        scheme,
        "tiny-test",
        f"test-{seed}",
        max_length=64,
        line_marker="§",  # as `planex train` writes by default
        info={"base_model": "random"},
    )
    return save_model(path, model, tokenizer, spec)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="module")
def hinted(tiny_model_dir: Path) -> LoadedModel:
    """The tiny model reading rule hints, with loud hint rows so that the type ids change its output."""
    from dataclasses import replace

    import torch

    from planex.hints import HINT_LABELS, enable_hints
    from planex.modelio import load_model

    loaded = load_model(tiny_model_dir)
    enable_hints(loaded.model)
    with torch.no_grad():
        loaded.model.bert.embeddings.token_type_embeddings.weight[1:].normal_(0, 5.0)
    return replace(loaded, spec=replace(loaded.spec, rule_hints=HINT_LABELS))


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in SEEDS}


def build_tiny_base(path: Path) -> Path:
    """Save a 1-layer, hidden-32 masked-LM base with the project's tokenizer (what `planex train` starts from)."""
    import torch
    from transformers import BertConfig, BertForMaskedLM

    tokenizer = seed_tokenizer()
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertForMaskedLM(config).save_pretrained(path, safe_serialization=True)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_base(tmp_path_factory.mktemp("base") / "tiny-mlm")
