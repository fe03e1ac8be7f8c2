"""The served model and its hot reload: load, check and smoke-test a model in a background thread, then swap.

A request reads ``ModelManager.current`` once and uses that state to the end; a reload replaces it
with one assignment. So every request runs wholly on the old model or wholly on the new one, and a
model that fails any check never serves: the old one keeps answering.

Scheme policy: a model is served only if its tag set equals the scheme file ``PLANEX_SCHEME_PATH``
(``labels/scheme.json``), which is read again at every reload. A model with a new label is
therefore accepted exactly when the scheme file has been edited to match it, which is the file
``planex train`` trained it with; a model trained on another scheme is refused.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from planex import registry
from planex.inference import Extractor
from planex.modelio import LoadedModel, ModelLoadError, load_model
from planex.modelspec import WindowConfig, window_config
from planex.precision import with_precision
from planex.scheme import SchemeError, load_scheme
from serving.metrics import Metrics
from serving.settings import Settings

log = logging.getLogger("planex.serving")
# A short plan item with every kind of span. The smoke test checks that the model runs and gives
# finite scores; what it predicts here does not matter (a fresh model may predict nothing).
SMOKE_TEXT = "（一）加强数据管理。2025年底前，数据共享率达到95%以上。（牵头单位：市大数据局）"


@dataclass(frozen=True)
class ModelState:
    """Everything a request needs from the model; replaced whole, never changed in place."""

    loaded: LoadedModel
    extractor: Extractor
    loaded_at: datetime


def served_windows(loaded: LoadedModel, settings: Settings) -> WindowConfig:
    """The model's windows (planex.modelspec.window_config, the rule training and evaluation use) with
    PLANEX_WINDOW_TOKENS as the longest and PLANEX_BATCH_SIZE windows per forward pass."""
    return window_config(loaded.spec, settings.window_tokens, settings.batch_size)


def smoke_test(extractor: Extractor, path: Path) -> None:
    """Run one short text through the model; raise ModelLoadError if it fails or gives non-finite scores."""
    try:
        [(_, probs)] = extractor.token_probs([SMOKE_TEXT])
        extractor.extract([SMOKE_TEXT])  # the whole path a request takes, spans and raw offsets included
    except Exception as e:
        raise ModelLoadError(f"model folder {path}: a test prediction failed ({type(e).__name__}: {e})") from None
    if not np.isfinite(probs).all():
        raise ModelLoadError(
            f"model folder {path}: the model gives NaN or infinite scores on a test sentence, so its weights "
            "are damaged; retrain it or restore the folder"
        )


def own_weights(model: torch.nn.Module) -> None:
    """Copy every weight on the CPU into memory of the process's own, out of the file it was read from.

    safetensors leaves CPU weights as views of the memory-mapped model.safetensors. Truncating or
    rewriting that file in place (a copy over it, a half-finished sync) then changes the weights
    under a running server or kills it with SIGBUS; the copies keep serving the model as loaded.
    """
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor.device.type == "cpu":
                tensor.data = tensor.data.clone()


def served_precision(loaded: LoadedModel, precision: str) -> LoadedModel:
    """``loaded`` at PLANEX_PRECISION. onnx-int8 falls back to torch's int8, with a warning in the log, where
    ONNX Runtime is not installed or the export fails: the runtime is an optimisation, never a reason to
    refuse a model that torch runs (a broken model folder has failed in load_model already)."""
    if precision != "onnx-int8":
        return with_precision(loaded, precision)
    try:
        return with_precision(loaded, precision)
    except Exception as e:  # the exporter and ONNX Runtime raise many kinds
        log.warning("PLANEX_PRECISION=onnx-int8 is not available (%s); serving torch dynamic int8 instead", e)
        return with_precision(loaded, "int8")


def load_state(path: Path, settings: Settings) -> ModelState:
    """Load the model at ``path``, check its labels against the scheme file and smoke-test it."""
    try:
        scheme = load_scheme(settings.scheme_path)
    except SchemeError as e:
        raise ModelLoadError(f"{e} (the scheme file is PLANEX_SCHEME_PATH)") from None
    loaded = served_precision(load_model(path, device=settings.device), settings.precision)
    if loaded.scheme.hash != scheme.hash:
        raise ModelLoadError(
            f"model folder {path} has the labels {', '.join(loaded.scheme.names)} but {settings.scheme_path} has "
            f"{', '.join(scheme.names)}: serve a model trained with that scheme (`planex train --scheme "
            f"{settings.scheme_path}`), or point PLANEX_SCHEME_PATH at the scheme this model was trained with"
        )
    own_weights(loaded.model)
    extractor = Extractor(loaded, served_windows(loaded, settings))
    smoke_test(extractor, path)
    return ModelState(loaded, extractor, datetime.now(UTC))


Trigger = Literal["api", "sighup"]


@dataclass(frozen=True)
class ReloadAttempt:
    """One reload: what was asked for, and how it ended (``status`` is the HTTP answer for it)."""

    trigger: Trigger
    requested: str | None  # None: the folder PLANEX_MODEL_PATH names
    started: datetime
    outcome: Literal["running", "ok", "failed"] = "running"
    status: int = 202
    finished: datetime | None = None
    reason: str | None = None
    version: str | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields the API shows (times as ISO strings, no HTTP status)."""
        out = asdict(self)
        del out["status"]
        out["started"] = self.started.isoformat(timespec="seconds")
        out["finished"] = self.finished.isoformat(timespec="seconds") if self.finished else None
        return out


class ReloadBusyError(Exception):
    """A reload is already running; reloads run one at a time."""

    def __init__(self, running: ReloadAttempt):
        self.running = running
        asked = running.requested or "PLANEX_MODEL_PATH"
        super().__init__(
            f"a reload of {asked} started at {running.started.isoformat(timespec='seconds')} is still running; "
            "retry when GET /v1/model shows it finished"
        )


class _UnknownVersionError(ValueError):
    pass


class ModelManager:
    """Holds the served :class:`ModelState` and replaces it on :meth:`reload`."""

    def __init__(self, settings: Settings, metrics: Metrics, current: ModelState):
        self.settings = settings
        self.metrics = metrics
        self.current = current
        self.last: ReloadAttempt | None = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="planex-reload")

    def reload(self, version: str | None, trigger: Trigger) -> Future[ReloadAttempt]:
        """Start loading ``version`` (None: PLANEX_MODEL_PATH again) in the background; raise ReloadBusyError."""
        with self._lock:
            if self.last is not None and self.last.outcome == "running":
                raise ReloadBusyError(self.last)
            attempt = ReloadAttempt(trigger, version, datetime.now(UTC))
            self.last = attempt
        return self._executor.submit(self._run, attempt)

    def _path(self, version: str | None) -> Path:
        if version is None:
            return self.settings.model_path
        try:
            return registry.resolve(version, self.settings.models_dir)
        except ValueError as e:
            raise _UnknownVersionError(f"{e} (PLANEX_MODELS_DIR)") from None

    def _run(self, attempt: ReloadAttempt) -> ReloadAttempt:
        started = time.perf_counter()
        try:
            path = self._path(attempt.requested)
            state = load_state(path, self.settings)
        except _UnknownVersionError as e:
            done = replace(attempt, outcome="failed", status=422, reason=str(e))
        except ModelLoadError as e:
            done = replace(attempt, outcome="failed", status=409, reason=str(e))
        except Exception as e:  # a bug or the machine (out of memory): logged in full, summarised to the client
            ref = uuid.uuid4().hex[:12]
            log.error("reload %s failed unexpectedly", ref, exc_info=e)
            reason = f"unexpected error while loading (reference {ref}); the details are in the server log"
            done = replace(attempt, outcome="failed", status=500, reason=reason)
        else:
            self.current = state  # the swap: one assignment, so a request sees the old state or the new one
            self.metrics.set_model(state.loaded)
            done = replace(attempt, outcome="ok", status=200, version=state.loaded.version, path=str(path.resolve()))
        done = replace(done, finished=datetime.now(UTC))
        with self._lock:
            self.last = done
        self.metrics.reloads.labels(done.outcome).inc()
        took = time.perf_counter() - started
        if done.outcome == "ok":
            log.info("reload (%s): now serving %s from %s (%.1f s)", done.trigger, done.version, done.path, took)
        else:
            kept = self.current.loaded.version
            log.error("reload (%s) refused, still serving %s: %s", done.trigger, kept, done.reason)
        return done

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def install_sighup(manager: ModelManager) -> Callable[[], None]:
    """Reload PLANEX_MODEL_PATH on SIGHUP (from the running event loop); return a function that uninstalls it.

    ``loop.add_signal_handler`` runs the callback as an ordinary event-loop callback, not inside the
    signal handler, so it may take locks and start threads safely.
    """
    hup = getattr(signal, "SIGHUP", None)
    if hup is None:  # Windows has no SIGHUP: reload through the API instead
        return lambda: None
    loop = asyncio.get_running_loop()

    def on_hup() -> None:
        log.info("SIGHUP: reloading %s", manager.settings.model_path)
        try:
            manager.reload(None, "sighup")  # _run logs the outcome
        except ReloadBusyError as e:
            log.warning("SIGHUP ignored: %s", e)

    loop.add_signal_handler(hup, on_hup)

    def uninstall() -> None:
        loop.remove_signal_handler(hup)

    return uninstall
