"""``planex train``: load labels, fine-tune with early stopping, save a complete, self-describing model folder.

The steps live in their own modules: ``training.config`` (options), ``training.batches`` (documents,
dev split, batches), ``training.loop`` (the model and the epochs), ``training.stopping`` (early
stopping and ``--max-minutes``), ``training.devscore`` (dev F1 decoded as the server decodes) and
``training.modelcard`` (the README written beside the weights).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planex import registry
from planex.device import pick_device
from planex.document import Document
from planex.modelio import save_model
from planex.modelspec import spec_to_json
from planex.scheme import load_scheme
from training.batches import dev_split, load_training_documents
from training.config import TrainConfig
from training.devscore import model_spec
from training.loop import fit
from training.modelcard import model_card


def version_of(cfg: TrainConfig, docs: list[Document]) -> str:
    """Version = UTC time + short hash of the labels and the configuration."""
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.id):
        h.update(d.to_json().encode())
    h.update(json.dumps(_jsonable(asdict(cfg)), sort_keys=True).encode())
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + "-" + h.hexdigest()[:8]


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_jsonable(v) for v in obj]
    return str(obj) if isinstance(obj, Path) else obj


def train(cfg: TrainConfig) -> dict[str, Any]:
    """Load labels, fine-tune with early stopping, and save a complete model folder; return its metadata."""
    scheme = load_scheme(cfg.scheme)
    docs = load_training_documents(cfg, scheme)
    train_docs, dev_docs = dev_split(cfg, docs, scheme)
    result = fit(train_docs, dev_docs, cfg, scheme)
    version = version_of(cfg, docs)
    out = cfg.out if str(cfg.out) not in ("", ".") else registry.MODELS / version
    device = pick_device(cfg.device or None)
    info = {
        "base_model": cfg.base_model,
        "init": cfg.init,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "train_documents": [d.id for d in train_docs],
        "dev_documents": [d.id for d in dev_docs],
        "training_args": _jsonable(asdict(cfg)),
        "weak_documents": result.weak_documents,
        "relayout_documents": result.relayout_documents,
        "metrics": {
            "dev_micro_f1": next((h["dev_micro_f1"] for h in result.history if h["epoch"] == result.best_epoch), None),
            "best_epoch": result.best_epoch,
            "train_seconds": round(result.seconds, 1),
            "device": str(device),
            "misaligned_spans": result.misaligned,
            "history": result.history,
        },
        "path": str(out),
    }
    spec = model_spec(cfg, scheme, result.single_token_labels, cfg.name or out.name, version, info)
    meta = spec_to_json(spec)
    extra = {"README.md": model_card(meta, scheme), "training_args.json": json.dumps(info["training_args"], indent=2)}
    save_model(out, result.model, result.tokenizer, spec, extra, result.crf)
    if cfg.promote:
        if out.parent.resolve() != registry.MODELS.resolve():
            raise ValueError(f"--promote needs the model under {registry.MODELS}; {out} was still written")
        registry.promote(out.name)
    return meta
