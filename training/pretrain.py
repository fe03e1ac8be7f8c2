"""Masked-language-model pretraining of a small character-level BERT: options and the training loop.

Why: no pretrained Chinese weights can be downloaded here, and fine-tuning from random
weights on a few dozen documents learns layout, not language. Hours of MLM on unlabelled
plan and legal text give the fine-tuner a base that already reads Chinese.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm
from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

from planex.device import pick_device
from planex.linebreaks import check_marker
from training import pretrain_state as ckpt
from training.chartokenizer import build_vocab, save_tokenizer
from training.pretrain_card import cpu_name, save_final
from training.pretrain_config import PretrainConfig
from training.pretrain_data import Sources, build_sources, mask_chars, read_source, split_heldout
from training.pretrain_eval import masked_accuracy

_clock = time.monotonic  # the tests replace it with a clock of their own


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived: the run saved a checkpoint at ``step`` and stopped."""

    def __init__(self, step: int, folder: Path) -> None:
        super().__init__(f"interrupted at step {step}; checkpoint saved in {folder}: continue with --resume")
        self.step = step


@contextmanager
def _stop_on_signals() -> Iterator[list[bool]]:
    """A flag set by SIGINT/SIGTERM, so the loop can checkpoint before it stops (main thread only)."""
    flag = [False]
    try:
        old = {s: signal.signal(s, lambda *_: flag.__setitem__(0, True)) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: signals keep their handlers
        old = {}
    try:
        yield flag
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _exclude(cfg: PretrainConfig) -> frozenset[str]:
    if not cfg.exclude_ids:
        return frozenset()
    lines = Path(cfg.exclude_ids).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


def _prepare(cfg: PretrainConfig, resuming: bool) -> tuple[Any, Sources]:
    """Tokenizer and data: saved with the run, so a resumed run reads exactly what it started with."""
    data_file = cfg.out / "data.pt"
    if resuming:
        return AutoTokenizer.from_pretrained(cfg.out / "tokenizer"), Sources.from_file(data_file)
    exclude = _exclude(cfg)
    texts = {str(p): read_source(p, exclude) for p in cfg.inputs}
    if cfg.init_from:
        tokenizer = AutoTokenizer.from_pretrained(cfg.init_from)  # the weights are tied to its vocabulary
        tokenizer.save_pretrained(cfg.out / "tokenizer")
    else:
        train = (t for docs in texts.values() for t in split_heldout(docs, cfg.heldout, cfg.seed, cfg.heldout_cap)[0])
        tokenizer = save_tokenizer(build_vocab(train, cfg.min_freq), cfg.out / "tokenizer")
    marker = cfg.line_marker or None
    if marker:
        check_marker(tokenizer, marker)
    options = {"seq_len": cfg.seq_len, "wwm": cfg.masking == "wwm", "line_marker": marker}
    sources = build_sources(
        cfg.inputs, cfg.mix, tokenizer, heldout=cfg.heldout, heldout_cap=cfg.heldout_cap, seed=cfg.seed,
        texts=texts, **options,
    )  # fmt: skip
    sources.to_file(data_file)
    return tokenizer, sources


def _model(cfg: PretrainConfig, tokenizer: Any, resuming: bool) -> BertForMaskedLM:
    if resuming:
        return BertForMaskedLM.from_pretrained(cfg.out / "checkpoint", use_safetensors=True)
    if cfg.init_from:  # a new schedule from existing weights: how a finished base is trained further
        return BertForMaskedLM.from_pretrained(cfg.init_from, use_safetensors=True)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=cfg.hidden,
        num_hidden_layers=cfg.layers,
        num_attention_heads=cfg.heads,
        intermediate_size=4 * cfg.hidden,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
    )
    return BertForMaskedLM(config)


def _masked_loss(model: BertForMaskedLM, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """MLM loss computed on the masked positions only.

    ``BertForMaskedLM`` projects every position onto the vocabulary, although 85% of them
    carry no label; projecting only the masked ones saves about a third of each step on CPU.
    """
    hidden = model.bert(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    where = batch["labels"] != -100
    logits = model.cls(hidden[where])
    return torch.nn.functional.cross_entropy(logits, batch["labels"][where])


def _fit_to_budget(cfg: PretrainConfig, state: dict[str, Any], elapsed: float) -> None:
    """Fit the schedule to ``--max-minutes`` so warm-up and decay complete; stop once past it.

    Timing starts after the first three steps, which pay for start-up (and GPU warm-up). On a
    shared machine the speed changes, so the step count is fitted again each time another 5%
    of the budget has passed (until the last 10%), from the speed since the previous fit.
    Checked every step, so a run slower than fitted still stops at the first step past the budget.
    """
    budget = cfg.max_minutes * 60
    if elapsed >= budget:
        state["total_steps"] = state["step"]
        return
    if state["fit_from"] is None:
        if state["step"] >= 3:
            state["fit_from"] = [state["step"], elapsed]
        return
    since_step, since = state["fit_from"]
    window = elapsed - since
    due = window > 0.05 * budget or (not state["fitted"] and state["step"] - since_step >= 57)
    if due and state["step"] > since_step and budget - elapsed > 0.1 * budget:
        per_step = window / (state["step"] - since_step)
        more = int((budget - elapsed) / per_step * 0.97)
        state["total_steps"] = max(state["step"] + 1, min(cfg.max_steps, state["step"] + more))
        state["fitted"] = True
        state["fit_from"] = [state["step"], elapsed]
        state.setdefault("warmup_steps", max(1, int(cfg.warmup * state["total_steps"])))


def pretrain(cfg: PretrainConfig) -> dict[str, Any]:
    """Run MLM pretraining; return the final metrics (also written to OUT/model/pretrain_metrics.json).

    Raises :class:`Interrupted` after saving a checkpoint when SIGINT or SIGTERM arrives.
    """
    device = pick_device(cfg.device or None)
    folder = cfg.out / "checkpoint"
    resuming = cfg.resume and ckpt.has_checkpoint(folder)
    if cfg.resume and not resuming:
        print(f"no checkpoint in {folder}; starting from the beginning")
    torch.manual_seed(cfg.seed)
    cfg.out.mkdir(parents=True, exist_ok=True)
    tokenizer, sources = _prepare(cfg, resuming)
    held = {name: sources.heldout_blocks(name) for name in sources.names}
    print(
        f"{len(sources.rows)} training sequences; held out: "
        + ", ".join(f"{n} {len(b)}" for n, b in held.items())
        + f"; vocabulary {len(tokenizer)}; device {device}"
    )
    model = _model(cfg, tokenizer, resuming).to(device).train()
    state = ckpt.load_state(folder) if resuming else ckpt.new_state(cfg.max_steps)
    if resuming and cfg.max_steps < state["total_steps"]:
        # Finish early: the learning rate decays to zero by the new, smaller step count.
        state["total_steps"] = max(state["step"] + 1, cfg.max_steps)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True  # fp32 weights, TF32 matrix products: same model, faster steps
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.01)

    def lr_at(step: int) -> float:
        total = state["total_steps"]
        # fixed by the first fit to --max-minutes, so that later fits do not reopen the warm-up
        warm = state.get("warmup_steps") or max(1, int(cfg.warmup * total))
        return step / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    gen = torch.Generator(device=device).manual_seed(cfg.seed)
    best_weights = ckpt.restore(folder, opt, sched, gen, device) if resuming else None
    rows = sources.rows.to(device)
    sources.row_probability = sources.row_probability.to(device)  # sampled with the device's generator
    words = sources.words.to(device) if sources.words is not None else None
    first = sources.names[0]
    started = _clock() - state["elapsed_s"]
    bar = tqdm(total=state["total_steps"], initial=state["step"], desc="pretrain", unit="step", mininterval=30)
    with _stop_on_signals() as stop:
        while state["step"] < state["total_steps"]:
            pick = sources.sample(min(cfg.batch_size, len(rows)), gen).to(device)
            batch = mask_chars(rows[pick], tokenizer, cfg.mask_prob, gen, None if words is None else words[pick])
            loss = _masked_loss(model, batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            state["step"] += 1
            state["loss_sum"] += loss.item()
            state["loss_n"] += 1
            bar.update(1)
            elapsed = _clock() - started
            if cfg.max_minutes:
                _fit_to_budget(cfg, state, elapsed)
                bar.total = state["total_steps"]
            if state["step"] % cfg.eval_every == 0 or state["step"] == state["total_steps"]:
                accs = {n: masked_accuracy(model, b, tokenizer, device) for n, b in held.items()}
                entry = {
                    "step": state["step"],
                    "loss": state["loss_sum"] / max(state["loss_n"], 1),
                    "heldout_masked_accuracy": accs[first],
                    "heldout_by_input": accs,
                    "lr": sched.get_last_lr()[0],
                    "elapsed_s": round(elapsed, 1),
                }
                state["history"].append(entry)
                bar.write(json.dumps(entry, ensure_ascii=False))
                state["loss_sum"], state["loss_n"] = 0.0, 0
                best_acc = state["best"]["heldout_masked_accuracy"] if state["best"] else -1.0
                if cfg.keep_best and accs[first] > best_acc:  # NaN never wins
                    state["best"] = entry
                    best_weights = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
            if state["step"] % cfg.checkpoint_every == 0 or stop[0]:
                state["elapsed_s"] = _clock() - started
                ckpt.save_checkpoint(folder, model, opt, sched, gen, state, best_weights)
                if stop[0]:
                    bar.close()
                    raise Interrupted(state["step"], folder)
    bar.close()
    state["elapsed_s"] = _clock() - started
    if state["step"] % cfg.checkpoint_every:  # the finished state, so that --resume has nothing left to do
        ckpt.save_checkpoint(folder, model, opt, sched, gen, state, best_weights)
    final = state["history"][-1] if state["history"] else {}
    if state["best"] and best_weights is not None and state["best"]["step"] != state["step"]:
        # Past the best evaluation the model was fitting the training text: keep the best weights.
        final = state["best"]
        model.load_state_dict(best_weights)
    metrics = {
        "heldout_masked_accuracy": final.get("heldout_masked_accuracy"),
        "heldout_by_input": final.get("heldout_by_input", {}),
        "final_loss": final.get("loss"),
        "selected_step": final.get("step", state["step"]),
        "steps": state["step"],
        "train_seconds": round(state["elapsed_s"], 1),
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name(),
        "torch_threads": torch.get_num_threads(),
        "documents": sum(int(s["documents"]) for s in sources.stats),  # type: ignore[call-overload]
        "characters": sum(int(s["characters"]) for s in sources.stats),  # type: ignore[call-overload]
        "heldout_characters": sum(int(s["heldout_characters"]) for s in sources.stats),  # type: ignore[call-overload]
        "train_sequences": len(rows),
        "heldout_sequences": sum(map(len, held.values())),
        "sources": sources.stats,
        "vocab_size": len(tokenizer),
        "parameters": sum(p.numel() for p in model.parameters()),
        # from the model, not the options: --init-from keeps the size of the model it starts from
        "layers": model.config.num_hidden_layers,
        "hidden": model.config.hidden_size,
        "heads": model.config.num_attention_heads,
        "history": state["history"],
    }
    save_final(cfg, model, tokenizer, metrics)
    return metrics
