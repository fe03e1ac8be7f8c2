"""Options of ``planex pretrain`` (each field's ``help`` is its ``--help`` text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from planex.linebreaks import DEFAULT_MARKER


@dataclass
class PretrainConfig:
    """Options of ``planex pretrain``; each field's ``help`` is shown by ``--help``."""

    inputs: list[Path] = field(
        metadata={
            "help": "sources: folders of .txt files, JSONL or JSONL.gz files with a 'text' field; "
            "join paths with ',' to read them as one source. The first source's held-out accuracy picks the weights"
        }
    )
    out: Path = field(metadata={"help": "output folder (OUT/model is the Hugging Face model folder)"})
    mix: list[float] = field(
        default_factory=list,
        metadata={"help": "one weight per source: its share of the training sequences (default: by size)"},
    )
    exclude_ids: str = field(
        default="", metadata={"help": "file of record ids (one a line) never to read, e.g. a reserved test set"}
    )
    layers: int = field(default=4, metadata={"help": "transformer layers"})
    hidden: int = field(default=256, metadata={"help": "hidden size (a multiple of --heads)"})
    heads: int = field(default=4, metadata={"help": "attention heads"})
    seq_len: int = field(default=128, metadata={"help": "tokens per training sequence, [CLS]/[SEP] included"})
    batch_size: int = field(default=32, metadata={"help": "sequences per step"})
    lr: float = field(default=5e-4, metadata={"help": "peak learning rate (AdamW, linear warm-up and decay)"})
    warmup: float = field(default=0.06, metadata={"help": "fraction of steps spent warming up"})
    max_steps: int = field(default=20000, metadata={"help": "upper bound on optimisation steps"})
    max_minutes: float = field(
        default=0.0,
        metadata={
            "help": "wall-clock budget of the whole run, resumed parts included: steps are fitted to it after "
            "timing the first steps, and the run stops at the first step past it (0: off)"
        },
    )
    line_marker: str = field(
        default=DEFAULT_MARKER,
        metadata={"help": "character that stands for a line break (as in `planex train`; '' drops line breaks)"},
    )
    masking: str = field(default="char", metadata={"help": "'char' (characters) or 'wwm' (whole jieba words)"})
    mask_prob: float = field(default=0.15, metadata={"help": "fraction of tokens to predict"})
    min_freq: int = field(
        default=2, metadata={"help": "characters outside GB2312 enter the vocabulary from this count"}
    )
    heldout: float = field(default=0.02, metadata={"help": "fraction of each source's documents held out"})
    heldout_cap: int = field(default=40000, metadata={"help": "at most this many held-out characters per source"})
    eval_every: int = field(default=500, metadata={"help": "steps between held-out evaluations"})
    checkpoint_every: int = field(default=500, metadata={"help": "steps between checkpoints (for --resume)"})
    seed: int = field(default=13, metadata={"help": "random seed"})
    device: str = field(default="", metadata={"help": "cpu, cuda, cuda:N; empty picks the GPU when present"})
    init_from: str = field(
        default="",
        metadata={"help": "start from this MLM model folder (its tokenizer and size are kept) with a new schedule"},
    )
    resume: bool = field(
        default=False,
        metadata={
            "help": "continue from OUT/checkpoint after an interruption, with the data, schedule and random state "
            "saved there (a smaller --max-steps ends it sooner)"
        },
    )
    keep_best: bool = field(
        default=True,
        metadata={"help": "save the weights of the best held-out evaluation rather than the last"},
    )

    def __post_init__(self) -> None:
        self.inputs = [Path(p) for p in self.inputs]
        self.out = Path(self.out)
        self.exclude_ids = str(self.exclude_ids or "")
        if self.hidden % self.heads:
            raise ValueError(f"--hidden {self.hidden} must be a multiple of --heads {self.heads}")
        if self.masking not in ("char", "wwm"):
            raise ValueError(f"--masking must be 'char' or 'wwm', not {self.masking!r}")
        if not 0 < self.mask_prob < 1 or not 0 < self.heldout < 0.5:
            raise ValueError("--mask-prob must be in (0, 1) and --heldout in (0, 0.5)")
        if self.mix and (len(self.mix) != len(self.inputs) or min(self.mix) <= 0):
            raise ValueError(f"--mix needs one positive weight per input ({len(self.inputs)}), got {self.mix}")
        if self.init_from and not (Path(self.init_from) / "config.json").is_file():
            raise ValueError(f"--init-from {self.init_from}: not a model folder (no config.json)")
        if self.seq_len < 8 or self.batch_size < 1 or self.max_steps < 1:
            raise ValueError("--seq-len must be ≥ 8, --batch-size and --max-steps ≥ 1")
