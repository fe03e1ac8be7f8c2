"""Run a token classifier over text of any length and return spans with raw offsets.

raw text → normalise (map back to raw) → line breaks marked as in training → tokenise with
offsets → overlapping windows → model (windows batched) → merged per-token probabilities →
IOB2 tags (line breaks pinned to O) → spans on the normalised text → raw offsets. Span text
is always sliced from the raw input, so ``raw[start:end] == text`` holds by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from planex.codec import ScoredSpan, merge_windows, tags_to_spans, viterbi_tags, windows
from planex.hints import hint_ids
from planex.linebreaks import mark_lines
from planex.modelio import LoadedModel
from planex.modelspec import WindowConfig, window_config
from planex.normalise import Normalised, normalise


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

    def token_probs(self, texts: list[str]) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        """Return (offsets, probabilities per token) for each text; windows of all texts share batches."""
        tok = self.loaded.tokenizer
        cfg = self.config
        body = cfg.max_tokens - 2
        # verbose=False: long texts are windowed below, so the "longer than maximum" warning does not apply.
        encoded = [
            tok(mark_lines(t, self.line_marker), add_special_tokens=False, return_offsets_mapping=True, verbose=False)
            for t in texts
        ]
        jobs: list[tuple[int, tuple[int, int]]] = []
        types: list[list[int]] = []  # rule hints per token, when the model was trained with them
        for n, enc in enumerate(encoded):
            jobs += [(n, w) for w in windows(len(enc["input_ids"]), body, min(cfg.stride, body))]
            if self.rule_hints:
                types.append(hint_ids(texts[n], enc["offset_mapping"]))
        outputs: list[list[np.ndarray]] = [[] for _ in texts]
        spans: list[list[tuple[int, int]]] = [[] for _ in texts]
        for i in range(0, len(jobs), cfg.batch_size):
            chunk = jobs[i : i + cfg.batch_size]
            seqs = [[tok.cls_token_id, *encoded[n]["input_ids"][a:b], tok.sep_token_id] for n, (a, b) in chunk]
            width = max(map(len, seqs))
            ids = torch.full((len(seqs), width), tok.pad_token_id or 0)
            mask = torch.zeros((len(seqs), width), dtype=torch.long)
            for r, s in enumerate(seqs):
                ids[r, : len(s)] = torch.tensor(s)
                mask[r, : len(s)] = 1
            inputs = {"input_ids": ids, "attention_mask": mask}
            if self.rule_hints:
                hinted = torch.zeros((len(seqs), width), dtype=torch.long)
                for r, (n, (a, b)) in enumerate(chunk):
                    hinted[r, 1 : 1 + b - a] = torch.tensor(types[n][a:b])
                inputs["token_type_ids"] = hinted
            with torch.inference_mode():
                logits = self.loaded.model(**{k: v.to(self.loaded.device) for k, v in inputs.items()}).logits
            probs = torch.softmax(logits.float(), -1).cpu().numpy()
            for r, (n, (a, b)) in enumerate(chunk):
                outputs[n].append(probs[r, 1 : 1 + b - a])
                spans[n].append((a, b))
        result = []
        for n, enc in enumerate(encoded):
            offsets = [(int(a), int(b)) for a, b in enc["offset_mapping"]]
            merged = merge_windows(outputs[n], spans[n], len(offsets)) if offsets else np.zeros((0, len(self.tags)))
            result.append((offsets, merged))
        return result

    def predict_normalised(self, texts: list[str]) -> list[list[ScoredSpan]]:
        """Spans over already-normalised texts (what evaluation compares with gold labels)."""
        out: list[list[ScoredSpan]] = []
        outside = self.tags.index("O")
        for text, (offsets, probs) in zip(texts, self.token_probs(texts), strict=True):
            if not offsets:
                out.append([])
                continue
            if self.line_marker:
                # A line break is never part of a span (training labels it O); pinning it to O also stops a
                # span from running across lines in the constrained decoding below.
                breaks = [i for i, (a, _) in enumerate(offsets) if text[a] == "\n"]
                probs[breaks] = 0.0
                probs[breaks, outside] = 1.0
            tags = viterbi_tags(probs, self.tags, self.single_token_labels)
            chosen = probs[np.arange(len(tags)), [self.tags.index(t) for t in tags]]
            out.append(tags_to_spans(tags, offsets, chosen.tolist()))
        return out

    def extract(self, raws: list[str]) -> list[tuple[Normalised, list[Entity]]]:
        """Normalise each raw text, predict, and return entities with offsets into the raw text."""
        norms = [normalise(r) for r in raws]
        results = []
        for norm, spans in zip(norms, self.predict_normalised([n.text for n in norms]), strict=True):
            entities = []
            for s in spans:
                a, b = norm.to_raw(s.start, s.end)
                entities.append(Entity(s.label, norm.raw[a:b], a, b, round(s.score, 4), s.start, s.end))
            results.append((norm, entities))
        return results
