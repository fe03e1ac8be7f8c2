"""Run a token classifier over text of any length and return spans with raw offsets.

raw text → normalise (map back to raw) → line breaks marked as in training → tokenise with
offsets → overlapping windows → model (windows batched) → merged per-token probabilities (or,
for a model with a CRF, logits) → IOB2 tags (line breaks pinned to O) → spans on the normalised
text → raw offsets. Span text is always sliced from the raw input, so ``raw[start:end] == text``
holds by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import torch

from planex import rules
from planex.codec import ScoredSpan, merge_windows, tags_to_spans, viterbi_tags, windows
from planex.crf import crf_tags
from planex.document import Span
from planex.hints import fill_from_cells, hint_ids, snap_to_hints
from planex.linebreaks import mark_lines
from planex.modelio import LoadedModel
from planex.modelspec import WindowConfig, window_config
from planex.normalise import Normalised, normalise
from planex.spanform import well_formed
from planex.tables import fits_tables, within_cell


@dataclass(frozen=True)
class Entity:
    """A predicted span: ``start``/``end`` index the raw input; ``norm_start``/``norm_end`` the normalised text."""

    label: str
    text: str
    start: int
    end: int
    score: float
    norm_start: int
    norm_end: int


TokenProbs = tuple[list[tuple[int, int]], np.ndarray]

# Where forward passes run: None runs them in the calling thread, one after another. A server sets an
# executor for the requests it runs (serving/pool.py), so that one text's batches run on every core and
# the batches of concurrent requests share them.
forward_executor: ContextVar[Executor | None] = ContextVar("forward_executor", default=None)


@dataclass(frozen=True)
class Tokens:
    """One text's tokens: character offsets, ids and (for hinted models) rule-hint type ids."""

    offsets: list[tuple[int, int]]
    ids: np.ndarray
    types: np.ndarray | None


@dataclass(frozen=True)
class Window:
    """Tokens ``start:end`` of text number ``text`` in a call."""

    text: int
    start: int
    end: int


class Extractor:
    """Predicts spans with a loaded model; thread-safe for concurrent calls (inference only)."""

    def __init__(self, loaded: LoadedModel, config: WindowConfig | None = None):
        """``config``: the windows (default: :func:`planex.modelspec.window_config` of the model's spec,
        the rule every caller uses; tests pass small windows to exercise the merging)."""
        self.loaded = loaded
        spec = loaded.spec
        self.config = config or window_config(spec)
        self.tags = list(spec.scheme.tags)  # load_model checked config.id2label equals these
        self.line_marker = spec.line_marker
        self.rule_hints = bool(spec.rule_hints)  # load_model checked the weights can take them
        single = spec.single_token_labels  # None in older models: every span length allowed
        self.single_token_labels: frozenset[str] | None = None if single is None else frozenset(single)
        self.crf = loaded.crf  # load_model checked it scores these tags
        # A model that reads hints returns a hinted span whole where it gave only pieces of it (snap_to_hints).
        self.snap_hints = self.rule_hints
        # Table cells the rules read by their header that it left out can be filled in (fill_from_cells);
        # off until measured by family (reports/ablation-cells/).
        self.fill_cells = False
        # Rule spans of these labels that no network span overlaps can be added the same way (a hinted target
        # the network dropped); empty until measured by family (reports/ablation-fill/).
        self.fill_labels: frozenset[str] = frozenset()
        # Lead units that end as no organisation's name does and targets without a value are pieces: dropped
        # (planex.spanform; by family +0.3 micro-F1 and link F1, reports/ablation-spanform/).
        self.drop_malformed = True
        # The network misses about twice as many gold spans as it invents (by family and held out), so its
        # O probability can be scaled down before the best path is chosen: recall bought with precision.
        # 1.0 (off) until measured by family (reports/ablation-oweight/).
        self.o_weight = 1.0

    def encode(self, texts: list[str], ruled: list[list[Span]] | None = None) -> list[Tokens]:
        """Tokenise each text (line breaks marked as in training) and add the rule hints the model reads
        (``ruled``: each text's rule spans where the caller has them already)."""
        if not texts:
            return []
        # One call for all texts; verbose=False: long texts are windowed, so "longer than maximum" does not apply.
        batch = self.loaded.tokenizer(
            [mark_lines(t, self.line_marker) for t in texts],
            add_special_tokens=False,
            return_offsets_mapping=True,
            verbose=False,
        )
        out = []
        for n, (text, ids, offsets) in enumerate(zip(texts, batch["input_ids"], batch["offset_mapping"], strict=True)):
            pairs = [(int(a), int(b)) for a, b in offsets]
            spans = None if ruled is None else ruled[n]
            types = np.asarray(hint_ids(text, pairs, spans), dtype=np.int64) if self.rule_hints else None
            out.append(Tokens(pairs, np.asarray(ids, dtype=np.int64), types))
        return out

    def batches(self, encoded: list[Tokens]) -> Iterator[tuple[list[Window], dict[str, torch.Tensor]]]:
        """Cut every text into windows and yield model inputs of ``batch_size`` windows, texts mixed.

        Windows are ordered by length, so a batch pads its short windows (a text's last one, short
        texts) only up to the longest among similar ones, not to a full window.
        """
        cfg = self.config
        tok = self.loaded.tokenizer
        body = cfg.max_tokens - 2
        jobs = [
            Window(n, a, b) for n, e in enumerate(encoded) for a, b in windows(len(e.ids), body, min(cfg.stride, body))
        ]
        jobs.sort(key=lambda w: w.start - w.end)  # longest first; sort is stable, so ties keep text order
        pad, cls, sep = tok.pad_token_id or 0, tok.cls_token_id, tok.sep_token_id
        for i in range(0, len(jobs), cfg.batch_size):
            chunk = jobs[i : i + cfg.batch_size]
            width = max(w.end - w.start for w in chunk) + 2
            ids = np.full((len(chunk), width), pad, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            hinted = np.zeros((len(chunk), width), dtype=np.int64) if self.rule_hints else None
            for r, w in enumerate(chunk):
                n = w.end - w.start
                ids[r, 0], ids[r, 1 : 1 + n], ids[r, 1 + n] = cls, encoded[w.text].ids[w.start : w.end], sep
                mask[r, : n + 2] = 1
                types = encoded[w.text].types
                if hinted is not None and types is not None:
                    hinted[r, 1 : 1 + n] = types[w.start : w.end]
            inputs = {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask)}
            if hinted is not None:
                inputs["token_type_ids"] = torch.from_numpy(hinted)
            yield chunk, inputs

    def forward(self, inputs: dict[str, torch.Tensor]) -> np.ndarray:
        """Token probabilities (with a CRF: the logits, its emission scores) for one batch of windows
        (``[batch, width, tags]``)."""
        with torch.inference_mode():
            logits = self.loaded.model(**{k: v.to(self.loaded.device) for k, v in inputs.items()}).logits
        if self.crf is not None:
            emissions: np.ndarray = logits.float().cpu().numpy()
            return emissions
        return torch.softmax(logits.float(), -1).cpu().numpy()

    def merge(self, encoded: list[Tokens], results: Iterable[tuple[list[Window], np.ndarray]]) -> list[TokenProbs]:
        """One row of probabilities per token of each text, from the windows' predictions."""
        outputs: list[list[np.ndarray]] = [[] for _ in encoded]
        spans: list[list[tuple[int, int]]] = [[] for _ in encoded]
        for chunk, probs in results:
            for r, w in enumerate(chunk):
                outputs[w.text].append(probs[r, 1 : 1 + w.end - w.start])
                spans[w.text].append((w.start, w.end))
        merged = []
        for n, e in enumerate(encoded):
            # merge_windows takes windows in any order: each token keeps the window where it has most context.
            order = sorted(range(len(spans[n])), key=lambda k: spans[n][k])
            window_probs = [outputs[n][k] for k in order]
            bounds = [spans[n][k] for k in order]
            rows = merge_windows(window_probs, bounds, len(e.offsets)) if e.offsets else np.zeros((0, len(self.tags)))
            merged.append((e.offsets, rows))
        return merged

    def token_probs(self, texts: list[str], ruled: list[list[Span]] | None = None) -> list[TokenProbs]:
        """Return (offsets, probabilities per token) for each text; windows of all texts share batches.

        With a CRF, the rows are logits: each token's come from the one window where it has most context,
        as probabilities do (:func:`planex.codec.merge_windows`)."""
        encoded = self.encode(texts, ruled)
        executor = forward_executor.get()
        if executor is None:
            return self.merge(encoded, ((chunk, self.forward(inputs)) for chunk, inputs in self.batches(encoded)))
        pending = [(chunk, executor.submit(self.forward, inputs)) for chunk, inputs in self.batches(encoded)]
        return self.merge(encoded, ((chunk, future.result()) for chunk, future in pending))

    def decode(self, text: str, offsets: list[tuple[int, int]], probs: np.ndarray) -> list[ScoredSpan]:
        """Spans of one normalised text from its tokens' probabilities (constrained Viterbi).

        With a CRF, ``probs`` are logits and the decoder adds the learned scores; a span's score is then the
        mean of its tokens' marginal probabilities of their tags (:mod:`planex.crf`)."""
        if not offsets:
            return []
        breaks: list[int] = []
        if self.line_marker:
            # A line break is never part of a span (training labels it O); pinning it to O also stops a
            # span from running across lines, so the decoder runs a text's lines side by side.
            breaks = [i for i, (a, _) in enumerate(offsets) if text[a] == "\n"]
        o = self.tags.index("O")
        if self.crf is not None:
            emissions = probs
            if self.o_weight != 1.0:
                emissions = probs.copy()
                emissions[:, o] += np.log(self.o_weight)  # logits: a factor on the probability is an offset
            tags, marginal = crf_tags(emissions, self.crf, self.single_token_labels, breaks)
            return tags_to_spans(tags, offsets, marginal.tolist())
        if breaks:
            probs[breaks] = 0.0
            probs[breaks, o] = 1.0
        weighted = probs
        if self.o_weight != 1.0:
            # Only the path sees the weight; a span's score stays the network's own probability.
            weighted = probs.copy()
            weighted[:, o] *= self.o_weight
        tags = viterbi_tags(weighted, self.tags, self.single_token_labels, breaks)
        index = {t: k for k, t in enumerate(self.tags)}
        chosen = probs[np.arange(len(tags)), [index[t] for t in tags]]
        return tags_to_spans(tags, offsets, chosen.tolist())

    def predict_normalised(self, texts: list[str]) -> list[list[ScoredSpan]]:
        """Spans over already-normalised texts (what evaluation compares with gold labels).

        A span never crosses a table cell (``|``, or a tab on a table row): the tokenizer drops
        whitespace, so the decoder cannot see a cell gap, and a span running from a row number into
        the task cell (`1\t新建农村公路`) is cut to its longest piece, as the rules cut theirs."""
        # The rules run once per text: their spans are the model's hints and, after decoding, what it snaps to.
        ruled = [rules.extract(t) for t in texts] if self.rule_hints else None
        out = []
        for n, (t, (o, p)) in enumerate(zip(texts, self.token_probs(texts, ruled), strict=True)):
            spans = [
                replace(s, start=a, end=b) for s in self.decode(t, o, p) for a, b in [within_cell(t, s.start, s.end)]
            ]
            spans = [s for s in spans if s.start < s.end]
            if ruled is not None and self.snap_hints:
                spans = snap_to_hints(spans, ruled[n])
            if ruled is not None and (self.fill_cells or self.fill_labels):
                spans = fill_from_cells(spans, self.to_fill(t, ruled[n]), partial(self.entity_prob, o, p))
            if self.drop_malformed:
                spans = [s for s in spans if well_formed(t, s.start, s.end, s.label)]
            out.append(fits_tables(t, spans))
        return out

    def to_fill(self, text: str, ruled: list[Span]) -> list[Span]:
        """The rule spans to add where no span of the network overlaps them: those the rules read off a table
        cell by its header (``fill_cells``) and those of ``fill_labels``. The rules' spans never overlap one
        another, so one pass of :func:`fill_from_cells` adds them all."""
        read = {(c.start, c.end, c.label) for c in rules.table_cells(text)} if self.fill_cells else set()
        return [h for h in ruled if h.label in self.fill_labels or (h.start, h.end, h.label) in read]

    def entity_prob(self, offsets: list[tuple[int, int]], rows: np.ndarray, start: int, end: int) -> float:
        """The network's mean probability that the tokens of ``start:end`` belong to some span (not O).

        With a CRF the rows are logits; their softmax is the emission's own belief, without transitions."""
        inside = [i for i, (a, b) in enumerate(offsets) if a >= start and b <= end]
        if not inside:
            return 0.0
        sel = rows[inside]
        if self.crf is not None:
            sel = np.exp(sel - sel.max(axis=1, keepdims=True))
            sel = sel / sel.sum(axis=1, keepdims=True)
        return float(np.mean(1.0 - sel[:, self.tags.index("O")]))

    def entities(self, norm: Normalised, spans: list[ScoredSpan]) -> list[Entity]:
        """Spans on the normalised text as entities with offsets into the raw text (text sliced from raw)."""
        out = []
        for s in spans:
            a, b = norm.to_raw(s.start, s.end)
            out.append(Entity(s.label, norm.raw[a:b], a, b, round(s.score, 4), s.start, s.end))
        return out

    def extract(self, raws: list[str]) -> list[tuple[Normalised, list[Entity]]]:
        """Normalise each raw text, predict, and return entities with offsets into the raw text."""
        norms = [normalise(r) for r in raws]
        spans = self.predict_normalised([n.text for n in norms])
        return [(n, self.entities(n, s)) for n, s in zip(norms, spans, strict=True)]
