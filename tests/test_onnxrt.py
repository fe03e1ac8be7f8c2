"""ONNX Runtime precision (planex.onnxrt): the exported graph computes the torch model, spans keep their offsets."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from planex import onnxrt
from planex.hints import HINT_LABELS
from planex.inference import Entity, Extractor, WindowConfig
from planex.modelio import LoadedModel, load_model
from planex.normalise import Normalised
from planex.precision import with_precision

WINDOWS = WindowConfig(max_tokens=32, stride=20, batch_size=4)


def _raws(seed_texts: dict[str, str]) -> list[str]:
    return [seed_texts["003_73a913652c5a0285"][:2500], seed_texts["002_09fd2415f66b5df1"][:1200]]


def test_onnxrt_fp32_graph_equals_torch_with_token_types_and_any_shape(hinted: LoadedModel, tmp_path: Path) -> None:
    """Before quantisation the exported graph gives torch's logits, for other batch and sequence sizes than
    the export's, and reads the token type ids (the rule hints)."""
    onnxrt.export_int8(hinted.model, tmp_path)
    session = onnxrt.OrtClassifier(onnxrt.session(tmp_path / "model.onnx"))
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(5, 100, (3, 21), generator=gen)
    mask = torch.ones_like(ids)
    mask[2, 15:] = 0  # a padded row
    types = torch.randint(0, len(HINT_LABELS) * 2 + 1, ids.shape, generator=gen)
    with torch.inference_mode():
        expected = hinted.model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
        plain = hinted.model(input_ids=ids, attention_mask=mask).logits
    got = session(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
    keep = mask.bool()
    assert torch.allclose(got[keep], expected[keep], atol=1e-4)
    assert not torch.allclose(got[keep], plain[keep], atol=1e-2)  # the hints matter to this model
    # Without token_type_ids the session feeds zeros, as BERT does.
    assert torch.allclose(session(input_ids=ids, attention_mask=mask).logits[keep], plain[keep], atol=1e-4)


def _span_sets(out: list[tuple[Normalised, list[Entity]]]) -> list[set[tuple[str, int, int]]]:
    for norm, entities in out:
        assert all(norm.raw[e.start : e.end] == e.text for e in entities)
    return [{(e.label, e.start, e.end) for e in entities} for _, entities in out]


@pytest.mark.parametrize("hints", [False, True])
def test_onnxrt_fp32_spans_equal_torch_spans(
    tiny_model_dir: Path, hinted: LoadedModel, seed_texts: dict[str, str], tmp_path: Path, hints: bool
) -> None:
    """The exported graph, run by ONNX Runtime before quantisation, gives torch's spans and raw offsets."""
    loaded = hinted if hints else load_model(tiny_model_dir)
    onnxrt.export_int8(loaded.model, tmp_path)
    ort = replace(loaded, model=onnxrt.OrtClassifier(onnxrt.session(tmp_path / "model.onnx")))
    torch_spans = _span_sets(Extractor(loaded, WINDOWS).extract(_raws(seed_texts)))
    ort_spans = _span_sets(Extractor(ort, WINDOWS).extract(_raws(seed_texts)))
    assert sum(map(len, torch_spans)) > 10  # the random model predicts spans, so the comparison means something
    assert ort_spans == torch_spans


def test_onnxrt_int8_spans_agree_with_torch_and_keep_offsets(tiny_model_dir: Path, seed_texts: dict[str, str]) -> None:
    """int8 changes scores slightly: on the tiny random model at least 90% of the spans (label and raw
    offsets) are those of the fp32 torch model (95% measured), and every span slices the raw text."""
    loaded = load_model(tiny_model_dir)
    q = with_precision(loaded, "onnx-int8")
    assert isinstance(q.model, onnxrt.OrtClassifier)
    assert q.model is not loaded.model and q.spec is loaded.spec
    torch_spans = _span_sets(Extractor(loaded, WINDOWS).extract(_raws(seed_texts)))
    ort_spans = _span_sets(Extractor(q, WINDOWS).extract(_raws(seed_texts)))
    both = sum(len(a & b) for a, b in zip(torch_spans, ort_spans, strict=True))
    either = sum(len(a | b) for a, b in zip(torch_spans, ort_spans, strict=True))
    assert either > 10
    assert both / either >= 0.9


def test_onnxrt_missing_runtime_says_what_to_install(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    with pytest.raises(ValueError, match=r"pip install -c constraints\.txt onnxruntime onnx"):
        with_precision(load_model(tiny_model_dir), "onnx-int8")


def test_onnxrt_session_is_shared_by_threads(tiny_model_dir: Path, seed_texts: dict[str, str]) -> None:
    """The server's forward threads call one session at once: results equal those of one thread."""
    from concurrent.futures import ThreadPoolExecutor

    from planex.inference import forward_executor

    q = with_precision(load_model(tiny_model_dir), "onnx-int8")
    ex = Extractor(q, WindowConfig(max_tokens=32, stride=20, batch_size=2))
    raw = seed_texts["003_73a913652c5a0285"][:1500]
    alone = ex.token_probs([raw])[0][1]
    with ThreadPoolExecutor(2) as pool:
        token = forward_executor.set(pool)
        try:
            shared = ex.token_probs([raw])[0][1]
        finally:
            forward_executor.reset(token)
    np.testing.assert_array_equal(alone, shared)


def test_onnxrt_served_with_offsets_and_falls_back_to_torch_without_runtime(
    tiny_model_dir: Path, seed_texts: dict[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """PLANEX_PRECISION=onnx-int8 serves through ONNX Runtime; without it the server says so and serves torch int8."""
    from fastapi.testclient import TestClient

    from serving.app import create_app
    from serving.settings import Settings

    raw = seed_texts["003_73a913652c5a0285"][:1500]
    settings = Settings(model_path=tiny_model_dir, api_key=None)  # onnx-int8 is the default
    with TestClient(create_app(settings)) as client:
        assert isinstance(client.app.state.service.state.loaded.model, onnxrt.OrtClassifier)  # type: ignore[attr-defined]
        entities = client.post("/v1/extract", json={"text": raw}).json()["entities"]
        assert entities and all(raw[e["start"] : e["end"]] == e["text"] for e in entities)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with caplog.at_level("WARNING", logger="planex.serving"), TestClient(create_app(settings)) as client:
        model = client.app.state.service.state.loaded.model  # type: ignore[attr-defined]
        assert type(model.classifier).__module__.startswith("torch.ao.nn.quantized")
        assert client.post("/v1/extract", json={"text": raw}).status_code == 200
    assert "onnx-int8 is not available" in caplog.text and "serving torch dynamic int8 instead" in caplog.text
