"""Run a loaded token classifier with ONNX Runtime: export once at load, dynamic int8, one shared session.

The model is exported with torch's TorchScript exporter (batch and sequence axes dynamic,
``token_type_ids`` included: hinted models read the rule hints there), its MatMul weights are
quantised to int8 by ``onnxruntime.quantization.quantize_dynamic`` and ONNX Runtime runs the
graph with its own fusions. The files live in a temporary folder for the length of the export
only: the session is built from bytes, so nothing is cached, nothing goes stale when a model folder
is rewritten, and a reload exports the new weights. For the default model this takes about 2 s.

onnxruntime and onnx are dependencies of planex; an install without them gets a clear message here and
torch's int8 in the server (serving.reload).
"""

from __future__ import annotations

import copy
import inspect
import logging
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import torch
from transformers import PreTrainedModel

from planex.modelio import LoadedModel

OPSET = 17
_MISSING = "ONNX Runtime is not installed: `pip install -c constraints.txt onnxruntime onnx`, or use precision int8"


class _Logits(torch.nn.Module):
    """The classifier as the exporter sees it: tensors in, logits out (no output dataclass)."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> Any:
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits


class OrtClassifier(torch.nn.Module):
    """An ONNX Runtime session called like the torch model: ``model(**inputs).logits``.

    A Module without parameters, so code that walks a model's weights (serving's copy out of the
    memory-mapped file) finds nothing to do. ``session.run`` is thread-safe and releases the GIL,
    so the server's forward threads share one session, each run on one intra-op thread.
    """

    def __init__(self, session: Any):
        super().__init__()
        self.session = session
        self.names = {i.name for i in session.get_inputs()}

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **rest: torch.Tensor) -> SimpleNamespace:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask, **rest}
        if "token_type_ids" in self.names and "token_type_ids" not in feed:
            feed["token_type_ids"] = torch.zeros_like(input_ids)  # BERT's own default for one segment
        arrays = {k: np.ascontiguousarray(v.cpu().numpy()) for k, v in feed.items() if k in self.names}
        (logits,) = self.session.run(["logits"], arrays)
        return SimpleNamespace(logits=torch.from_numpy(logits))


def _onnxruntime() -> Any:
    try:
        import onnxruntime
        from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: F401  (needs the onnx package)
    except ImportError as e:
        raise ValueError(f"{_MISSING} ({e})") from None
    return onnxruntime


def export_int8(model: PreTrainedModel, folder: Path) -> Path:
    """Export ``model`` to ``folder``/model.onnx and quantise it to ``folder``/model-int8.onnx; return the latter."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    takes_types = "token_type_ids" in inspect.signature(model.forward).parameters
    if not takes_types:
        raise ValueError(f"{type(model).__name__} takes no token_type_ids; ONNX export supports BERT-style models")
    copied = copy.deepcopy(model)
    copied.train(False)
    # The eager attention exports as plain MatMul/Softmax, which ONNX Runtime fuses; its outputs equal the
    # served sdpa attention's within float rounding (tests/test_onnxrt.py).
    copied.set_attn_implementation("eager")
    dummy = torch.ones((2, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "sequence"}
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notices
        torch.onnx.export(
            _Logits(copied),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(fp32),
            input_names=names,
            output_names=["logits"],
            dynamic_axes={n: axes for n in [*names, "logits"]},
            opset_version=OPSET,
            dynamo=False,
        )
        root = logging.getLogger()
        root.addFilter(_drop_preprocess_advice)
        try:
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        finally:
            root.removeFilter(_drop_preprocess_advice)
    return int8


def _drop_preprocess_advice(record: logging.LogRecord) -> bool:
    # quantize_dynamic advises shape pre-processing for static shapes; planex's axes are dynamic by design.
    return "pre-processing before quantization" not in record.getMessage()


def session(path_or_bytes: Path | bytes, threads: int = 1) -> Any:
    """An ONNX Runtime CPU session with ``threads`` intra-op threads (the server runs one per forward thread)."""
    ort = _onnxruntime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    source = str(path_or_bytes) if isinstance(path_or_bytes, Path) else path_or_bytes
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def with_onnx_int8(loaded: LoadedModel) -> LoadedModel:
    """``loaded`` with its model replaced by an int8 ONNX Runtime session of the same weights."""
    _onnxruntime()
    with tempfile.TemporaryDirectory(prefix="planex-onnx-") as tmp:
        data = export_int8(loaded.model, Path(tmp)).read_bytes()
    # Inference only calls ``model(**inputs).logits`` on a model that went through planex.precision.
    return replace(loaded, model=cast(PreTrainedModel, OrtClassifier(session(data))))
