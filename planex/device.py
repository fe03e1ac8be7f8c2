"""Pick the compute device once, the same way for training and serving."""

from __future__ import annotations

import os

import torch


def pick_device(requested: str | None = None) -> torch.device:
    """Return ``requested`` (``cpu``, ``cuda``, ``cuda:1``, ``mps``) or the best available device.

    ``PLANEX_DEVICE`` in the environment overrides the automatic choice.
    """
    name = requested or os.environ.get("PLANEX_DEVICE") or ""
    if name:
        device = torch.device(name)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"device {name!r} requested but no CUDA GPU is visible; use --device cpu")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
