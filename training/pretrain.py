"""Masked-language-model pretraining of a small character-level BERT from scratch.

Why: no pretrained Chinese weights can be downloaded here, and fine-tuning from random
weights on a few dozen documents learns layout, not language. A few hours of MLM on
the unlabelled plan corpus gives the fine-tuner a base that already reads Chinese.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm
from transformers import AutoTokenizer, BertConfig, BertForMaskedLM, PreTrainedTokenizerBase

from planex import atomic
from planex.device import pick_device
from planex.linebreaks import DEFAULT_MARKER, check_marker, mark_lines
from training.chartokenizer import build_vocab, save_tokenizer
from training.textsource import iter_normalised


@dataclass
class PretrainConfig:
    """Options of ``planex pretrain``; each field's ``help`` is shown by ``--help``."""

    inputs: list[Path] = field(metadata={"help": "folders of .txt files or JSONL files with a 'text' field"})
    out: Path = field(metadata={"help": "output folder (a Hugging Face model folder)"})
    layers: int = field(default=4, metadata={"help": "transformer layers"})
    hidden: int = field(default=256, metadata={"help": "hidden size (a multiple of --heads)"})
    heads: int = field(default=4, metadata={"help": "attention heads"})
    seq_len: int = field(default=128, metadata={"help": "tokens per training sequence, [CLS]/[SEP] included"})
    batch_size: int = field(default=32, metadata={"help": "sequences per step"})
    lr: float = field(default=5e-4, metadata={"help": "peak learning rate (AdamW, linear warm-up and decay)"})
    warmup: float = field(default=0.06, metadata={"help": "fraction of steps spent warming up"})
    max_steps: int = field(default=20000, metadata={"help": "upper bound on optimisation steps"})
    max_minutes: float = field(
        default=0.0,
        metadata={"help": "wall-clock budget; steps are fitted to it after timing the first steps (0: off)"},
    )
    line_marker: str = field(
        default=DEFAULT_MARKER,
        metadata={"help": "character that stands for a line break (as in `planex train`; '' drops line breaks)"},
    )
    masking: str = field(default="char", metadata={"help": "'char' (characters) or 'wwm' (whole jieba words)"})
    mask_prob: float = field(default=0.15, metadata={"help": "fraction of tokens to predict"})
    min_freq: int = field(
        default=2, metadata={"help": "characters outside GB2312 enter the vocabulary from this count"}
    )
    heldout: float = field(default=0.02, metadata={"help": "fraction of documents held out for masked accuracy"})
    eval_every: int = field(default=500, metadata={"help": "steps between held-out evaluations"})
    checkpoint_every: int = field(default=500, metadata={"help": "steps between checkpoints (for --resume)"})
    seed: int = field(default=13, metadata={"help": "random seed"})
    device: str = field(default="", metadata={"help": "cpu, cuda, cuda:N; empty picks the GPU when present"})
    init_from: str = field(
        default="",
        metadata={"help": "start from this MLM model folder (its tokenizer and size are kept) with a new schedule"},
    )
    resume: bool = field(
        default=False,
        metadata={"help": "continue from OUT/checkpoint after an interruption (a smaller --max-steps ends it sooner)"},
    )
    keep_best: bool = field(
        default=True,
        metadata={"help": "save the weights of the best held-out evaluation rather than the last"},
    )

    def __post_init__(self) -> None:
        self.inputs = [Path(p) for p in self.inputs]
        self.out = Path(self.out)
        if self.hidden % self.heads:
            raise ValueError(f"--hidden {self.hidden} must be a multiple of --heads {self.heads}")
        if self.masking not in ("char", "wwm"):
            raise ValueError(f"--masking must be 'char' or 'wwm', not {self.masking!r}")
        if not 0 < self.mask_prob < 1 or not 0 < self.heldout < 0.5:
            raise ValueError("--mask-prob must be in (0, 1) and --heldout in (0, 0.5)")
        if self.init_from and not (Path(self.init_from) / "config.json").is_file():
            raise ValueError(f"--init-from {self.init_from}: not a model folder (no config.json)")
        if self.seq_len < 8 or self.batch_size < 1 or self.max_steps < 1:
            raise ValueError("--seq-len must be ≥ 8, --batch-size and --max-steps ≥ 1")


Block = tuple[list[int], list[int]]  # token ids, word index per token (for whole-word masking)


def _word_ids(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    import jieba

    jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
    owner = [0] * len(text)
    pos = 0
    for n, word in enumerate(jieba.cut(text, HMM=False)):
        owner[pos : pos + len(word)] = [n] * len(word)
        pos += len(word)
    return [owner[a] for a, _ in offsets]


def make_blocks(
    texts: list[str], tokenizer: PreTrainedTokenizerBase, seq_len: int, wwm: bool, line_marker: str | None = None
) -> list[Block]:
    """Cut each document into sequences of ``seq_len - 2`` tokens (no sequence spans two documents).

    Line breaks become ``line_marker`` as in fine-tuning, so the base learns what the marker means.
    """
    blocks = []
    body = seq_len - 2
    for text in (mark_lines(t, line_marker) for t in texts):
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids, offsets = enc["input_ids"], enc["offset_mapping"]
        words = _word_ids(text, offsets) if wwm else list(range(len(ids)))
        for i in range(0, len(ids), body):
            if len(ids[i : i + body]) >= 16:
                blocks.append((ids[i : i + body], words[i : i + body]))
    return blocks


def mask_batch(
    blocks: list[Block], tokenizer: PreTrainedTokenizerBase, prob: float, rng: random.Random
) -> dict[str, torch.Tensor]:
    """Build a padded MLM batch: choose whole units (characters or words) until ``prob`` of tokens is covered."""
    cls, sep, pad, mask = (tokenizer.convert_tokens_to_ids(t) for t in ("[CLS]", "[SEP]", "[PAD]", "[MASK]"))
    n_vocab = len(tokenizer)
    width = max(len(ids) for ids, _ in blocks) + 2
    input_ids = torch.full((len(blocks), width), pad)
    labels = torch.full((len(blocks), width), -100)  # -100: position not predicted, ignored by the loss
    attention = torch.zeros((len(blocks), width), dtype=torch.long)
    for row, (ids, words) in enumerate(blocks):
        seq = [cls, *ids, sep]
        units: dict[int, list[int]] = {}
        for pos, w in enumerate(words, start=1):
            units.setdefault(w, []).append(pos)
        order = list(units.values())
        rng.shuffle(order)
        target = max(1, round(prob * len(ids)))
        chosen: list[int] = []
        for unit in order:
            if len(chosen) >= target:
                break
            chosen.extend(unit)
        out = list(seq)
        for pos in chosen:
            labels[row, pos] = seq[pos]
            r = rng.random()
            if r < 0.8:
                out[pos] = mask
            elif r < 0.9:
                out[pos] = rng.randrange(5, n_vocab)  # a random real token, never a special one
        input_ids[row, : len(out)] = torch.tensor(out)
        attention[row, : len(out)] = 1
    return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}


def pad_blocks(blocks: list[Block], tokenizer: PreTrainedTokenizerBase) -> torch.Tensor:
    """All blocks as one ``[CLS] ids [SEP]`` matrix padded with ``[PAD]``, for :func:`mask_chars`."""
    cls, sep, pad = (tokenizer.convert_tokens_to_ids(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    rows = torch.full((len(blocks), max(len(ids) for ids, _ in blocks) + 2), pad)
    for r, (ids, _) in enumerate(blocks):
        rows[r, : len(ids) + 2] = torch.tensor([cls, *ids, sep])
    return rows


def mask_chars(
    rows: torch.Tensor, tokenizer: PreTrainedTokenizerBase, prob: float, gen: torch.Generator
) -> dict[str, torch.Tensor]:
    """Character masking of padded rows with tensor operations, on the rows' device.

    Each ordinary token is predicted with probability ``prob`` (BERT's recipe: 80% become
    ``[MASK]``, 10% a random token, 10% stay). Why not :func:`mask_batch`: its per-token
    Python loop, not the model, bounds a GPU step's speed for a model this small.
    """
    special = torch.tensor(tokenizer.all_special_ids, device=rows.device)
    pad, mask = tokenizer.pad_token_id, tokenizer.mask_token_id
    chosen = ~torch.isin(rows, special) & (torch.rand(rows.shape, generator=gen, device=rows.device) < prob)
    how = torch.rand(rows.shape, generator=gen, device=rows.device)
    noise = torch.randint(5, len(tokenizer), rows.shape, generator=gen, device=rows.device)  # never a special id
    inputs = torch.where(chosen & (how < 0.8), mask, rows)
    inputs = torch.where(chosen & (how >= 0.8) & (how < 0.9), noise, inputs)
    return {
        "input_ids": inputs,
        "attention_mask": (rows != pad).long(),
        "labels": torch.where(chosen, rows, -100),
    }


@torch.no_grad()
def masked_accuracy(
    model: BertForMaskedLM, blocks: list[Block], tokenizer: PreTrainedTokenizerBase, device: torch.device, bs: int = 64
) -> float:
    """Accuracy of predicting masked characters on held-out blocks (fixed character masking)."""
    model.eval()
    rng = random.Random(0)  # the same masks at every evaluation
    char_blocks = [(ids, list(range(len(ids)))) for ids, _ in blocks]
    right = total = 0
    for i in range(0, len(char_blocks), bs):
        batch = {k: v.to(device) for k, v in mask_batch(char_blocks[i : i + bs], tokenizer, 0.15, rng).items()}
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        where = batch["labels"] != -100
        right += int((logits.argmax(-1)[where] == batch["labels"][where]).sum())
        total += int(where.sum())
    model.train()
    return right / max(total, 1)


def _masked_loss(model: BertForMaskedLM, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """MLM loss computed on the masked positions only.

    ``BertForMaskedLM`` projects every position onto the vocabulary, although 85% of them
    carry no label; projecting only the masked ones saves about a third of each step on CPU.
    """
    hidden = model.bert(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    where = batch["labels"] != -100
    logits = model.cls(hidden[where])
    return torch.nn.functional.cross_entropy(logits, batch["labels"][where])


def _split(texts: list[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Hold out whole documents until ``fraction`` of the characters is held out (tails of long ones if need be)."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    total = sum(map(len, texts))
    held: set[int] = set()
    size = 0
    for i in order:
        if size >= fraction * total:
            break
        if len(texts[i]) < 0.2 * total:
            held.add(i)
            size += len(texts[i])
    if not held:  # few, long documents: hold out the tail of each instead
        cut = [len(t) - int(fraction * len(t)) for t in texts]
        return [t[:c] for t, c in zip(texts, cut, strict=True)], [t[c:] for t, c in zip(texts, cut, strict=True)]
    return [t for i, t in enumerate(texts) if i not in held], [t for i, t in enumerate(texts) if i in held]


def _save_checkpoint(cfg: PretrainConfig, model: BertForMaskedLM, opt: Any, sched: Any, state: dict[str, Any]) -> None:
    with atomic.directory(cfg.out / "checkpoint") as tmp:
        model.save_pretrained(tmp)
        torch.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp / "optimizer.pt")
        (tmp / "trainer_state.json").write_text(json.dumps(state, indent=2))


def pretrain(cfg: PretrainConfig) -> dict[str, Any]:
    """Run MLM pretraining; return the final metrics (also written to OUT/pretrain_metrics.json)."""
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    device = pick_device(cfg.device or None)
    names_texts = [(n, t) for n, t in iter_normalised(cfg.inputs) if t.strip()]
    if not names_texts:
        raise ValueError(f"no text found in {', '.join(map(str, cfg.inputs))}")
    texts = [t for _, t in names_texts]
    train_texts, held_texts = _split(texts, cfg.heldout, cfg.seed)
    ckpt = cfg.out / "checkpoint"
    resuming = cfg.resume and (ckpt / "trainer_state.json").exists()
    if cfg.resume and not resuming:
        print(f"no checkpoint in {ckpt}; starting from scratch")
    if resuming:
        tokenizer = AutoTokenizer.from_pretrained(cfg.out / "tokenizer")
    elif cfg.init_from:
        tokenizer = AutoTokenizer.from_pretrained(cfg.init_from)  # the weights are tied to its vocabulary
        tokenizer.save_pretrained(cfg.out / "tokenizer")
    else:
        tokenizer = save_tokenizer(build_vocab(train_texts, cfg.min_freq), cfg.out / "tokenizer")
    marker = cfg.line_marker or None
    if marker:
        check_marker(tokenizer, marker)
    train_blocks = make_blocks(train_texts, tokenizer, cfg.seq_len, cfg.masking == "wwm", marker)
    held_blocks = make_blocks(held_texts, tokenizer, cfg.seq_len, False, marker)
    print(
        f"{len(texts)} documents, {sum(map(len, texts)):,} characters; {len(train_blocks)} training and "
        f"{len(held_blocks)} held-out sequences; vocabulary {len(tokenizer)}; device {device}"
    )

    if resuming:
        model = BertForMaskedLM.from_pretrained(ckpt)
        state = json.loads((ckpt / "trainer_state.json").read_text())
        if cfg.max_steps < state["total_steps"]:
            # Finish early: the learning rate decays to zero by the new, smaller step count.
            state["total_steps"] = max(state["step"] + 1, cfg.max_steps)
    elif cfg.init_from:
        # A new schedule from existing weights: how a finished base is trained further.
        model = BertForMaskedLM.from_pretrained(cfg.init_from, use_safetensors=True)
        state = {"step": 0, "total_steps": cfg.max_steps, "elapsed_s": 0.0, "history": []}
    else:
        config = BertConfig(
            vocab_size=len(tokenizer),
            hidden_size=cfg.hidden,
            num_hidden_layers=cfg.layers,
            num_attention_heads=cfg.heads,
            intermediate_size=4 * cfg.hidden,
            max_position_embeddings=512,
            pad_token_id=tokenizer.pad_token_id,
        )
        model = BertForMaskedLM(config)
        state = {"step": 0, "total_steps": cfg.max_steps, "elapsed_s": 0.0, "history": []}
    model.to(device).train()
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True  # fp32 weights, TF32 matrix products: same model, faster steps
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.01)

    def lr_at(step: int) -> float:
        total = state["total_steps"]
        warm = max(1, int(cfg.warmup * total))
        return step / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    if resuming:
        saved = torch.load(ckpt / "optimizer.pt", map_location=device, weights_only=True)
        opt.load_state_dict(saved["optimizer"])
        sched.load_state_dict(saved["scheduler"])
    rng = random.Random(cfg.seed + state["step"])
    gen = torch.Generator(device=device).manual_seed(cfg.seed + state["step"])
    char_rows = pad_blocks(train_blocks, tokenizer).to(device) if cfg.masking == "char" else None
    # (history entry, weights) of the best held-out evaluation so far
    best: tuple[dict[str, Any], dict[str, torch.Tensor]] | None = None
    started = time.monotonic() - state["elapsed_s"]
    fit_from, fitted = (0, 0.0), False  # (step, elapsed) from which the time-budget fit measures
    bar = tqdm(total=state["total_steps"], initial=state["step"], desc="pretrain", unit="step", mininterval=5)
    loss_sum, loss_n = 0.0, 0
    while state["step"] < state["total_steps"]:
        if char_rows is not None:
            pick = torch.randint(len(char_rows), (min(cfg.batch_size, len(char_rows)),), generator=gen, device=device)
            batch = mask_chars(char_rows[pick], tokenizer, cfg.mask_prob, gen)
        else:
            sample = rng.sample(train_blocks, min(cfg.batch_size, len(train_blocks)))
            batch = {k: v.to(device) for k, v in mask_batch(sample, tokenizer, cfg.mask_prob, rng).items()}
        loss = _masked_loss(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        state["step"] += 1
        loss_sum += loss.item()
        loss_n += 1
        bar.update(1)
        elapsed = time.monotonic() - started
        if cfg.max_minutes and not resuming:
            budget = cfg.max_minutes * 60
            if state["step"] == 3:
                fit_from = (3, elapsed)
            if not fitted and state["step"] > 3 and (state["step"] == 60 or elapsed > 0.05 * budget):
                # Fit the schedule to the time budget so warm-up and decay complete, timing
                # steps after the first few (which pay for start-up and GPU warm-up).
                per_step = (elapsed - fit_from[1]) / (state["step"] - fit_from[0])
                more = int((budget - elapsed) / per_step * 0.97)
                state["total_steps"] = max(state["step"] + 1, min(cfg.max_steps, state["step"] + more))
                bar.total = state["total_steps"]
                fitted = True
            elif elapsed > 1.05 * budget:  # slower than fitted (a busy machine): stop on time regardless
                state["total_steps"] = state["step"]
        if state["step"] % cfg.eval_every == 0 or state["step"] == state["total_steps"]:
            acc = masked_accuracy(model, held_blocks, tokenizer, device) if held_blocks else float("nan")
            state["history"].append(
                {
                    "step": state["step"],
                    "loss": loss_sum / loss_n,
                    "heldout_masked_accuracy": acc,
                    "elapsed_s": round(elapsed, 1),
                }
            )
            bar.write(json.dumps(state["history"][-1]))
            loss_sum, loss_n = 0.0, 0
            if cfg.keep_best and acc > (best[0]["heldout_masked_accuracy"] if best else -1.0):  # NaN never wins
                best = (
                    state["history"][-1],
                    {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()},
                )
        if state["step"] % cfg.checkpoint_every == 0:
            state["elapsed_s"] = time.monotonic() - started
            _save_checkpoint(cfg, model, opt, sched, state)
    bar.close()
    state["elapsed_s"] = time.monotonic() - started
    final = state["history"][-1] if state["history"] else {}
    if best and best[0]["step"] != state["step"]:
        # Past the best evaluation the model was fitting the training text: keep the best weights.
        final, weights = best
        model.load_state_dict(weights)
    metrics = {
        "heldout_masked_accuracy": final.get("heldout_masked_accuracy"),
        "final_loss": final.get("loss"),
        "selected_step": final.get("step", state["step"]),
        "steps": state["step"],
        "train_seconds": round(state["elapsed_s"], 1),
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else _cpu_name(),
        "torch_threads": torch.get_num_threads(),
        "documents": len(texts),
        "characters": sum(map(len, texts)),
        "heldout_characters": sum(map(len, held_texts)),
        "train_sequences": len(train_blocks),
        "heldout_sequences": len(held_blocks),
        "vocab_size": len(tokenizer),
        "parameters": sum(p.numel() for p in model.parameters()),
        # from the model, not the options: --init-from keeps the size of the model it starts from
        "layers": model.config.num_hidden_layers,
        "hidden": model.config.hidden_size,
        "heads": model.config.num_attention_heads,
        "history": state["history"],
    }
    _save_final(cfg, model, tokenizer, metrics)
    return metrics


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "cpu"


def _save_final(
    cfg: PretrainConfig, model: BertForMaskedLM, tokenizer: PreTrainedTokenizerBase, metrics: dict[str, Any]
) -> None:
    """Write the model folder atomically: weights, tokenizer, config, metrics and a model card."""
    out = cfg.out / "model"
    with atomic.directory(out) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        options = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()}
        options["inputs"] = [str(p) for p in cfg.inputs]
        (tmp / "pretrain_config.json").write_text(json.dumps(options, indent=2, ensure_ascii=False))
        (tmp / "pretrain_metrics.json").write_text(json.dumps(metrics, indent=2))
        (tmp / "README.md").write_text(model_card(cfg, metrics), encoding="utf-8")


def _selected(m: dict[str, Any]) -> str:
    step = m.get("selected_step", m["steps"])
    if step == m["steps"]:
        return f"the last step's ({step})"
    return f"step {step}'s, the best held-out evaluation (training ran to step {m['steps']})"


def model_card(cfg: PretrainConfig, m: dict[str, Any]) -> str:
    acc = m["heldout_masked_accuracy"]
    start = f"`{cfg.init_from}`, trained further with a new schedule" if cfg.init_from else "random weights"
    return f"""# planex character BERT base ({m["layers"]} layers, hidden {m["hidden"]})

A small BERT pretrained from scratch with masked-language modelling by `planex pretrain`,
as the offline base for planex's token classifier. It reads simplified Chinese
normalised by `planex.normalise` (one token per character).

| | |
|---|---|
| architecture | BERT, {m["layers"]} layers, hidden {m["hidden"]}, {m["heads"]} heads, {m["parameters"]:,} parameters |
| vocabulary | {m["vocab_size"]:,} characters (GB2312 + ASCII + characters seen ≥ {cfg.min_freq}×) |
| corpus | {m["documents"]} documents, {m["characters"]:,} characters ({", ".join(map(str, cfg.inputs))}) |
| held out | {m["heldout_characters"]:,} characters ({cfg.heldout:.0%} of text, whole documents) |
| masking | {cfg.masking}, {cfg.mask_prob:.0%} of tokens |
| line breaks | {f"seen as `{cfg.line_marker}` (masked like any character)" if cfg.line_marker else "dropped"} |
| training | {m["steps"]} steps × {cfg.batch_size} sequences × {cfg.seq_len} tokens, peak lr {cfg.lr} |
| weights | {_selected(m)} |
| started from | {start} |
| time | {m["train_seconds"] / 60:.1f} minutes on {m["device"]} ({m["device_name"]}, {m["torch_threads"]} threads) |
| **held-out masked-token accuracy** | **{acc:.3f}** (character masking, 15%) |

The accuracy is measured, by the command that made this folder, on the held-out
documents only. A randomly initialised model scores about 1/{m["vocab_size"]}.

Load it offline: `AutoModelForMaskedLM.from_pretrained("<this folder>")`; fine-tune it with
`planex train --base-model <this folder>`.
"""
