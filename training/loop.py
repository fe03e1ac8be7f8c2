"""The fine-tuning loop: build the model on a base, run epochs of optimiser steps, stop early or on time."""

from __future__ import annotations

import json
import math
import random
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from tqdm import tqdm
from transformers import AutoConfig, AutoModelForTokenClassification, PreTrainedModel, PreTrainedTokenizerBase

from planex.crf import CrfScores
from planex.device import pick_device
from planex.document import Document
from planex.hints import enable_hints
from planex.linebreaks import check_marker
from planex.modelio import load_token_classifier, load_tokenizer, resolve_base
from planex.scheme import LabelScheme
from training.augment import augment
from training.batches import make_batches, tag_weights, weak_stage_documents
from training.config import TrainConfig
from training.crf import CrfHead
from training.data import IGNORE, EncodingReport, build_dataset
from training.devscore import dev_f1
from training.mentions import NamePool, rename_some
from training.relayout import relayout
from training.stopping import Deadline, EarlyStopping


@dataclass
class FitResult:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    history: list[dict[str, Any]]
    best_epoch: int
    seconds: float
    misaligned: int
    weak_documents: int = 0
    single_token_labels: list[str] | None = None
    relayout_documents: int = 0
    crf: CrfScores | None = None  # --crf: the learned scores, decoded with the logits


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def build_model(
    base: str, scheme: LabelScheme, init: str, rule_hints: bool = False, hint_scale: float = 0.0
) -> PreTrainedModel:
    """A token classifier on ``base``: its pretrained weights, or random weights of the same architecture."""
    kwargs = {"num_labels": len(scheme.tags), "id2label": scheme.id2label, "label2id": scheme.label2id}
    if init == "random":
        config = AutoConfig.from_pretrained(base, trust_remote_code=False, **kwargs)
        model = AutoModelForTokenClassification.from_config(config)
    else:
        model, missing = load_token_classifier(base, **kwargs)
        # The classifier is new by design; anything else missing means the base is not what it claims.
        if surprising := [k for k in missing if not k.startswith("classifier.")]:
            warnings.warn(
                f"base model {base}: {len(surprising)} weights besides the classifier were initialised at random "
                f"({', '.join(surprising[:3])}…); check that it is a BERT-style encoder",
                stacklevel=2,
            )
    if rule_hints:
        enable_hints(model, hint_scale)
    return model


# The CRF's scores start at zero and are few: they learn at ten times the encoder's rate, undecayed
# (at the encoder's 5e-4 and a few thousand steps they could move by about one unit only).
CRF_LR_SCALE = 10.0
LossFn = Callable[[torch.Tensor, dict[str, torch.Tensor]], torch.Tensor]
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def optimiser(
    model: PreTrainedModel, lr: float, total: int, crf: CrfHead | None = None
) -> tuple[torch.optim.Optimizer, Any]:
    """AdamW with linear warm-up over 6% of ``total`` steps, then linear decay to zero."""
    groups: list[dict[str, Any]] = [{"params": list(model.parameters())}]
    if crf is not None:
        groups.append({"params": list(crf.parameters()), "lr": lr * CRF_LR_SCALE, "weight_decay": 0.0})
    opt = torch.optim.AdamW(groups, lr=lr, weight_decay=0.01)
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / warm if s < warm else max(0.0, (total - s) / max(1, total - warm))
    )
    return opt, sched


def run_epoch(
    model: PreTrainedModel,
    batches: list[dict[str, torch.Tensor]],
    loss_fn: LossFn,
    opt: torch.optim.Optimizer,
    sched: Any,
    device: torch.device,
    desc: str,
    progress: bool,
    deadline: Deadline | None = None,
) -> tuple[float, int]:
    """Pass over ``batches`` until they end or ``deadline`` passes; return the mean loss and the steps taken."""
    losses = []
    for batch in tqdm(batches, desc=desc, disable=not progress, leave=False):
        batch = {k: v.to(device) for k, v in batch.items()}
        logits = model(**{k: batch[k] for k in MODEL_INPUTS if k in batch}).logits
        loss = loss_fn(logits, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for group in opt.param_groups for p in group["params"]], 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))
        if deadline is not None and deadline.passed():
            break
    return (float(np.mean(losses)) if losses else float("nan")), len(losses)


def fit(
    train_docs: list[Document],
    dev_docs: list[Document],
    cfg: TrainConfig,
    scheme: LabelScheme,
    progress: bool = True,
    clock: Callable[[], float] | None = None,
) -> FitResult:
    """Fine-tune on ``train_docs``; keep the weights of the epoch with the best dev micro-F1.

    ``cfg.max_minutes`` is checked after every step (``clock``: a test's fake time); an epoch cut short
    by it is still scored on dev, so its weights are kept if they are the best.
    """
    set_seed(cfg.seed)
    device = pick_device(cfg.device or None)
    base = resolve_base(cfg.base_model)
    tokenizer = load_tokenizer(base)
    if cfg.line_marker:
        check_marker(tokenizer, cfg.line_marker)
    model = build_model(base, scheme, cfg.init, cfg.rule_hints, cfg.hint_scale).to(device)
    # Both rewrite the training documents only: dev (and any test split) stays as labelled.
    docs = train_docs + (augment(train_docs, cfg.augment, cfg.seed) if cfg.augment else [])
    synthetic = relayout(train_docs, cfg.relayout, cfg.seed)
    docs += synthetic

    # Training windows do not overlap: overlap would only repeat tokens. (Inference overlaps them
    # so that every token is predicted with context on both sides.)
    def encode(docs: list[Document]) -> tuple[list[dict[str, Any]], EncodingReport]:
        dataset, report = build_dataset(
            docs,
            tokenizer,
            scheme,
            cfg.max_tokens,
            cfg.max_tokens - 2,
            cfg.line_marker or None,
            cfg.rule_hints,
            decoys=cfg.rule_hints and cfg.hint_decoys > 0,
        )
        return dataset.to_list(), report

    rows, report = encode(docs)
    pool = NamePool.of(train_docs) if cfg.rename_leads else None
    rename_rng = random.Random(cfg.seed + 1)
    single = sorted(report.single_token)
    loss_fn, crf = make_loss(cfg, scheme, rows, device)
    trained = torch.nn.ModuleList([model, crf]) if crf is not None else model  # what early stopping keeps
    rng = random.Random(cfg.seed)
    pad_id = tokenizer.pad_token_id or 0
    deadline = Deadline(cfg.max_minutes, clock) if clock else Deadline(cfg.max_minutes)
    history: list[dict[str, Any]] = []

    def record(entry: dict[str, Any]) -> None:
        history.append({**entry, "elapsed_s": round(deadline.elapsed(), 1)})
        if progress:
            tqdm.write(json.dumps(history[-1]))

    model.train()  # from_pretrained returns the model in eval mode (dropout off)
    weak_docs = weak_stage_documents(cfg, train_docs + dev_docs)
    if weak_docs:
        weak_rows, _ = encode(weak_docs)
        opt, sched = optimiser(model, cfg.lr, math.ceil(len(weak_rows) / cfg.batch_size) * cfg.weak_epochs, crf)
        for epoch in range(1, cfg.weak_epochs + 1):
            batches = make_batches(weak_rows, cfg.batch_size, rng, pad_id)
            desc = f"weak {epoch}/{cfg.weak_epochs}"
            loss, steps = run_epoch(model, batches, loss_fn, opt, sched, device, desc, progress, deadline)
            record({"epoch": f"weak-{epoch}", "loss": loss, "steps": steps, "documents": len(weak_docs)})
            if deadline.passed():
                break
    opt, sched = optimiser(model, cfg.lr, math.ceil(len(rows) / cfg.batch_size) * cfg.epochs, crf)
    stopping = EarlyStopping(cfg.patience, bool(dev_docs))
    for epoch in range(1, cfg.epochs + 1):
        if deadline.passed():  # e.g. the weak stage used the time up
            break
        shown = rows if pool is None else renamed_rows(rows, docs, pool, rename_rng, cfg.rename_leads, encode)
        batches = make_batches(
            shown, cfg.batch_size, rng, pad_id, cfg.hint_dropout, cfg.hint_decoys, cfg.length_buckets
        )
        desc = f"epoch {epoch}/{cfg.epochs}"
        loss, steps = run_epoch(model, batches, loss_fn, opt, sched, device, desc, progress, deadline)
        scores = crf.scores() if crf is not None else None
        f1 = dev_f1(model, tokenizer, scheme, dev_docs, cfg, single, scores) if dev_docs else float("nan")
        out_of_time = deadline.passed()
        record(
            {"epoch": epoch, "loss": loss, "steps": steps, "dev_micro_f1": f1}
            | ({"stopped": "max-minutes"} if out_of_time else {})
        )
        if stopping.update(epoch, f1, trained) or out_of_time:
            break
    stopping.restore(trained)
    model.eval()
    return FitResult(
        model,
        tokenizer,
        history,
        stopping.best_epoch,
        deadline.elapsed(),
        report.misaligned,
        len(weak_docs),
        single,
        relayout_documents=len(synthetic),
        crf=crf.scores() if crf is not None else None,
    )


def renamed_rows(
    rows: list[dict[str, Any]],
    docs: list[Document],
    pool: NamePool,
    rng: random.Random,
    share: float,
    encode: Callable[[list[Document]], tuple[list[dict[str, Any]], EncodingReport]],
) -> list[dict[str, Any]]:
    """This epoch's windows: those of a ``share`` of the documents with lead units replaced by the windows
    of a copy with them renamed (``--rename-leads``, training.mentions); every document is seen once."""
    renamed = [
        (doc, shown) for doc, shown in zip(docs, rename_some(docs, pool, rng, share), strict=True) if shown is not doc
    ]
    fresh, _ = encode([shown for _, shown in renamed])
    changed = {doc.id for doc, _ in renamed}
    return [r for r in rows if r["doc_id"] not in changed] + fresh


def make_loss(
    cfg: TrainConfig, scheme: LabelScheme, rows: list[dict[str, Any]], device: torch.device
) -> tuple[LossFn, CrfHead | None]:
    """The loss of a batch's logits: cross-entropy per token (``--class-weights``), or with ``--crf`` the
    CRF's negative log-likelihood per labelled token, and the CRF head it trains."""
    if cfg.crf:
        crf = CrfHead(scheme.tags).to(device)
        return (lambda logits, batch: crf.nll(logits, batch["labels"], batch.get("edges"))), crf
    weights = tag_weights([r["labels"] for r in rows], len(scheme.tags), cfg.class_weights)
    ce = torch.nn.CrossEntropyLoss(weight=weights.to(device) if weights is not None else None, ignore_index=IGNORE)
    return (lambda logits, batch: ce(logits.reshape(-1, logits.shape[-1]), batch["labels"].reshape(-1))), None
