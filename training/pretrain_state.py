"""Checkpoints of a pretraining run: everything a resumed run needs to continue exactly.

Weights, optimizer and scheduler state, the step counters and loss accumulators, the random
generators (batch sampling and masking draw from ``gen``; dropout from torch's global
generator) and the best held-out weights so far. A run resumed from a checkpoint takes the
same batches, masks and dropout as the uninterrupted run would have, so its weights match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from transformers import BertForMaskedLM

from planex import atomic


def new_state(total_steps: int) -> dict[str, Any]:
    return {
        "step": 0,
        "total_steps": total_steps,
        "elapsed_s": 0.0,
        "history": [],
        "loss_sum": 0.0,  # training loss since the last evaluation
        "loss_n": 0,
        "fit_from": None,  # [step, elapsed] from which the time-budget fit measures
        "fitted": False,
        "best": None,  # history entry of the best held-out evaluation
    }


def save_checkpoint(
    folder: Path,
    model: BertForMaskedLM,
    opt: torch.optim.Optimizer,
    sched: torch.optim.lr_scheduler.LRScheduler,
    gen: torch.Generator,
    state: dict[str, Any],
    best_weights: dict[str, torch.Tensor] | None,
) -> None:
    """Replace ``folder`` atomically: an interruption while saving leaves the previous checkpoint."""
    with atomic.directory(folder) as tmp:
        model.save_pretrained(tmp)
        torch.save(
            {
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "generator": gen.get_state(),
                "torch_rng": torch.get_rng_state(),
            },
            tmp / "optimizer.pt",
        )
        if best_weights is not None:
            save_file({k: v.contiguous() for k, v in best_weights.items()}, str(tmp / "best.safetensors"))
        (tmp / "trainer_state.json").write_text(json.dumps(state, indent=2))


def has_checkpoint(folder: Path) -> bool:
    return (folder / "trainer_state.json").is_file()


def load_state(folder: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads((folder / "trainer_state.json").read_text())
    return state


def restore(
    folder: Path,
    opt: torch.optim.Optimizer,
    sched: torch.optim.lr_scheduler.LRScheduler,
    gen: torch.Generator,
    device: torch.device,
) -> dict[str, torch.Tensor] | None:
    """Load optimizer, scheduler and generators from ``folder``; return the best weights saved there."""
    saved = torch.load(folder / "optimizer.pt", map_location=device, weights_only=True)
    opt.load_state_dict(saved["optimizer"])
    sched.load_state_dict(saved["scheduler"])
    gen.set_state(saved["generator"].cpu())  # generator states are CPU byte tensors, whatever the device
    torch.set_rng_state(saved["torch_rng"].cpu())
    best = folder / "best.safetensors"
    return load_file(str(best)) if best.is_file() else None
