"""A learned linear-chain CRF over the token classifier's logits: its scores, their file, and decoding.

A model trained with ``planex train --crf`` keeps, beside ``model.safetensors``, ``crf.safetensors``: a
transition score ``[previous tag, tag]``, a start score and an end score per tag, learned with the
classifier (``training.crf``). Transitions that IOB2 rules out (``I-X`` after anything but ``B-X`` or
``I-X``, or first) are ``-inf`` and never learned. Decoding adds the learned scores to the decoder's own
constraints (:func:`planex.codec.constraints`: spans of one label never touch, one-token spans only for
labels seen so) and runs the same batched Viterbi over the lines of a text as the softmax decoder does.

A span's score under the CRF is the mean, over its tokens, of the CRF's marginal probability of the tag
the path gave the token (forward-backward over the token's line, with the same scores and constraints):
how sure the whole model, transitions included, is of each token of the span.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planex.codec import constraints, line_stretches
from planex.viterbi import best_paths

CRF_FILE = "crf.safetensors"
NAMES = ("transitions", "start", "end")


class CrfFileError(ValueError):
    """``crf.safetensors`` is unreadable or does not fit the model's tags; the message says what to do."""


def iob2_allowed(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """What IOB2 itself allows: ``allowed[previous, current]`` and the tags a sequence may start with.

    >>> trans, start = iob2_allowed(["O", "B-X", "I-X"])
    >>> trans.astype(int).tolist(), start.tolist()
    ([[1, 1, 0], [1, 1, 1], [1, 1, 1]], [True, True, False])
    """
    allowed = np.ones((len(tags), len(tags)), dtype=bool)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            allowed[:, j] = [prev in (f"B-{tag[2:]}", tag) for prev in tags]
    return allowed, np.array([not t.startswith("I-") for t in tags])


@dataclass(frozen=True)
class CrfScores:
    """Learned scores for ``tags``: ``transitions [T, T]``, ``start [T]``, ``end [T]`` (``-inf`` where IOB2 forbids)."""

    tags: tuple[str, ...]
    transitions: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.tags)
        shapes = {"transitions": (n, n), "start": (n,), "end": (n,)}
        for name, shape in shapes.items():
            value = getattr(self, name)
            if value.shape != shape:
                raise CrfFileError(f"{name} has shape {list(value.shape)}, the {n} tags need {list(shape)}")
            if np.isnan(value).any() or np.isposinf(value).any():
                raise CrfFileError(f"{name} holds NaN or +inf scores")
        allowed, first = iob2_allowed(self.tags)
        if not np.isfinite(self.transitions[allowed]).all() or not np.isfinite(self.start[first]).all():
            raise CrfFileError("a transition that IOB2 allows scores -inf")
        if not np.isfinite(self.end).all():
            raise CrfFileError("an end score is -inf")
        # Forbidden stays forbidden whatever the file says: those scores are not learned.
        object.__setattr__(self, "transitions", np.where(allowed, self.transitions, -np.inf))
        object.__setattr__(self, "start", np.where(first, self.start, -np.inf))


def save_crf(folder: Path, scores: CrfScores) -> Path:
    """Write ``folder/crf.safetensors``: the three named tensors, and the tags they score as metadata."""
    from safetensors.numpy import save_file

    tensors = {n: np.ascontiguousarray(getattr(scores, n), dtype=np.float32) for n in NAMES}
    path = folder / CRF_FILE
    save_file(tensors, str(path), metadata={"tags": json.dumps(list(scores.tags), ensure_ascii=False)})
    return path


def read_crf(folder: Path, tags: Sequence[str]) -> CrfScores:
    """Read ``folder/crf.safetensors`` and check it scores exactly ``tags``; raise :class:`CrfFileError`."""
    from safetensors import safe_open

    path = folder / CRF_FILE
    try:
        with safe_open(str(path), framework="numpy") as f:
            metadata = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not a dict)
    except Exception as e:  # safetensors raises several types for a damaged file
        raise CrfFileError(f"{CRF_FILE} cannot be read ({type(e).__name__}: {e})") from None
    if sorted(tensors) != sorted(NAMES):
        raise CrfFileError(f"{CRF_FILE} holds {sorted(tensors)}, not {list(NAMES)}")
    try:
        saved = json.loads(metadata.get("tags", "null"))
    except json.JSONDecodeError:
        saved = None
    if saved != list(tags):
        raise CrfFileError(f"{CRF_FILE} scores the tags {saved}, but the model's are {list(tags)}")
    return CrfScores(tuple(tags), *(tensors[n].astype(np.float64) for n in NAMES))


def crf_tags(
    emissions: np.ndarray, crf: CrfScores, single: Collection[str] | None = None, breaks: Sequence[int] = ()
) -> tuple[list[str], np.ndarray]:
    """The best tag path under the CRF and each token's marginal probability of its tag.

    ``emissions``: the classifier's logits ``[n, T]``; ``single`` and ``breaks`` as in
    :func:`planex.codec.viterbi_tags` (a break token is ``O``, with marginal 1). A stretch after a break
    starts with the learned ``O → tag`` transition, not the start score (it is not a text's start), and a
    stretch before one ends with ``tag → O``.
    """
    n = len(emissions)
    if n == 0:
        return [], np.zeros(0)
    tags = crf.tags
    trans, start, end = constraints(tags, single)
    trans, start, end = trans + crf.transitions, start + crf.start, end + crf.end
    o = tags.index("O")
    bounds = line_stretches(n, breaks)
    starts = np.array([start if a == 0 else trans[o] for a, _ in bounds])
    ends = np.array([end if b == n else trans[:, o] for _, b in bounds])
    pieces = [emissions[a:b] for a, b in bounds]
    paths = best_paths(pieces, trans, starts, ends)
    margins = marginals(pieces, trans, starts, ends)
    out, score = ["O"] * n, np.ones(n)
    for (a, b), path, margin in zip(bounds, paths, margins, strict=True):
        out[a:b] = [tags[k] for k in path]
        score[a:b] = margin[np.arange(b - a), path]
    return out, score


def _normalised(x: np.ndarray) -> np.ndarray:
    total = x.sum(-1, keepdims=True)
    out: np.ndarray = x / np.where(total > 0, total, 1.0)
    return out


def marginals(scores: Sequence[np.ndarray], trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
    """Each tag's marginal probability at each token of each sequence (forward-backward).

    ``start``/``end``: ``[T]`` or one row per sequence, as in :func:`planex.viterbi.best_paths`; the
    sequences run side by side, longest first, as there. It runs in probability space with each step's
    row rescaled to sum 1 (a matrix product per step rather than a log-sum-exp: several times faster);
    the scales cancel in a marginal, which is normalised over the tags at each token.
    """
    out = [np.zeros((0, trans.shape[0])) for _ in scores]
    order = sorted((k for k in range(len(scores)) if len(scores[k])), key=lambda k: -len(scores[k]))
    if not order:
        return out
    lens = np.array([len(scores[k]) for k in order])
    width, n_tags = int(lens[0]), trans.shape[0]
    em = np.zeros((len(order), width, n_tags))
    for row, k in enumerate(order):
        em[row, : lens[row]] = scores[k]
    # exp of scores less their maximum (per token, per row of start/end, overall for transitions): no overflow.
    em = np.exp(em - em.max(-1, keepdims=True))
    step = np.exp(trans - np.max(trans))
    starts = np.broadcast_to(start, (len(scores), n_tags))[order]
    ends = np.broadcast_to(end, (len(scores), n_tags))[order]
    starts = np.exp(starts - starts.max(-1, keepdims=True))
    ends = np.exp(ends - ends.max(-1, keepdims=True))
    running = np.searchsorted(-lens, -np.arange(width + 1), side="left").tolist()  # [i]: rows longer than i
    alpha = np.zeros(em.shape)
    beta = np.zeros(em.shape)
    alpha[:, 0] = _normalised(starts * em[:, 0])
    for i in range(1, width):
        k = running[i]
        alpha[:k, i] = _normalised((alpha[:k, i - 1] @ step) * em[:k, i])
    beta[np.arange(len(order)), lens - 1] = _normalised(ends)
    for i in range(width - 2, -1, -1):
        k = running[i + 1]  # rows that have a token i + 1
        beta[:k, i] = _normalised((em[:k, i + 1] * beta[:k, i + 1]) @ step.T)
    probs = _normalised(alpha * beta)
    for row, k in enumerate(order):
        out[k] = probs[row, : lens[row]]
    return out
