"""The Ray engine of ``planex batch``: the same :class:`serving.batch.Worker`, as actors of a Ray Data pipeline.

``ray.data.from_items`` holds the documents to do (a path, or a JSONL record's text);
``map_batches`` runs them through an actor pool whose actors each load the model once; the driver
reads the records back in order and journals them like the local engine, so ``--resume``, errors
and outputs behave the same. Without ``--ray-address`` (or ``RAY_ADDRESS``) a local Ray starts and
stops with the run; with one, the run joins that cluster, whose workers must see the input paths
and the model folder at the same paths (a shared file system).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from serving.batch import BatchConfig, Item, Record, Worker

MISSING = "--engine ray needs Ray Data: pip install -e '.[ray]' (or use --engine local)"


class _Actor:
    """One Ray actor: a Worker, called on batches of the pipeline (columns id, path, text)."""

    def __init__(self, cfg: BatchConfig):
        self.worker = Worker(cfg)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        items = [
            Item(id=str(i), path=str(p), text=None) if str(p) else Item(id=str(i), text=str(t))
            for i, p, t in zip(batch["id"], batch["path"], batch["text"], strict=True)
        ]
        return {"record": [json.dumps(r, ensure_ascii=False) for r in self.worker(items)]}


def run_ray(todo: Sequence[Item], cfg: BatchConfig, emit: Callable[[Record], None], address: str | None) -> None:
    """Extract ``todo`` on Ray Data with ``cfg.workers`` actors; ``emit`` each record in input order."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise ValueError(MISSING) from None
    if not todo:
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    started = not ray.is_initialized()
    if started:
        # A local Ray (address None) gets this machine's cores; a cluster address joins that cluster.
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True  # records come back in input order, as locally
        ctx.enable_progress_bars = False  # planex batch shows its own bar
        rows = [{"id": i.id, "path": i.path or "", "text": i.text or ""} for i in todo]
        ds = ray.data.from_items(rows, override_num_blocks=max(1, -(-len(rows) // cfg.chunk)))
        out = ds.map_batches(
            _Actor,
            fn_constructor_args=(cfg,),
            batch_size=cfg.chunk,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=cfg.workers),
            num_cpus=cfg.threads,
        )
        for row in out.iter_rows():
            emit(json.loads(row["record"]))
    finally:
        if started:
            ray.shutdown()
