"""The model spec: what inference must know about a planex model, saved as ``planex.json`` beside its weights.

One typed object, written by :func:`spec_to_json` (training) and read by :func:`spec_from_json` (loading):
the label scheme and its hash, the window length, the line marker, the rule hints, the labels that may
form one-token spans, and the model's name and version. Everything else in the file (base model, metrics,
documents, training arguments) is provenance, kept in ``info`` for the model card and ``GET /v1/model``.

Folders written before a field existed still load: a missing field takes the value that reproduces
how such models were served (see each default below).

The window rule lives here too, so that training's dev evaluation, ``planex evaluate`` and the
server cut a text into the same windows (:func:`window_config`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planex.scheme import LabelScheme, SchemeError, parse_scheme

META_FILE = "planex.json"
# Folders from before ``max_length`` was written: BERT's position limit (the server then capped it
# with PLANEX_WINDOW_TOKENS, as it still does).
DEFAULT_MAX_LENGTH = 512
# Windows longer than this are not used by default (the server's PLANEX_WINDOW_TOKENS default): attention
# cost grows with the square of the length, and 256 tokens give every token enough context.
DEFAULT_WINDOW_TOKENS = 256
# Windows per forward pass. With int8 Linear layers a batch of about 1,000 tokens (8 windows of 128) runs
# about a fifth faster per token than 16 windows: the quantised activations stay in the cache (fp32 does not
# care); measured with `planex speed` (its batch sweep) on 2 cores.
DEFAULT_BATCH_SIZE = 8


class ModelLoadError(ValueError):
    """A model folder that cannot be served or trained from; the message names the folder and the fix."""


@dataclass(frozen=True)
class WindowConfig:
    max_tokens: int = DEFAULT_WINDOW_TOKENS  # per window, [CLS] and [SEP] included
    stride: int = 192  # tokens between window starts: 64 tokens of overlap
    batch_size: int = DEFAULT_BATCH_SIZE  # windows per forward pass

    def __post_init__(self) -> None:
        if not 8 <= self.max_tokens <= 512 or not 0 < self.stride <= self.max_tokens - 2:
            raise ValueError("need 8 ≤ max_tokens ≤ 512 and 0 < stride ≤ max_tokens - 2")


def window_stride(max_tokens: int) -> int:
    """Tokens between window starts: windows overlap by a quarter, so every token is predicted once
    with context on both sides (``max_tokens`` includes [CLS] and [SEP]).

    >>> window_stride(128), window_stride(256)
    (94, 190)
    """
    return max(1, (max_tokens - 2) * 3 // 4)


@dataclass(frozen=True)
class ModelSpec:
    scheme: LabelScheme
    name: str
    version: str = "unversioned"
    max_length: int = DEFAULT_MAX_LENGTH  # tokens per training window, [CLS] and [SEP] included
    line_marker: str | None = None  # absent: the model saw no line breaks (planex.linebreaks)
    rule_hints: tuple[str, ...] | None = None  # labels whose rule spans arrive as token types (planex.hints)
    rules_fingerprint: str | None = None  # the rules' code the hints came from
    # Labels that had a one-token span in the training data: the decoder predicts no one-token span of any
    # other label (planex.codec.viterbi_tags). None (models from before the field): every length allowed.
    single_token_labels: tuple[str, ...] | None = None
    crf: bool = False  # decoded with a learned CRF's scores, kept in crf.safetensors (planex.crf)
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def stride(self) -> int:
        """The stride of full-length windows (what ``planex.json`` records; :func:`window_config` decides)."""
        return window_stride(self.max_length)


def window_config(
    spec: ModelSpec, max_tokens: int = DEFAULT_WINDOW_TOKENS, batch_size: int = DEFAULT_BATCH_SIZE
) -> WindowConfig:
    """The windows a model is run with: as long as it was trained on, at most ``max_tokens``, a quarter overlap.

    The one rule for every caller (training's dev score, evaluation, the server), so a dev score is
    decoded exactly as the server decodes. For the default model (``max_length`` 128): 128 tokens, stride 94.
    """
    tokens = min(max_tokens, spec.max_length)
    return WindowConfig(max_tokens=tokens, stride=window_stride(tokens), batch_size=batch_size)


def spec_to_json(spec: ModelSpec) -> dict[str, Any]:
    """The ``planex.json`` record: the spec's fields, then its provenance, then the scheme and its hash."""
    return {
        "name": spec.name,
        "version": spec.version,
        **{k: v for k, v in spec.info.items() if k in _INFO_FIRST},
        "max_length": spec.max_length,
        "stride": spec.stride,
        "line_marker": spec.line_marker,
        "rule_hints": list(spec.rule_hints) if spec.rule_hints is not None else None,
        "rules_fingerprint": spec.rules_fingerprint,
        "single_token_labels": list(spec.single_token_labels) if spec.single_token_labels is not None else None,
        "crf": spec.crf,
        **{k: v for k, v in spec.info.items() if k not in _INFO_FIRST},
        "scheme": spec.scheme.to_dict(),
        "scheme_hash": spec.scheme.hash,
    }


_INFO_FIRST = ("base_model", "init")  # where older files had them, so a new file reads the same
_FIELDS = {"name", "version", "max_length", "stride", "line_marker", "rule_hints", "rules_fingerprint",
           "single_token_labels", "crf", "scheme", "scheme_hash"}  # fmt: skip


def spec_from_json(data: object, path: Path) -> ModelSpec:
    """Check a ``planex.json`` record and build its spec; raise :class:`ModelLoadError` naming the field."""
    where = f"model folder {path}: {META_FILE}"
    if not isinstance(data, dict):
        raise ModelLoadError(f"{where} must hold a JSON object")
    try:
        scheme = parse_scheme(data.get("scheme"), f"{path}/{META_FILE}")
    except SchemeError as e:
        raise ModelLoadError(str(e)) from None
    if data.get("scheme_hash") != scheme.hash:
        raise ModelLoadError(f"{where} scheme_hash does not match its scheme; the file was edited")

    def names(key: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ModelLoadError(f"{where}: {key} must be a list of label names or null; retrain or restore it")
        return tuple(value)

    max_length = data.get("max_length") or DEFAULT_MAX_LENGTH
    if not isinstance(max_length, int) or max_length < 8:
        raise ModelLoadError(f"{where}: max_length must be a whole number of tokens ≥ 8, not {max_length!r}")
    marker = data.get("line_marker") or None
    if marker is not None and (not isinstance(marker, str) or len(marker) != 1):
        raise ModelLoadError(f"{where}: line_marker must be one character or null, not {marker!r}")
    fingerprint = data.get("rules_fingerprint")
    crf = data.get("crf", False)  # absent in folders from before the CRF: softmax decoding
    if not isinstance(crf, bool):
        raise ModelLoadError(f"{where}: crf must be true or false, not {crf!r}")
    return ModelSpec(
        scheme=scheme,
        name=str(data.get("name") or path.name),
        version=str(data.get("version") or "unversioned"),
        max_length=max_length,
        line_marker=marker,
        rule_hints=names("rule_hints") or None,  # an empty list, like null, means no hints
        rules_fingerprint=str(fingerprint) if fingerprint else None,
        single_token_labels=names("single_token_labels"),
        crf=crf,
        info={k: v for k, v in data.items() if k not in _FIELDS},
    )


def read_spec(path: str | Path) -> ModelSpec:
    """Read ``path/planex.json``; raise :class:`ModelLoadError` if it is missing or not a valid spec."""
    path = Path(path)
    f = path / META_FILE
    if not f.is_file():
        raise ModelLoadError(
            f"model folder {path}: {META_FILE} is missing; this is not a planex model folder "
            "(train one with `planex train`)"
        )
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelLoadError(
            f"model folder {path}: {META_FILE} is not valid JSON ({e}); retrain or restore it"
        ) from None
    return spec_from_json(data, path)
