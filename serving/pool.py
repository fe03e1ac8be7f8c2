"""The inference pool: requests run off the event loop, their forward passes share the cores, overload is refused.

Two kinds of threads. ``threads`` request threads each run one request's Python work (normalise,
tokenise, decode, task table); ``forward_threads`` threads run the model's forward passes, which
the request threads hand over batch by batch (``planex.inference.forward_executor``). With one
forward thread per core, each running torch on one thread, a long text's batches run on every
core at once and concurrent requests' batches queue first come, first served; two torch threads
per pass on two cores instead spend much of their time waiting for each other, worst on a busy
machine (`planex speed` measures both). Memory stays bounded: at most ``threads + queue_size``
requests are admitted, each at most PLANEX_MAX_CHARS long.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import torch

from planex.inference import forward_executor

T = TypeVar("T")


class QueueFullError(Exception):
    """Every thread is busy and the queue is full; ``retry_after`` is a guess in whole seconds."""

    def __init__(self, retry_after: int, capacity: int):
        self.retry_after = retry_after
        super().__init__(
            f"the server is busy ({capacity} requests running or queued); retry after {retry_after} s, "
            "or raise PLANEX_QUEUE_SIZE / PLANEX_INFERENCE_THREADS"
        )


class BoundedPool:
    """Run blocking jobs on ``threads`` threads with at most ``queue_size`` more waiting.

    ``forward_threads`` (0: one per CPU core) run the forward passes of the jobs; ``torch_threads``
    (0: torch's default) is the number of threads torch uses inside each pass, for the whole process.
    """

    def __init__(self, threads: int, queue_size: int, forward_threads: int = 1, torch_threads: int = 0):
        self.threads = threads
        self.capacity = threads + queue_size
        self.forward_threads = forward_threads or os.cpu_count() or 1
        if torch_threads:
            torch.set_num_threads(torch_threads)
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="planex-infer")
        self._forward = ThreadPoolExecutor(self.forward_threads, thread_name_prefix="planex-forward")
        self._lock = threading.Lock()
        self._admitted = 0
        self._mean_s = 1.0  # running mean of job time, for Retry-After; a guess until jobs have run

    @property
    def depth(self) -> int:
        """Jobs admitted and not finished (running or waiting)."""
        return self._admitted

    def _retry_after(self) -> int:
        return max(1, math.ceil(self._mean_s * self.capacity / self.threads))

    async def run(self, fn: Callable[[], T]) -> tuple[T, float, float]:
        """Run ``fn`` in the pool; return its result, seconds queued and seconds running.

        Raises :class:`QueueFullError` at once, without waiting, when the queue is full.
        """
        with self._lock:
            if self._admitted >= self.capacity:
                raise QueueFullError(self._retry_after(), self.capacity)
            self._admitted += 1
        submitted = time.perf_counter()

        def job() -> tuple[T, float, float]:
            started = time.perf_counter()
            token = forward_executor.set(self._forward)
            try:
                return fn(), started - submitted, time.perf_counter() - started
            finally:
                forward_executor.reset(token)
                ran = time.perf_counter() - started
                with self._lock:
                    self._mean_s = 0.8 * self._mean_s + 0.2 * ran

        def release(_: object = None) -> None:
            with self._lock:
                self._admitted -= 1

        try:
            future = self._executor.submit(job)
        except BaseException:
            release()
            raise
        # A done callback also runs for a job cancelled before it started (the client went away).
        future.add_done_callback(release)
        # The job runs to the end even if the client goes away: torch cannot be interrupted safely.
        return await asyncio.wrap_future(future)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._forward.shutdown(wait=True)
