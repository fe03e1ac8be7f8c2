"""Pretraining text as tensors: sources with mixing weights, held-out documents, masking.

A *source* is one input (a file or folder, or several joined by commas): it has its own
held-out documents and its own share of the training batches, so that 19M characters of
regulations do not drown 0.8M characters of plans.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import PreTrainedTokenizerBase

from planex.linebreaks import mark_lines
from training.textsource import iter_normalised

Block = tuple[list[int], list[int]]  # token ids, word index per token (for whole-word masking)
MIN_BLOCK = 16  # shorter tails of documents are dropped: too little context to predict from


def source_paths(spec: str | Path) -> list[Path]:
    """``a.jsonl,seeds`` → the paths read together as one source."""
    return [Path(p) for p in str(spec).split(",") if p]


def read_source(
    spec: str | Path, exclude_ids: frozenset[str] = frozenset(), only: frozenset[str] | None = None
) -> list[str]:
    """Normalised, non-blank texts of one source, minus records whose id is in ``exclude_ids``
    (a JSONL record's id, or a .txt file's path), or only those in ``only``."""
    texts = []
    for name, text in iter_normalised(source_paths(spec)):
        rid = name.rsplit(":", 1)[-1]
        if text.strip() and rid not in exclude_ids and (only is None or rid in only):
            texts.append(text)
    return texts


def split_heldout(texts: list[str], fraction: float, seed: int, cap: int = 0) -> tuple[list[str], list[str]]:
    """Hold out whole documents until ``fraction`` of the characters (at most ``cap``, 0: no cap) is held out.

    With few, long documents, the tail of each is held out instead. The shuffle depends on the
    seed and the texts only, so a later run on the same source holds out the same documents.
    """
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    total = sum(map(len, texts))
    limit = min(fraction * total, cap) if cap else fraction * total
    held: set[int] = set()
    size = 0
    for i in order:
        if size >= limit:
            break
        if len(texts[i]) < 0.2 * total:
            held.add(i)
            size += len(texts[i])
    if not held:
        cut = [len(t) - int(limit / total * len(t)) for t in texts]
        return [t[:c] for t, c in zip(texts, cut, strict=True)], [t[c:] for t, c in zip(texts, cut, strict=True)]
    return [t for i, t in enumerate(texts) if i not in held], [t for i, t in enumerate(texts) if i in held]


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
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        ids, offsets = enc["input_ids"], enc["offset_mapping"]
        words = _word_ids(text, offsets) if wwm else list(range(len(ids)))
        for i in range(0, len(ids), body):
            if len(ids[i : i + body]) >= MIN_BLOCK:
                blocks.append((ids[i : i + body], words[i : i + body]))
    return blocks


def rows_of(
    texts: list[str], tokenizer: PreTrainedTokenizerBase, seq_len: int, wwm: bool, line_marker: str | None
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Training sequences as a ``[CLS] ids [SEP]`` int32 matrix padded to ``seq_len``, and for
    whole-word masking each position's word number counted from the row's first word.

    Why tensors, not lists: 20M characters as Python lists of ints take gigabytes.
    """
    rows, words = [], []
    cls, sep, pad = (tokenizer.convert_tokens_to_ids(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    for text in texts:  # one document at a time keeps the peak memory to one document's lists
        for ids, wids in make_blocks([text], tokenizer, seq_len, wwm, line_marker):
            row = torch.full((seq_len,), pad, dtype=torch.int32)
            row[: len(ids) + 2] = torch.tensor([cls, *ids, sep], dtype=torch.int32)
            rows.append(row)
            if wwm:
                local = torch.zeros(seq_len, dtype=torch.int32)
                local[1 : len(ids) + 1] = torch.tensor([w - wids[0] for w in wids], dtype=torch.int32)
                words.append(local)
    empty = torch.zeros((0, seq_len), dtype=torch.int32)
    return (torch.stack(rows) if rows else empty), (torch.stack(words) if words else empty) if wwm else None


def pad_blocks(blocks: list[Block], tokenizer: PreTrainedTokenizerBase) -> torch.Tensor:
    """All blocks as one ``[CLS] ids [SEP]`` matrix padded with ``[PAD]``, for :func:`mask_chars`."""
    cls, sep, pad = (tokenizer.convert_tokens_to_ids(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    rows = torch.full((len(blocks), max(len(ids) for ids, _ in blocks) + 2), pad)
    for r, (ids, _) in enumerate(blocks):
        rows[r, : len(ids) + 2] = torch.tensor([cls, *ids, sep])
    return rows


def mask_chars(
    rows: torch.Tensor,
    tokenizer: PreTrainedTokenizerBase,
    prob: float,
    gen: torch.Generator,
    words: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """Masking of padded rows with tensor operations, on the rows' device.

    Each ordinary token (each word, when ``words`` gives every position's word number within
    its row) is predicted with probability ``prob``; BERT's recipe: 80% become ``[MASK]``,
    10% a random token, 10% stay, decided once per word. Why tensors: a per-token Python
    loop, not the model, bounds a step's speed for a model this small.
    """
    rows = rows.long()
    special = torch.tensor(tokenizer.all_special_ids, device=rows.device)
    pad, mask = tokenizer.pad_token_id, tokenizer.mask_token_id
    draw = torch.rand(rows.shape, generator=gen, device=rows.device)
    how = torch.rand(rows.shape, generator=gen, device=rows.device)
    if words is not None:  # the draws of a word's number decide for all its characters
        unit = words.long()
        draw, how = draw.gather(1, unit), how.gather(1, unit)
    chosen = ~torch.isin(rows, special) & (draw < prob)
    noise = torch.randint(5, len(tokenizer), rows.shape, generator=gen, device=rows.device)  # never a special id
    inputs = torch.where(chosen & (how < 0.8), mask, rows)
    inputs = torch.where(chosen & (how >= 0.8) & (how < 0.9), noise, inputs)
    return {
        "input_ids": inputs,
        "attention_mask": (rows != pad).long(),
        "labels": torch.where(chosen, rows, -100),
    }


@dataclass
class Sources:
    """Every source's training rows in one matrix, with the sampling probability of each row."""

    names: list[str]
    rows: torch.Tensor  # int32 (n, seq_len)
    words: torch.Tensor | None  # int32 (n, seq_len), whole-word masking only
    row_probability: torch.Tensor  # float64 (n,): source weight / rows of that source
    heldout: dict[str, list[list[int]]]  # source name → held-out token id blocks
    stats: list[dict[str, object]]  # per source: documents, characters, held-out characters, rows, weight

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        return torch.multinomial(self.row_probability, n, replacement=True, generator=gen)

    def to_file(self, path: Path) -> None:
        torch.save(
            {k: getattr(self, k) for k in ("names", "rows", "words", "row_probability", "heldout", "stats")}, path
        )

    @classmethod
    def from_file(cls, path: Path) -> Sources:
        return cls(**torch.load(path, weights_only=True))

    def heldout_blocks(self, name: str) -> list[Block]:
        return [(ids, list(range(len(ids)))) for ids in self.heldout[name]]


def build_sources(
    inputs: list[Path],
    mix: list[float],
    tokenizer: PreTrainedTokenizerBase,
    *,
    seq_len: int,
    wwm: bool,
    line_marker: str | None,
    heldout: float,
    heldout_cap: int,
    seed: int,
    exclude_ids: frozenset[str] = frozenset(),
    texts: dict[str, list[str]] | None = None,
) -> Sources:
    """Read, split, tokenise and weigh every input. Without ``mix``, sources weigh by their size."""
    names = [str(p) for p in inputs]
    all_rows, all_words, probs, held, stats = [], [], [], {}, []
    for i, name in enumerate(names):
        docs = texts[name] if texts is not None else read_source(name, exclude_ids)
        if not docs:
            raise ValueError(f"{name}: no text found (give JSONL with a 'text' field, .jsonl.gz, or .txt folders)")
        train, held_texts = split_heldout(docs, heldout, seed, heldout_cap)
        rows, words = rows_of(train, tokenizer, seq_len, wwm, line_marker)
        if not len(rows):
            raise ValueError(f"{name}: no training sequence of {MIN_BLOCK} tokens or more")
        weight = mix[i] if mix else float(len(rows))
        all_rows.append(rows)
        if words is not None:
            all_words.append(words)
        probs.append(torch.full((len(rows),), weight / len(rows), dtype=torch.float64))
        held[name] = [ids for ids, _ in make_blocks(held_texts, tokenizer, seq_len, False, line_marker)]
        stats.append(
            {
                "input": name,
                "documents": len(docs),
                "characters": sum(map(len, docs)),
                "heldout_characters": sum(map(len, held_texts)),
                "train_sequences": len(rows),
                "heldout_sequences": len(held[name]),
                "weight": weight,
            }
        )
    total = sum(float(s["weight"]) for s in stats)  # type: ignore[arg-type]
    for s in stats:
        s["share"] = round(float(s["weight"]) / total, 4)  # type: ignore[arg-type]
    return Sources(
        names,
        torch.cat(all_rows),
        torch.cat(all_words) if wwm else None,
        torch.cat(probs),
        held,
        stats,
    )
