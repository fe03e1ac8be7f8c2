"""Load token-classification models and base models, refusing anything incomplete or unsafe.

A planex model folder is a Hugging Face model folder (``config.json`` with ``id2label``,
``model.safetensors``, tokenizer files) plus ``planex.json``, its spec (:mod:`planex.modelspec`):
the label scheme it was trained with, that scheme's hash, how to feed and decode it, its name and
version. Weights are only ever read from safetensors, and remote code is never trusted.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from planex.crf import CRF_FILE, CrfFileError, CrfScores, read_crf, save_crf
from planex.device import pick_device
from planex.hints import HINT_LABELS, N_HINT_TYPES, RULES_FINGERPRINT
from planex.modelspec import META_FILE, ModelLoadError, ModelSpec, read_spec, spec_to_json
from planex.scheme import LabelScheme

__all__ = ["META_FILE", "LoadedModel", "ModelLoadError", "ModelSpec", "load_model", "save_model"]
OFFLINE_BASES = "models/base/ (the in-house base made by `planex pretrain`) or any local Hugging Face folder"


@dataclass
class LoadedModel:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    spec: ModelSpec
    path: Path
    device: torch.device
    crf: CrfScores | None = None  # a learned CRF's scores (crf.safetensors), decoded with the logits

    @property
    def scheme(self) -> LabelScheme:
        return self.spec.scheme

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def version(self) -> str:
        return self.spec.version


def _require(path: Path, name: str, fix: str) -> Path:
    f = path / name
    if not f.is_file():
        raise ModelLoadError(f"model folder {path}: {name} is missing; {fix}")
    return f


def load_tokenizer(path: str | Path) -> PreTrainedTokenizerBase:
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), trust_remote_code=False)
    except Exception as e:  # tokenizers raise many types for bad files
        raise ModelLoadError(f"model folder {path}: the tokenizer cannot be loaded ({e})") from None
    if not tokenizer.is_fast:
        raise ModelLoadError(f"model folder {path}: a fast tokenizer (tokenizer.json) is needed for character offsets")
    return tokenizer


def load_model(path: str | Path, scheme: LabelScheme | None = None, device: str | None = None) -> LoadedModel:
    """Load a planex token classifier; check files, safetensors weights and the label scheme.

    ``scheme``, when given, must have the same hash as the one the model was trained with.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelLoadError(f"model folder {path} does not exist; train one with `planex train` or pass --model")
    spec = read_spec(path)
    model_scheme = spec.scheme
    _require(path, "config.json", "the folder is incomplete; retrain or copy the whole folder")
    _require(path, "model.safetensors", "planex loads weights from safetensors only (pytorch_model.bin is refused)")
    if scheme is not None and scheme.hash != model_scheme.hash:
        raise ModelLoadError(
            f"model folder {path} was trained with labels {', '.join(model_scheme.names)} but the scheme in use has "
            f"{', '.join(scheme.names)}; retrain with `planex train` or use the matching labels/scheme.json"
        )
    tokenizer = load_tokenizer(path)
    try:
        model, missing = load_token_classifier(str(path))
    except Exception as e:
        raise ModelLoadError(f"model folder {path}: weights cannot be loaded ({type(e).__name__}: {e})") from None
    if missing:
        # A trained model must hold every weight; transformers would fill the gaps at random and serve noise.
        raise ModelLoadError(
            f"model folder {path}: model.safetensors lacks {len(missing)} weights ({', '.join(missing[:3])}…); "
            "the file is incomplete: retrain the model or restore the folder"
        )
    if [model.config.id2label[i] for i in range(len(model.config.id2label))] != list(model_scheme.tags):
        raise ModelLoadError(f"model folder {path}: config.json id2label does not match {META_FILE}; retrain the model")
    _check_rule_hints(path, spec, model)
    crf = _load_crf(path, spec)
    dev = pick_device(device)
    model.to(dev).eval()
    return LoadedModel(model, tokenizer, spec, path, dev, crf)


def _load_crf(path: Path, spec: ModelSpec) -> CrfScores | None:
    """The CRF's scores if the folder has them; refuse a file that does not fit, or a spec that needs a missing one."""
    if not (path / CRF_FILE).is_file():
        if spec.crf:
            raise ModelLoadError(
                f"model folder {path}: {META_FILE} says the model decodes with a CRF, but {CRF_FILE} is missing; "
                "copy the whole folder or retrain the model"
            )
        return None
    try:
        return read_crf(path, spec.scheme.tags)
    except CrfFileError as e:
        raise ModelLoadError(f"model folder {path}: {e}; retrain the model (--crf) or restore the folder") from None


def load_token_classifier(source: str, **kwargs: Any) -> tuple[Any, list[str]]:
    """A token classifier (a ``PreTrainedModel``) from safetensors, and the weights it had to initialise.

    transformers prints a table of missing and unexpected weights at every load; from a masked-LM
    base that table is expected (the prediction head goes, a classifier comes), and it would repeat
    for every fold of a benchmark. Callers judge the missing weights instead.
    """
    # A filter drops that one report and nothing else. Raising the logger's level would not do:
    # transformers reads the level as a cue to list, just as loudly, every layer left unsharded
    # by tensor parallelism (which planex never uses).
    log = logging.getLogger("transformers.modeling_utils")
    log.addFilter(_drop_load_report)
    try:
        model, info = AutoModelForTokenClassification.from_pretrained(
            source, use_safetensors=True, trust_remote_code=False, output_loading_info=True, **kwargs
        )
    finally:
        log.removeFilter(_drop_load_report)
    return model, sorted(info["missing_keys"])


def _drop_load_report(record: logging.LogRecord) -> bool:
    return "LOAD REPORT" not in record.getMessage()


def _check_rule_hints(path: Path, spec: ModelSpec, model: PreTrainedModel) -> None:
    """Refuse hints this planex cannot give or the weights cannot take; warn if the rules changed since training."""
    hints = spec.rule_hints
    if not hints:
        return
    if tuple(hints) != HINT_LABELS:
        raise ModelLoadError(
            f"model folder {path}: trained with rule hints {list(hints)}, but this planex gives hints for "
            f"{list(HINT_LABELS)}; retrain the model with this version"
        )
    types = getattr(model.config, "type_vocab_size", 0)
    if types < N_HINT_TYPES:
        raise ModelLoadError(
            f"model folder {path}: {META_FILE} says the model reads rule hints, but its config has {types} token "
            f"types (hints need {N_HINT_TYPES}); the folder is inconsistent, retrain or restore it"
        )
    trained_with = spec.rules_fingerprint
    if trained_with and trained_with != RULES_FINGERPRINT:
        warnings.warn(
            f"model folder {path}: trained with other rules (rule code fingerprint {trained_with}, now "
            f"{RULES_FINGERPRINT}); its rule hints may mislead it, retrain it with these rules",
            stacklevel=3,
        )


def resolve_base(name_or_path: str) -> str:
    """Return a loadable base: a local folder as is, or a hub id if it can be fetched (else fail fast)."""
    local = Path(name_or_path)
    if local.exists():
        if not (local / "config.json").is_file():
            raise ModelLoadError(f"base model folder {local} has no config.json; point --base-model at a model folder")
        if not (local / "model.safetensors").is_file() and not list(local.glob("model-*.safetensors")):
            raise ModelLoadError(
                f"base model folder {local} has no safetensors weights; convert them or use another base"
            )
        return str(local)
    try:
        from huggingface_hub import hf_hub_download

        hf_hub_download(name_or_path, "config.json", etag_timeout=5)
    except Exception as e:
        raise ModelLoadError(
            f"base model {name_or_path!r} is neither a local folder nor reachable on the model hub "
            f"({type(e).__name__}). Offline, use {OFFLINE_BASES}."
        ) from None
    return name_or_path


def save_model(
    path: str | Path,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    spec: ModelSpec,
    extra_files: dict[str, str] | None = None,
    crf: CrfScores | None = None,
) -> Path:
    """Write a complete planex model folder atomically (weights, tokenizer, ``planex.json``, extras, CRF scores).

    ``id2label``/``label2id`` are written into the model config, so the folder describes itself.
    """
    import json

    from planex import atomic

    model.config.id2label = spec.scheme.id2label
    model.config.label2id = spec.scheme.label2id
    path = Path(path)
    with atomic.directory(path) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / META_FILE).write_text(json.dumps(spec_to_json(spec), indent=2, ensure_ascii=False), encoding="utf-8")
        if crf is not None:  # beside the weights, so the folder still loads as a plain token classifier
            save_crf(tmp, crf)
        for name, text in (extra_files or {}).items():
            (tmp / name).write_text(text, encoding="utf-8")
    return path
