"""Spans ↔ IOB2 tags over a tokenizer's character offsets, and long-text windows.

Training and serving both use this module, so the tags a model learns and the spans
the server returns come from one definition.

Offsets are ``(start, end)`` character ranges per token, as a Hugging Face fast
tokenizer returns with ``return_offsets_mapping=True``; special tokens have ``(0, 0)``
and get no tag. Character-level and WordPiece tokenizers work the same way.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from planex.document import Span
from planex.viterbi import best_paths

Offsets = Sequence[tuple[int, int]]


class MisalignedSpanWarning(UserWarning):
    """A labelled span does not start and end on token boundaries, so it has no exact tag sequence."""


@dataclass
class Encoded:
    """Tags per token (``None`` for special tokens) and the spans that could not be encoded."""

    tags: list[str | None]
    misaligned: list[Span]


def spans_to_tags(offsets: Offsets, spans: Sequence[Span], warn: bool = True) -> Encoded:
    """Tag tokens ``B-X`` / ``I-X`` / ``O`` from character spans.

    A span is encoded only if a token starts exactly at its start and one ends exactly at its
    end; otherwise it is left out of the tags and reported in ``misaligned`` (and as a
    :class:`MisalignedSpanWarning` naming a count and an example), never dropped silently.

    >>> spans_to_tags([(0, 0), (0, 1), (1, 2), (2, 3), (0, 0)], [Span(1, 3, "TASK")]).tags
    [None, 'O', 'B-TASK', 'I-TASK', None]
    """
    tags: list[str | None] = [None if a == b == 0 else "O" for a, b in offsets]
    starts = {a: i for i, (a, b) in enumerate(offsets) if b > a}
    ends = {b: i for i, (a, b) in enumerate(offsets) if b > a}
    misaligned = []
    for span in spans:
        first, last = starts.get(span.start), ends.get(span.end)
        if (
            first is None
            or last is None
            or last < first
            or any(tags[i] not in ("O", None) for i in range(first, last + 1))
        ):
            misaligned.append(span)
            continue
        tags[first] = f"B-{span.label}"
        for i in range(first + 1, last + 1):
            if tags[i] is not None:
                tags[i] = f"I-{span.label}"
    if misaligned and warn:
        s = misaligned[0]
        warnings.warn(
            f"{len(misaligned)} span(s) do not fall on token boundaries and were not encoded, e.g. "
            f"{s.label} {s.start}-{s.end}; check them with planex.codec.spans_to_tags(offsets, spans).misaligned",
            MisalignedSpanWarning,
            stacklevel=2,
        )
    return Encoded(tags, misaligned)


@dataclass(frozen=True)
class ScoredSpan:
    start: int
    end: int
    label: str
    score: float


def tags_to_spans(
    tags: Sequence[str | None], offsets: Offsets, scores: Sequence[float] | None = None
) -> list[ScoredSpan]:
    """Decode IOB2 tags to character spans.

    Policy for ill-formed sequences (the conlleval convention): an ``I-X`` that does not
    continue an entity of label ``X`` (after ``O``, at the start, or after another label)
    starts a new ``X`` entity; ``B-X`` always starts a new entity. Tokens with tag ``None``
    (special tokens) end any open entity. The span runs from its first token's start to its
    last token's end; the score is the mean of its tokens' scores.

    >>> offs = [(0, 1), (1, 2), (2, 3), (3, 4)]
    >>> [(s.start, s.end, s.label) for s in tags_to_spans(["I-TASK", "I-TASK", "B-DEADLINE", "I-TASK"], offs)]
    [(0, 2, 'TASK'), (2, 3, 'DEADLINE'), (3, 4, 'TASK')]
    """
    out: list[ScoredSpan] = []
    open_label: str | None = None
    first = last = 0
    vals: list[float] = []

    def close() -> None:
        if open_label is not None:
            out.append(
                ScoredSpan(offsets[first][0], offsets[last][1], open_label, float(np.mean(vals)) if vals else 1.0)
            )

    parts = {tag: (tag or "O").partition("-") for tag in set(tags)}
    # Only tokens inside spans are visited (most are O); a gap since the last one ends the open span.
    for i in [i for i, tag in enumerate(tags) if parts[tag][0] != "O"]:
        prefix, _, label = parts[tags[i]]
        if open_label is not None and i != last + 1:
            close()
            open_label = None
        if prefix == "B" or label != open_label:
            close()
            open_label, first, vals = label, i, []
        last = i
        if scores is not None:
            vals.append(float(scores[i]))
    close()
    return out


def single_token_labels(tags: Sequence[str | None]) -> set[str]:
    """Labels that have a span of exactly one token in an IOB2 sequence (``None`` ends a span).

    >>> sorted(single_token_labels(["B-X", "O", "B-Y", "I-Y", "B-Z", None, "B-Y"]))
    ['X', 'Y', 'Z']
    >>> single_token_labels(["B-X", "I-X", "B-Y", "I-Y"])
    set()
    """
    found: set[str] = set()
    for i, tag in enumerate(tags):
        if tag and tag.startswith("B-"):
            nxt = tags[i + 1] if i + 1 < len(tags) else None
            if nxt != f"I-{tag[2:]}":
                found.add(tag[2:])
    return found


def windows(n_tokens: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Cut ``n_tokens`` into windows of at most ``size`` tokens, each starting ``stride`` after the last.

    The last window ends at ``n_tokens``, so every token is covered; consecutive windows
    overlap by ``size - stride`` tokens.

    >>> windows(10, 4, 3)
    [(0, 4), (3, 7), (6, 10)]
    """
    if size < 1 or not 0 < stride <= size:
        raise ValueError(f"need size ≥ 1 and 0 < stride ≤ size, got size={size}, stride={stride}")
    if n_tokens <= size:
        return [(0, n_tokens)]
    out = []
    start = 0
    while True:
        end = min(start + size, n_tokens)
        out.append((start, end))
        if end == n_tokens:
            return out
        start += stride


def merge_windows(window_probs: Sequence[np.ndarray], spans: Sequence[tuple[int, int]], n_tokens: int) -> np.ndarray:
    """Merge per-window token probabilities into one row per token, without duplicates.

    Each token takes its prediction from the window in which it has the most context,
    i.e. where its distance to the nearer window edge is largest (ties: the earlier window).
    A token near a window edge sees only one side, so the window where it sits centrally
    is the better judge.

    >>> a, b = np.array([[1.0], [1.0], [1.0]]), np.array([[2.0], [2.0], [2.0]])
    >>> merge_windows([a, b], [(0, 3), (1, 4)], 4).ravel().tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    if not window_probs:
        return np.zeros((n_tokens, 0))
    out = np.zeros((n_tokens, window_probs[0].shape[-1]), dtype=window_probs[0].dtype)
    best = np.full(n_tokens, -1)
    for probs, (start, end) in zip(window_probs, spans, strict=True):
        if probs.shape[0] != end - start:
            raise ValueError(f"window {start}-{end} has {probs.shape[0]} rows of predictions")
        pos = np.arange(start, end)
        context = np.minimum(pos - start, end - 1 - pos)
        take = context > best[start:end]
        out[pos[take]] = probs[take]
        best[pos[take]] = context[take]
    return out


def viterbi_tags(
    probs: np.ndarray, tags: Sequence[str], single: Collection[str] | None = None, breaks: Sequence[int] = ()
) -> list[str]:
    """Return the most probable *well-formed* IOB2 tag sequence for per-token probabilities.

    Token-wise argmax can produce ``O I-X`` or ``B-X I-Y``; decoding those leniently splits one
    name into fragments (``國`` + ``家發展改革委``). Constrained Viterbi instead picks the best path
    in which ``I-X`` only follows ``B-X`` or ``I-X``, so every entity is whole.

    ``B-X`` never directly follows ``B-X`` or ``I-X`` either: two spans of one label never touch
    (the labelling rules keep separators such as ``、`` outside spans, and ``planex labels check``
    enforces it), so such a path is a name cut in two (``武汉`` + ``市、襄阳市…``).

    >>> tags = ["O", "B-X", "I-X"]
    >>> viterbi_tags(np.array([[0.6, 0.3, 0.1], [0.2, 0.1, 0.7]]), tags)
    ['B-X', 'I-X']
    >>> viterbi_tags(np.array([[0.1, 0.8, 0.1], [0.1, 0.5, 0.4]]), tags)  # not B-X B-X
    ['B-X', 'I-X']

    ``single`` names the labels that may be one token long; ``None`` allows every label. A model
    records the labels it saw as one-token spans in training (:func:`single_token_labels`): a
    lone ``B-X`` of any other label is a fragment (the ``2`` of a signing date ``2016年…`` read as
    the start of a deadline), and the path must either continue it or not start it.

    >>> viterbi_tags(np.array([[0.3, 0.7, 0.0], [0.9, 0.0, 0.1]]), tags, single=())
    ['O', 'O']

    ``breaks`` are tokens tagged ``O`` whatever their probabilities (line breaks): no path crosses them,
    so the stretches between them are decoded side by side (:func:`planex.viterbi.best_paths`), each
    as its own sequence, which is the best path with those tokens pinned to ``O``.

    >>> viterbi_tags(np.array([[0.2, 0.8, 0.0], [0.1, 0.0, 0.9], [0.2, 0.7, 0.1]]), tags, breaks=[1])
    ['B-X', 'O', 'B-X']
    """
    n = len(probs)
    if n == 0:
        return []
    logp = np.log(np.clip(probs, 1e-12, 1.0))
    trans, start, end = constraints(tags, single)
    bounds = line_stretches(n, breaks)
    paths = best_paths([logp[a:b] for a, b in bounds], trans, start, end)
    out = ["O"] * n
    for (a, _), path in zip(bounds, paths, strict=True):
        out[a : a + len(path)] = [tags[k] for k in path]
    return out


def constraints(tags: Sequence[str], single: Collection[str] | None = None) -> tuple[np.ndarray, ...]:
    """The decoder's rules as scores: ``trans[previous, current]``, ``start`` and ``end``, 0 where allowed, else -inf.

    IOB2 (``I-X`` only after ``B-X`` or ``I-X``), no two touching spans of one label, and no lone ``B-X``
    of a label outside ``single`` (see :func:`viterbi_tags`). A learned CRF adds its scores to these.

    >>> [row.tolist() for row in constraints(["O", "B-X", "I-X"])]
    [[[0.0, 0.0, -inf], [0.0, -inf, 0.0], [0.0, -inf, 0.0]], [0.0, 0.0, -inf], [0.0, 0.0, 0.0]]
    """
    t = len(tags)
    allowed = np.ones((t, t), dtype=bool)  # allowed[previous, current]
    for j, tag in enumerate(tags):
        label = tag[2:]
        if tag.startswith("I-"):
            allowed[:, j] = [prev in (f"B-{label}", f"I-{label}") for prev in tags]
        elif tag.startswith("B-"):
            allowed[:, j] = [prev not in (f"B-{label}", f"I-{label}") for prev in tags]
    lone = [tag.startswith("B-") and single is not None and tag[2:] not in single for tag in tags]
    for j, tag in enumerate(tags):
        if lone[j]:
            allowed[j, :] = [nxt == f"I-{tag[2:]}" for nxt in tags]
    trans = np.where(allowed, 0.0, -np.inf)
    start = np.where([tag.startswith("I-") for tag in tags], -np.inf, 0.0)
    end = np.where(lone, -np.inf, 0.0)  # nor may the text end on one
    return trans, start, end


def line_stretches(n: int, breaks: Sequence[int]) -> list[tuple[int, int]]:
    """The stretches of ``n`` tokens between break tokens (each may be empty), which are decoded one by one.

    A break is O, which may follow any tag but a lone B-X and be followed by any tag but I-X: the
    stretches between breaks start and end as a text does.

    >>> line_stretches(6, [0, 3])
    [(0, 0), (1, 3), (4, 6)]
    """
    cuts = sorted({b for b in breaks if 0 <= b < n})
    return list(zip([0, *(c + 1 for c in cuts)], [*cuts, n], strict=True))
