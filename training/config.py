"""Options of ``planex train`` (and of every BERT system the benchmark trains), validated on creation.

Kept apart from the training loop so that reading the options (``planex train --help``) imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from planex.linebreaks import DEFAULT_MARKER
from planex.scheme import DEFAULT_SCHEME


@dataclass
class TrainConfig:
    """Options of ``planex train``; each field's ``help`` is shown by ``--help``."""

    labels: list[Path] = field(
        metadata={"help": "label files or folders (JSONL); feedback/ is skipped unless --include-feedback"}
    )
    base_model: str = field(metadata={"help": "hub id (e.g. bert-base-chinese) or local Hugging Face folder"})
    out: Path = field(
        default=Path(""), metadata={"help": "output model folder, written atomically (default: models/<version>)"}
    )
    scheme: Path = field(default=DEFAULT_SCHEME, metadata={"help": "label scheme file (default: labels/scheme.json)"})
    epochs: int = field(default=12, metadata={"help": "maximum epochs"})
    lr: float = field(default=5e-4, metadata={"help": "peak learning rate (use ~5e-5 for full-size hub BERTs)"})
    batch_size: int = field(default=8, metadata={"help": "windows per step"})
    length_buckets: bool = field(
        default=False,
        metadata={
            "help": "batch windows of similar length (each batch drawn from a shuffled pool of 32 batches' worth): "
            "less padding, about twice as fast on sentence-level data such as public NER sets"
        },
    )
    max_tokens: int = field(
        default=128,
        metadata={
            "help": "tokens per window, [CLS]/[SEP] included; prediction windows overlap by a quarter "
            "(planex.modelspec.window_config)"
        },
    )
    dev_fraction: float = field(default=0.15, metadata={"help": "fraction of documents held out for early stopping"})
    dev: list[Path] = field(
        default_factory=list,
        metadata={
            "help": "label files or folders for early stopping instead of --dev-fraction (e.g. a benchmark's own "
            "dev split); all of --labels is then trained on"
        },
    )
    patience: int = field(default=3, metadata={"help": "epochs without dev improvement before stopping"})
    class_weights: str = field(
        default="none", metadata={"help": "loss weights per tag: none, or sqrt (inverse square-root frequency)"}
    )
    crf: bool = field(
        default=False,
        metadata={
            "help": "learn a linear-chain CRF over the classifier's logits (transition, start and end scores, saved "
            "as crf.safetensors) and decode with it; its loss takes no --class-weights"
        },
    )
    line_marker: str = field(
        default=DEFAULT_MARKER,
        metadata={"help": "character that stands for a line break in model input ('' to drop line breaks)"},
    )
    augment: list[str] = field(
        default_factory=list,
        metadata={"help": "augmentations: width markers leads (layout), mentions (lead units renamed)"},
    )
    relayout: int = field(
        default=0,
        metadata={
            "help": "passes over the training documents' gold task records, each written again as synthetic "
            "documents of 5-15 records in layouts drawn at random (pipe, space, cell-per-line and flattened tables, "
            "lead notes, 牵头/配合 brackets, label lines: training.relayout); 0: none"
        },
    )
    rename_leads: float = field(
        default=0.0,
        metadata={
            "help": "share of the training documents with lead units shown, each epoch, with them renamed "
            "(training.mentions) instead of as written; 0: none"
        },
    )
    rule_hints: bool = field(
        default=False,
        metadata={"help": "feed the rule extractor's spans to the model as token type ids (BERT-style models)"},
    )
    hint_dropout: float = field(
        default=0.0,
        metadata={"help": "with --rule-hints: fraction of training windows shown without hints, drawn each epoch"},
    )
    hint_decoys: float = field(
        default=0.0,
        metadata={
            "help": "with --rule-hints: fraction of training windows shown decoy hints (the rules' spans plus every "
            "item heading, date and figure: training.decoys), so the model learns to overrule hints; drawn each epoch"
        },
    )
    hint_scale: float = field(
        default=0.0,
        metadata={
            "help": "with --rule-hints: start each hint's type embedding this many mean character-embedding norms "
            "away from 'no hint' (0: copies, the model starts exactly as the base)"
        },
    )
    weak: list[Path] = field(
        default_factory=list,
        metadata={
            "help": "unlabelled plans (JSONL with 'text', or folders of .txt) labelled by the rule extractor "
            "for a first training stage; documents with gold labels are left out"
        },
    )
    weak_epochs: int = field(default=1, metadata={"help": "epochs over the rule-labelled documents"})
    weak_max_chars: int = field(
        default=300_000, metadata={"help": "characters of rule-labelled text to sample (whole documents)"}
    )
    include_feedback: bool = field(default=False, metadata={"help": "also train on labels/feedback/ corrections"})
    init: str = field(
        default="pretrained", metadata={"help": "'pretrained' weights, or 'random' with the base's architecture"}
    )
    seed: int = field(default=13, metadata={"help": "random seed"})
    device: str = field(default="", metadata={"help": "cpu, cuda, cuda:N; empty picks the GPU when present"})
    max_minutes: float = field(
        default=0.0,
        metadata={
            "help": "stop after this many minutes, checked after every step; the best epoch so far is kept "
            "(0: no limit)"
        },
    )
    name: str = field(default="", metadata={"help": "model name (default: the output folder's name)"})
    promote: bool = field(default=False, metadata={"help": "make the new model models/default (the one served)"})

    def __post_init__(self) -> None:
        self.labels = [Path(p) for p in self.labels]
        self.dev = [Path(p) for p in self.dev]
        self.weak = [Path(p) for p in self.weak]
        self.out, self.scheme = Path(self.out), Path(self.scheme)
        if self.class_weights not in ("none", "sqrt"):
            raise ValueError(f"--class-weights must be none or sqrt, not {self.class_weights!r}")
        if self.crf and self.class_weights != "none":
            raise ValueError(
                "--crf trains on the likelihood of whole tag paths, which takes no per-tag weights: "
                "drop --class-weights (or --crf)"
            )
        if self.init not in ("pretrained", "random"):
            raise ValueError(f"--init must be pretrained or random, not {self.init!r}")
        if not 0 <= self.dev_fraction < 0.5:
            raise ValueError("--dev-fraction must be in [0, 0.5)")
        if not 8 <= self.max_tokens <= 512:
            raise ValueError("need 8 ≤ --max-tokens ≤ 512")
        if self.weak_epochs < 0 or self.weak_max_chars < 0:
            raise ValueError("--weak-epochs and --weak-max-chars must be ≥ 0")
        if not 0 <= self.hint_dropout <= 1 or not 0 <= self.hint_decoys <= 1 - self.hint_dropout:
            raise ValueError("--hint-dropout and --hint-decoys must be in [0, 1] and add up to at most 1")
        if self.hint_decoys and not self.rule_hints:
            raise ValueError("--hint-decoys replaces some rule hints with decoys: it needs --rule-hints")
        if self.hint_scale < 0:
            raise ValueError("--hint-scale must be 0 or more")
        if self.rule_hints and self.weak:
            raise ValueError("--rule-hints and --weak cannot be combined: the weak labels are the hints themselves")
        if not 0 <= self.rename_leads <= 1:
            raise ValueError("--rename-leads is a share of documents: 0 to 1")
        if self.relayout < 0:
            raise ValueError("--relayout must be 0 (off) or a number of passes")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("--epochs, --batch-size and --lr must be positive")
