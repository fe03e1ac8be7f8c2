"""Baseline systems scored on the same splits as the BERT model: rules and a character CRF.

Every system has ``fit(train_docs)`` and ``predict(texts) -> list[list[Span]]`` over
normalised text, so the benchmark treats them alike.
"""

from __future__ import annotations

import unicodedata
from typing import Protocol

from planex import rules
from planex.document import Document, Span
from training.scoring import char_tags


class System(Protocol):
    name: str
    seeded: bool  # whether another seed can change what it learns (benchmark --repeats reruns only these)

    def fit(self, docs: list[Document]) -> None: ...

    def predict(self, texts: list[str]) -> list[list[Span]]: ...


class RuleSystem:
    """The regex pre-annotator (``planex.rules``); it learns nothing, so ``fit`` is a no-op."""

    name = "rules"
    seeded = False

    def fit(self, docs: list[Document]) -> None:
        return None

    def predict(self, texts: list[str]) -> list[list[Span]]:
        return [rules.extract(t) for t in texts]


def _kind(ch: str) -> str:
    if ch.isdigit():
        return "D"
    if "\u4e00" <= ch <= "\u9fff":
        return "H"
    if ch.isspace():
        return "S"
    if ch.isascii() and ch.isalpha():
        return "L"
    return "P" if unicodedata.category(ch).startswith("P") else "X"


def char_features(text: str) -> list[dict[str, str | float]]:
    """Character n-grams in a ±3 window, character kinds, and the position in the line."""
    feats = []
    n = len(text)
    line_start = 0
    for i, ch in enumerate(text):
        if i and text[i - 1] == "\n":
            line_start = i
        f: dict[str, str | float] = {"c": ch, "k": _kind(ch), "col": str(min(i - line_start, 6))}
        for d in (-3, -2, -1, 1, 2, 3):
            j = i + d
            f[f"c{d}"] = text[j] if 0 <= j < n else "<>"
        for d in (-2, -1, 0, 1):
            j = i + d
            f[f"b{d}"] = text[j : j + 2] if 0 <= j < n - 1 else "<>"
        f["k-1k"] = (_kind(text[i - 1]) if i else "^") + f["k"]  # type: ignore[operator]
        f["t0"] = text[i : i + 3]
        feats.append(f)
    return feats


def _decode_chars(tags: list[str]) -> list[Span]:
    from planex.codec import tags_to_spans

    offsets = [(i, i + 1) for i in range(len(tags))]
    return [Span(s.start, s.end, s.label) for s in tags_to_spans(tags, offsets)]


class CrfSystem:
    """A linear-chain CRF over characters (sklearn-crfsuite, L-BFGS with L1+L2)."""

    name = "crf"
    seeded = False  # L-BFGS from zero weights: the same model for any seed

    def __init__(self, c1: float = 0.05, c2: float = 0.05, max_iterations: int = 150):
        import sklearn_crfsuite

        self.crf = sklearn_crfsuite.CRF(
            algorithm="lbfgs", c1=c1, c2=c2, max_iterations=max_iterations, all_possible_transitions=True
        )

    def fit(self, docs: list[Document]) -> None:
        self.crf.fit([char_features(d.text) for d in docs], [char_tags(d.text, d.spans) for d in docs])

    def predict(self, texts: list[str]) -> list[list[Span]]:
        tags = self.crf.predict([char_features(t) for t in texts])
        return [_decode_chars(list(t)) for t in tags]
