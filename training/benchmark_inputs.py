"""What ``planex benchmark`` reads before it runs: the labelled and held-out documents, and a run to resume."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planex.document import Document
from planex.labelfile import label_files, load_documents
from planex.layouts import read_families
from planex.scheme import LabelScheme, load_scheme
from training.batches import load_training_documents
from training.config import TrainConfig


@dataclass
class BenchmarkInputs:
    scheme: LabelScheme
    docs: list[Document]
    heldout: list[Document]
    files: dict[str, str]  # document id → name of its label file, for the per-document tables
    families: dict[str, str] | None = None  # document id → layout family, for the by-family setting


def load_inputs(
    cfg: TrainConfig, heldout_paths: list[Path], settings: list[str], families_path: Path | None = None
) -> BenchmarkInputs:
    """Load ``cfg.labels`` and the held-out files; refuse a held-out setting without them, or any overlap.
    For the by-family setting, read the layout families too (``families_path``, ``labels/families.tsv``)."""
    scheme = load_scheme(cfg.scheme)
    docs = load_training_documents(cfg, scheme)
    heldout = load_documents(heldout_paths, scheme) if heldout_paths else []
    if "held-out" in settings and not heldout:
        raise ValueError("the held-out setting needs --heldout FILES (e.g. --heldout labels/heldout)")
    seen_ids, seen_texts = {d.id for d in docs}, {d.text for d in docs}
    overlap = [d.id for d in heldout if d.id in seen_ids or d.text in seen_texts]
    if overlap:
        raise ValueError(f"held-out document(s) {', '.join(overlap)} are also in --labels; remove them from one side")
    labelled = [*label_files(cfg.labels, cfg.include_feedback), *label_files(heldout_paths)]
    files = {d.id: path.name for path in labelled for d in load_documents([path])}
    families = None
    if "by-family" in settings and families_path is not None:
        if not families_path.is_file():
            raise ValueError(
                f"--families {families_path}: no such file; write it with `planex corpus families --out "
                f"{families_path}`, or point --families at labels/families.tsv"
            )
        families = read_families(families_path)
    return BenchmarkInputs(scheme, docs, heldout, files, families)


def load_resume(reports: Path) -> dict[str, Any]:
    """The interrupted run in ``reports/benchmark.json`` (for ``--resume``)."""
    previous = reports / "benchmark.json"
    if not previous.is_file():
        raise ValueError(f"--resume: there is no {previous} to continue; run without --resume")
    try:
        report: dict[str, Any] = json.loads(previous.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"--resume: {previous} is not a benchmark report ({err}); run without --resume") from err
    return report
