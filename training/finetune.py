"""Fine-tune a BERT token classifier on labelled documents, with early stopping on held-out documents."""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
import warnings
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm
from transformers import AutoConfig, AutoModelForTokenClassification, PreTrainedModel, PreTrainedTokenizerBase

from planex import registry
from planex.device import pick_device
from planex.document import Document, Span
from planex.hints import HINT_LABELS, RULES_FINGERPRINT, enable_hints
from planex.inference import Extractor
from planex.labelfile import load_documents
from planex.linebreaks import check_marker
from planex.modelio import LoadedModel, load_token_classifier, load_tokenizer, resolve_base, save_model
from planex.modelspec import ModelSpec, spec_to_json
from planex.scheme import LabelScheme, load_scheme
from training.augment import augment
from training.config import TrainConfig
from training.data import IGNORE, EncodingReport, build_dataset
from training.scoring import seqeval_scores
from training.weak import weak_documents


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


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def split_dev(docs: list[Document], fraction: float, seed: int) -> tuple[list[Document], list[Document]]:
    """Hold out whole documents (never part of one) for early stopping."""
    if fraction == 0 or len(docs) < 2:
        return docs, []
    order = sorted(docs, key=lambda d: d.id)
    random.Random(seed).shuffle(order)
    n_dev = max(1, round(fraction * len(docs)))
    return order[n_dev:], order[:n_dev]


def _tag_weights(dataset_labels: list[list[int]], n_tags: int, mode: str) -> torch.Tensor | None:
    if mode == "none":
        return None
    counts = np.ones(n_tags)
    for row in dataset_labels:
        for t in row:
            if t != IGNORE:
                counts[t] += 1
    weights = 1.0 / np.sqrt(counts)
    return torch.tensor(weights / weights[0], dtype=torch.float)  # "O" keeps weight 1


def _batches(
    rows: list[dict[str, Any]],
    size: int,
    rng: random.Random,
    pad_id: int,
    hint_dropout: float = 0.0,
    hint_decoys: float = 0.0,
    buckets: bool = False,
) -> list[dict[str, torch.Tensor]]:
    """Shuffle ``rows`` into padded batches.

    A ``hint_dropout`` share of windows lose their rule hints, and a ``hint_decoys`` share are shown
    their decoy hints instead (one draw per window decides both). ``buckets``: sort each pool of 32
    batches' worth of shuffled windows by length before cutting it into batches, then shuffle the batches.
    """
    rows = rows[:]
    rng.shuffle(rows)
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
    if buckets:
        pool = 32 * size
        ordered = [r for i in range(0, len(rows), pool) for r in sorted(rows[i : i + pool], key=_width)]
        chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
        rng.shuffle(chunks)
    out = []
    for chunk in chunks:
        width = max(len(r["input_ids"]) for r in chunk)
        ids = torch.full((len(chunk), width), pad_id)
        labels = torch.full((len(chunk), width), IGNORE)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        types = torch.zeros((len(chunk), width), dtype=torch.long)
        for r, row in enumerate(chunk):
            n = len(row["input_ids"])
            ids[r, :n] = torch.tensor(row["input_ids"])
            labels[r, :n] = torch.tensor(row["labels"])
            mask[r, :n] = 1
            # Dropping hints from some windows makes the model learn each label without the rules too, so
            # it can overrule them where they fail (without it, it copies them: see reports/README.md).
            if "token_type_ids" in row:
                draw = rng.random()
                if draw >= hint_dropout + hint_decoys:
                    types[r, :n] = torch.tensor(row["token_type_ids"])
                elif draw >= hint_dropout:
                    types[r, :n] = torch.tensor(row["decoy_type_ids"])
        batch = {"input_ids": ids, "attention_mask": mask, "labels": labels}
        if "token_type_ids" in chunk[0]:  # rule hints; other models may not accept token types at all
            batch["token_type_ids"] = types
        out.append(batch)
    return out


def _width(row: dict[str, Any]) -> int:
    return len(row["input_ids"])


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


def extractor_for(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    cfg: TrainConfig,
    single_token_labels: list[str] | None = None,
) -> Extractor:
    """The server's extractor over a model still in memory, fed and decoded as ``cfg`` trained it.

    Its windows come from the spec by the server's rule (:func:`planex.modelspec.window_config`).
    """
    spec = model_spec(cfg, scheme, single_token_labels)
    return Extractor(LoadedModel(model, tokenizer, spec, Path("."), model.device))


def dev_f1(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    docs: list[Document],
    cfg: TrainConfig,
    single_token_labels: list[str] | None = None,
) -> float:
    """Micro-F1 (seqeval, strict) on dev documents, decoded exactly as the server decodes."""
    model.eval()
    extractor = extractor_for(model, tokenizer, scheme, cfg, single_token_labels)
    preds = extractor.predict_normalised([d.text for d in docs])
    model.train()
    pred_spans = [[Span(s.start, s.end, s.label) for s in p] for p in preds]
    texts, gold = [d.text for d in docs], [d.spans for d in docs]
    return float(seqeval_scores(texts, gold, pred_spans, scheme.names)["micro"]["f1"])


def _optimiser(model: PreTrainedModel, lr: float, total: int) -> tuple[torch.optim.Optimizer, Any]:
    """AdamW with linear warm-up over 6% of ``total`` steps, then linear decay to zero."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / warm if s < warm else max(0.0, (total - s) / max(1, total - warm))
    )
    return opt, sched


def _run_epoch(
    model: PreTrainedModel,
    batches: list[dict[str, torch.Tensor]],
    loss_fn: torch.nn.Module,
    opt: torch.optim.Optimizer,
    sched: Any,
    device: torch.device,
    desc: str,
    progress: bool,
) -> float:
    """One pass over ``batches``; return the mean loss."""
    losses = []
    for batch in tqdm(batches, desc=desc, disable=not progress, leave=False):
        batch = {k: v.to(device) for k, v in batch.items()}
        logits = model(**{k: v for k, v in batch.items() if k != "labels"}).logits
        loss = loss_fn(logits.view(-1, logits.shape[-1]), batch["labels"].view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))
    return float(np.mean(losses)) if losses else float("nan")


def _weak_stage_documents(cfg: TrainConfig, labelled: list[Document]) -> list[Document]:
    """Rule-labelled documents for the first stage, leaving out every text that has gold labels."""
    if not cfg.weak or not cfg.weak_epochs or not cfg.weak_max_chars:
        return []
    from planex.labelfile import iter_documents, label_files

    gold = {d.text for d in labelled}
    for path in label_files(cfg.labels, feedback=True):  # every labelled text, test folds included
        gold |= {doc.text for doc, _ in iter_documents(path, None) if doc is not None}
    return weak_documents(cfg.weak, gold, cfg.weak_max_chars, cfg.seed)


def model_spec(
    cfg: TrainConfig,
    scheme: LabelScheme,
    single_token_labels: list[str] | None = None,
    name: str = "",
    version: str = "unversioned",
    info: dict[str, Any] | None = None,
) -> ModelSpec:
    """What inference must know to feed and decode the model as training did (saved as ``planex.json``).

    ``single_token_labels``: the labels that had a one-token span in the training data; the decoder
    predicts no one-token span of any other label (:func:`planex.codec.viterbi_tags`).
    """
    return ModelSpec(
        scheme=scheme,
        name=name or "in-training",
        version=version,
        max_length=cfg.max_tokens,
        line_marker=cfg.line_marker or None,
        rule_hints=HINT_LABELS if cfg.rule_hints else None,
        rules_fingerprint=RULES_FINGERPRINT if cfg.rule_hints else None,
        single_token_labels=None if single_token_labels is None else tuple(single_token_labels),
        info=info or {},
    )


def fit(
    train_docs: list[Document], dev_docs: list[Document], cfg: TrainConfig, scheme: LabelScheme, progress: bool = True
) -> FitResult:
    """Fine-tune on ``train_docs``; keep the weights of the epoch with the best dev micro-F1."""
    set_seed(cfg.seed)
    device = pick_device(cfg.device or None)
    base = resolve_base(cfg.base_model)
    tokenizer = load_tokenizer(base)
    if cfg.line_marker:
        check_marker(tokenizer, cfg.line_marker)
    model = build_model(base, scheme, cfg.init, cfg.rule_hints, cfg.hint_scale).to(device)
    docs = train_docs + (augment(train_docs, cfg.augment, cfg.seed) if cfg.augment else [])

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
    single = sorted(report.single_token)
    weights = _tag_weights([r["labels"] for r in rows], len(scheme.tags), cfg.class_weights)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights.to(device) if weights is not None else None, ignore_index=IGNORE)
    rng = random.Random(cfg.seed)
    pad_id = tokenizer.pad_token_id or 0
    started = time.monotonic()
    history: list[dict[str, Any]] = []
    model.train()  # from_pretrained returns the model in eval mode (dropout off)
    weak_docs = _weak_stage_documents(cfg, train_docs + dev_docs)
    if weak_docs:
        weak_rows, _ = encode(weak_docs)
        opt, sched = _optimiser(model, cfg.lr, math.ceil(len(weak_rows) / cfg.batch_size) * cfg.weak_epochs)
        for epoch in range(1, cfg.weak_epochs + 1):
            batches = _batches(weak_rows, cfg.batch_size, rng, pad_id)
            loss = _run_epoch(model, batches, loss_fn, opt, sched, device, f"weak {epoch}/{cfg.weak_epochs}", progress)
            history.append(
                {
                    "epoch": f"weak-{epoch}",
                    "loss": loss,
                    "documents": len(weak_docs),
                    "elapsed_s": round(time.monotonic() - started, 1),
                }
            )
            if progress:
                tqdm.write(json.dumps(history[-1]))
    opt, sched = _optimiser(model, cfg.lr, math.ceil(len(rows) / cfg.batch_size) * cfg.epochs)
    best_f1, best_epoch, best_state, stale = -1.0, 0, None, 0
    for epoch in range(1, cfg.epochs + 1):
        batches = _batches(rows, cfg.batch_size, rng, pad_id, cfg.hint_dropout, cfg.hint_decoys, cfg.length_buckets)
        loss = _run_epoch(model, batches, loss_fn, opt, sched, device, f"epoch {epoch}/{cfg.epochs}", progress)
        f1 = dev_f1(model, tokenizer, scheme, dev_docs, cfg, single) if dev_docs else float("nan")
        history.append(
            {
                "epoch": epoch,
                "loss": loss,
                "dev_micro_f1": f1,
                "elapsed_s": round(time.monotonic() - started, 1),
            }
        )
        if progress:
            tqdm.write(json.dumps(history[-1]))
        # A tie goes to the later epoch: a dev set of one or two documents often scores the same after
        # the first epoch (the hints alone get it right) as after training has converged.
        if not dev_docs or f1 >= best_f1:
            best_f1, best_epoch, stale = f1, epoch, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
        if dev_docs and stale >= cfg.patience:
            break
        if cfg.max_minutes and time.monotonic() - started > cfg.max_minutes * 60:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return FitResult(
        model, tokenizer, history, best_epoch, time.monotonic() - started, report.misaligned, len(weak_docs), single
    )


def load_training_documents(cfg: TrainConfig, scheme: LabelScheme) -> list[Document]:
    from planex.labelfile import label_files

    files = label_files(cfg.labels, feedback=cfg.include_feedback)
    docs = load_documents(files, scheme)
    if not docs:
        raise ValueError(f"no labelled documents in {', '.join(map(str, cfg.labels))}")
    unknown = sorted({s.label for d in docs for s in d.spans} - set(scheme.names))
    if unknown:
        raise ValueError(f"labels {', '.join(unknown)} are not in {cfg.scheme}; add them there first")
    return docs


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
    if cfg.dev:
        train_docs, dev_docs = docs, load_documents(cfg.dev, scheme, heldout=True)
        if shared := sorted({d.id for d in train_docs} & {d.id for d in dev_docs}):
            raise ValueError(
                f"--dev shares {len(shared)} document ids with --labels ({', '.join(shared[:5])}); "
                "a dev document must not be trained on"
            )
    else:
        train_docs, dev_docs = split_dev(docs, cfg.dev_fraction, cfg.seed)
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
    save_model(out, result.model, result.tokenizer, spec, extra)
    if cfg.promote:
        if out.parent.resolve() != registry.MODELS.resolve():
            raise ValueError(f"--promote needs the model under {registry.MODELS}; {out} was still written")
        registry.promote(out.name)
    return meta


def model_card(meta: dict[str, Any], scheme: LabelScheme) -> str:
    m = meta["metrics"]
    dev = m["dev_micro_f1"]
    weak, args = meta.get("weak_documents", 0), meta["training_args"]
    weak_text = (
        f"{weak} from {', '.join(args['weak'])}, {args['weak_epochs']} epoch(s), labelled by `planex.rules`"
        if weak
        else "none"
    )
    dev_text = f"{dev:.3f}" if isinstance(dev, float) and dev == dev else "n/a (no dev documents)"
    dropout = args.get("hint_dropout", 0)
    shown = f"{dropout:.0%} of training windows without" if dropout else "on every training window"
    if decoys := args.get("hint_decoys", 0):
        shown += f"; {decoys:.0%} of training windows with decoy hints (`training.decoys`)"
    if scale := args.get("hint_scale", 0):
        shown += f"; hint rows started {scale:g} × the mean character-embedding norm from 'no hint'"
    hints_text = f"`planex.rules` spans as token types ({shown})" if meta.get("rule_hints") else "none"
    single = meta.get("single_token_labels")
    lone_text = (
        "any length"
        if single is None
        else f"one-token spans only for labels seen so in training ({', '.join(single) or 'none'})"
    )
    return f"""# {meta["name"]} (planex token classifier)

Version `{meta["version"]}`, trained {meta["created"]} by `planex train`.

| | |
|---|---|
| base model | `{meta["base_model"]}` ({meta["init"]} initialisation) |
| labels | {", ".join(scheme.names)} (scheme hash `{scheme.hash}`) |
| training documents | {len(meta["train_documents"])} |
| rule-labelled documents (first stage) | {weak_text} |
| dev documents (early stopping) | {len(meta["dev_documents"])}: {_some(meta["dev_documents"])} |
| best epoch | {m["best_epoch"]} |
| dev micro-F1 (seqeval strict, characters) | {dev_text} |
| training time | {m["train_seconds"] / 60:.1f} minutes on {m["device"]} |
| window | {meta["max_length"]} tokens, stride {meta["stride"]} |
| line breaks | {f"seen as `{meta['line_marker']}`" if meta.get("line_marker") else "dropped (not seen by the model)"} |
| rule hints | {hints_text} |
| decoding | constrained Viterbi over IOB2; {lone_text} |

The dev score comes from a handful of held-out documents and is noisy; see
`reports/benchmark.md` for cross-validated figures. Load with
`planex.modelio.load_model("<this folder>")` or serve with `planex serve --model <this folder>`.
"""


def _some(ids: list[str], n: int = 12) -> str:
    return ", ".join(ids[:n]) + (f" … ({len(ids) - n} more)" if len(ids) > n else "")
