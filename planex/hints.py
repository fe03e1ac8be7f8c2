"""Rule hints: the rule extractor's spans fed to the model as token type ids.

The rules (``planex.rules``) know things a small model learns slowly from a few documents:
list markers open a task, ``牵头单位：`` introduces lead units, ``到2025年`` is a deadline.
With hints on, every token gets a type id saying what the rules think of it (O, or B-/I- of
one of :data:`HINT_LABELS`), and the model learns from labelled data when to follow the rules
and when to overrule them. BERT-style models already add a token type embedding to every
token (the segment embedding, unused for single-sequence tagging), so hints need only a
larger type vocabulary, not a new architecture: the saved model loads with the stock
``…ForTokenClassification`` class. The new type rows start as copies of type 0, so the
model starts out exactly as the base and learns what each hint means, or, with a hint scale,
a set distance from it, so that the hints are heard from the first step (:func:`enable_hints`).
"""

from __future__ import annotations

import ast
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import torch
from transformers import PreTrainedModel

from planex import deadline_rules, headings, indicator_rules, markers, rules, table_header, tables
from planex.codec import ScoredSpan
from planex.document import Span

# The labels the rule extractor produces. Fixed, so a model's type ids keep their meaning when
# users add labels to their scheme (the rules know nothing of new labels).
HINT_LABELS = ("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR")
N_HINT_TYPES = 1 + 2 * len(HINT_LABELS)  # O, then B-/I- per label


def _code(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def code_fingerprint(*sources: str) -> str:
    """Hash of modules' code, not their bytes: comments, docstrings and layout do not change it."""
    return hashlib.sha256("\0".join(_code(s) for s in sources).encode()).hexdigest()[:12]


# The modules whose code decides the rules' spans: the rules, their indicator rules, the item-marker table
# and the table reader they read (tests/test_hints.py checks that every planex module the rules import is listed).
RULE_MODULES = (rules, indicator_rules, deadline_rules, markers, tables, headings, table_header)
# Stored with a hinted model: if the rules change after training, the model sees hints it was not
# trained on, and loading warns so that users retrain. Editing a comment is not a change.
RULES_FINGERPRINT = code_fingerprint(*(Path(str(m.__file__)).read_text(encoding="utf-8") for m in RULE_MODULES))


def hint_type(label: str, begin: bool) -> int:
    return 1 + 2 * HINT_LABELS.index(label) + (0 if begin else 1)


def hint_ids(text: str, offsets: Sequence[tuple[int, int]], spans: Sequence[Span] | None = None) -> list[int]:
    """Type id per token: what the rules say about the token's first character (B- at a span's first token).

    ``spans`` replaces the rules' spans (training shows the model decoy hints this way).
    """
    char_type = [0] * len(text)
    for span in rules.extract(text) if spans is None else spans:
        if span.label not in HINT_LABELS:
            continue
        char_type[span.start] = hint_type(span.label, True)
        for i in range(span.start + 1, span.end):
            char_type[i] = hint_type(span.label, False)
    return [char_type[a] if a < b else 0 for a, b in offsets]


def enable_hints(model: PreTrainedModel, scale: float = 0.0) -> None:
    """Grow the token type embedding to :data:`N_HINT_TYPES` rows, each a copy of row 0.

    With ``scale`` > 0 each hint row (not row 0, "no hint") is moved off row 0 in a random
    direction by ``scale`` times the mean norm of the word embeddings, so that the hints are as
    loud as the characters from the first step instead of having to grow out of row 0. Random
    weights start with small embeddings, which is why a random model copies the hints more
    faithfully than a pretrained base whose character embeddings are several times larger.
    """
    embeddings = getattr(model.base_model, "embeddings", None)
    old = getattr(embeddings, "token_type_embeddings", None)
    if embeddings is None or not isinstance(old, torch.nn.Embedding):
        raise ValueError(
            f"rule hints need a BERT-style model with token type embeddings; {type(model).__name__} has none "
            "(train without --rule-hints)"
        )
    if old.num_embeddings >= N_HINT_TYPES:
        return
    new = torch.nn.Embedding(N_HINT_TYPES, old.embedding_dim).to(old.weight.device)
    with torch.no_grad():
        new.weight.copy_(old.weight[0:1].expand(N_HINT_TYPES, -1))
        words = getattr(embeddings, "word_embeddings", None)
        if scale > 0 and isinstance(words, torch.nn.Embedding):
            offset = torch.randn(N_HINT_TYPES - 1, old.embedding_dim, device=old.weight.device)
            size = scale * words.weight.norm(dim=-1).mean()
            new.weight[1:] += offset / offset.norm(dim=-1, keepdim=True) * size
    embeddings.token_type_embeddings = new
    model.config.type_vocab_size = N_HINT_TYPES
    # BERT keeps a zero token_type_ids buffer for calls without them; its values stay valid.


def snap_to_hints(spans: Sequence[ScoredSpan], hints: Sequence[Span]) -> list[ScoredSpan]:
    """``spans`` where each rule span whose label the model also gave, only inside it, is returned whole.

    Where the network agrees with a hint on the place and the label but stops short of its end
    (`普惠小` + `15%` inside the rules' `普惠小微贷款余额增长15%`, `20` of `2024年11月底`), its pieces are
    fragments: they are merged into the rule span, with the best piece's score. A span that reaches
    beyond the hint, another label's span inside it, or a hint the network left out is the network's
    decision and stays as it is. Both lists hold non-overlapping spans (decoded tags, the rules' output),
    so the spans a hint overlaps are one run of ``spans`` in order, found by bisection.
    """
    ordered, overlapping = _by_place(spans)
    merged: dict[int, tuple[int, ScoredSpan]] = {}  # first index of a run → (end of the run, the hint span)
    for h in hints:
        lo, hi = overlapping(h.start, h.end)
        run = ordered[lo:hi]
        if not run or any(s.label != h.label or s.start < h.start or s.end > h.end for s in run):
            continue
        if len(run) > 1 or (run[0].start, run[0].end) != (h.start, h.end):
            merged[lo] = (hi, replace(max(run, key=lambda s: s.score), start=h.start, end=h.end))
    out, i = [], 0
    while i < len(ordered):
        if i in merged:
            i, span = merged[i]
            out.append(span)
        else:
            out.append(ordered[i])
            i += 1
    return out


def fill_from_cells(
    spans: Sequence[ScoredSpan], cells: Sequence[Span], score: Callable[[int, int], float]
) -> list[ScoredSpan]:
    """``spans`` with each of ``cells`` that no span overlaps added, scored by ``score(start, end)``.

    ``cells`` are the spans the rules read off a table's cells by their column's header (a cell under
    `牵头单位` names lead units, under `完成时限` a deadline, under `项目名称` the task), whatever words the
    cell holds. A network trained on few tables leaves such cells out (`城镇老旧小区改造` under
    `项目名称`, seen on a plan written as a new user would), while the header says what they are. A cell
    the network gave any span inside is its decision and stays as it is.
    """
    ordered, overlapping = _by_place(spans)
    added = []
    for c in cells:
        lo, hi = overlapping(c.start, c.end)
        if lo >= hi:  # no span overlaps the cell's
            added.append(ScoredSpan(c.start, c.end, c.label, score(c.start, c.end)))
    return sorted([*ordered, *added], key=lambda s: s.start)


def _by_place(spans: Sequence[ScoredSpan]) -> tuple[list[ScoredSpan], Callable[[int, int], tuple[int, int]]]:
    """``spans`` in text order, and a lookup of the run of them that overlaps ``start:end`` (``ordered[lo:hi]``).

    The spans do not overlap one another (decoded tags), so those a place overlaps are one run, found by bisection."""
    ordered = sorted(spans, key=lambda s: s.start)
    starts, ends = [s.start for s in ordered], [s.end for s in ordered]

    def overlapping(start: int, end: int) -> tuple[int, int]:
        return bisect_right(ends, start), bisect_left(starts, end)

    return ordered, overlapping
