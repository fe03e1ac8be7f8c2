"""When fine-tuning stops, and which weights it keeps: early stopping on dev F1, and the time limit."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


class Deadline:
    """``--max-minutes``: checked after every optimiser step, so a run stops within one step of it.

    ``clock`` (seconds, monotonic) is injectable so tests can run out of time without waiting.
    """

    def __init__(self, minutes: float, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.started = clock()
        self.seconds = minutes * 60 if minutes > 0 else None  # 0: no limit

    def elapsed(self) -> float:
        return self.clock() - self.started

    def passed(self) -> bool:
        return self.seconds is not None and self.elapsed() > self.seconds


class EarlyStopping:
    """Keep the weights of the epoch with the best dev micro-F1; stop after ``patience`` epochs without a gain.

    A tie goes to the later epoch: a dev set of one or two documents often scores the same after the
    first epoch (the hints alone get it right) as after training has converged. Without dev documents
    every epoch is kept, so the last one wins.
    """

    def __init__(self, patience: int, has_dev: bool):
        self.patience, self.has_dev = patience, has_dev
        self.best_f1, self.best_epoch, self.stale = -1.0, 0, 0
        self.best_state: dict[str, torch.Tensor] | None = None

    def update(self, epoch: int, f1: float, model: torch.nn.Module) -> bool:
        """Record ``epoch``'s dev F1 (keeping its weights if best); return whether to stop now."""
        if not self.has_dev or f1 >= self.best_f1:
            self.best_f1, self.best_epoch, self.stale = f1, epoch, 0
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.stale += 1
        return self.has_dev and self.stale >= self.patience

    def restore(self, model: torch.nn.Module) -> None:
        """Load the kept weights back into ``model``."""
        if self.best_state is not None:
            model.load_state_dict(self.best_state)
