"""Numeric precision of a loaded model on the CPU: fp32 as trained, dynamic int8 of its Linear layers in torch,
or dynamic int8 in ONNX Runtime (``onnx-int8``, planex.onnxrt; optional).

Dynamic int8 stores each Linear layer's weights as 8-bit integers and quantises activations on
the fly; on a CPU the encoder's matrix products are most of the time, so it runs about twice as
fast. It changes scores slightly: `planex speed` measures how much it agrees with fp32 and
`planex evaluate --precision int8` what it does to F1 (reports/speed.md has both).
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import replace
from typing import Literal

import torch

from planex.modelio import LoadedModel

Precision = Literal["fp32", "int8", "onnx-int8"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "int8", "onnx-int8")


def with_precision(loaded: LoadedModel, precision: str) -> LoadedModel:
    """Return ``loaded`` at ``precision``: the same object for fp32 (and on a GPU), a quantised copy for int8."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "fp32":
        return loaded
    if loaded.device.type != "cpu":  # dynamic int8 kernels exist for the CPU only; a GPU runs the model as loaded
        return loaded
    if precision == "onnx-int8":
        from planex.onnxrt import with_onnx_int8  # onnxruntime is optional

        return with_onnx_int8(loaded)
    quantize = getattr(getattr(torch, "ao", None), "quantization", None)
    if quantize is None or not hasattr(quantize, "quantize_dynamic"):  # a torch without eager quantisation
        raise ValueError(f"torch {torch.__version__} has no dynamic quantisation; use precision fp32")
    with warnings.catch_warnings():
        # torch announces that eager quantisation will move to torchao; planex pins torch, where it works.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        model = quantize.quantize_dynamic(copy.deepcopy(loaded.model), {torch.nn.Linear}, dtype=torch.qint8)
    return replace(loaded, model=model.eval())
