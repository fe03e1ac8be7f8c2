"""Decoding ablations by family: one model per fold, each decoding its test fold every way asked.

A change to decoding (snapping to hints, filling table cells, dropping malformed spans, …) is measured
without training twice: the recipe is trained once per by-family fold (whole layout families held out,
``labels/families.tsv``), and each fold's model decodes its test documents once per *mode*, on the
documents as written and on their gold task records written again as tables (``training.relayout``,
fixed seed). Pooled over the folds, each mode gets seqeval micro-F1 per label and task-link F1, printed
as one line per (documents, mode). The scripts under ``reports/ablation-*/`` call :func:`run` with their
modes and a decision rule written before the run.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from planex.document import Document, Span
from planex.inference import Extractor
from planex.scheme import load_scheme
from training.batches import load_training_documents
from training.config import TrainConfig
from training.devscore import extractor_for
from training.familyfolds import family_folds
from training.linkscore import document_link_scores
from training.loop import fit
from training.relayout import relayout_document
from training.scoring import seqeval_scores

TABLES = ("pipe_table", "space_table", "cell_per_line", "flattened_table")

# A mode sets the extractor's decoding switches before it decodes (``ex.snap_hints = True`` …).
Mode = Callable[[Extractor], None]


def recipe(**changes: Any) -> TrainConfig:
    """The served recipe as ``make benchmark`` trains it by family: rule hints, 4 epochs, no dev split."""
    options: dict[str, Any] = dict(
        labels=[Path("labels")],
        base_model="models/base/planex-char-bert-4l256",
        dev_fraction=0,
        epochs=4,
        rule_hints=True,
        hint_scale=1.0,
    )
    return TrainConfig(**(options | changes))


def run(
    modes: dict[str, Mode],
    cfg: TrainConfig | None = None,
    folds: int = 2,
    relayout_seed: int = 7,
    families: Path = Path("labels/families.tsv"),
) -> dict[tuple[str, str], dict[str, Any]]:
    """Train per fold, decode each test fold in every mode; print and return the pooled scores.

    Returns ``{(documents, mode): {"micro": …, "per_label": {…}, "link_f1": …, "rows": …}}`` with
    ``documents`` one of ``"as written"`` and ``"tables"``."""
    cfg = cfg or recipe()
    scheme = load_scheme(Path("labels/scheme.json"))
    docs = load_training_documents(cfg, scheme)
    with families.open(encoding="utf-8") as f:
        family = {r[0]: r[1] for r in csv.reader(f, delimiter="\t") if len(r) >= 2}
    split = family_folds(docs, folds, family)
    pooled: dict[tuple[str, str], tuple[list[Document], list[list[Span]]]] = {
        (sets, mode): ([], []) for sets in ("as written", "tables") for mode in modes
    }
    for i in range(folds):
        test = split.folds[i]
        train = [d for k, fold in enumerate(split.folds) if k != i for d in fold]
        tables = [made for d in test for made in relayout_document(d, seed=relayout_seed, layouts=list(TABLES))]
        print(f"fold {i + 1}: {len(test)} test documents, {len(tables)} relayouted tables", flush=True)
        started = time.time()
        res = fit(train, [], cfg, scheme, progress=False)
        print(f"fold {i + 1}: trained in {time.time() - started:.0f} s", flush=True)
        ex = extractor_for(res.model, res.tokenizer, scheme, cfg, res.single_token_labels, res.crf)
        for sets, ds in (("as written", test), ("tables", tables)):
            for mode, switch in modes.items():
                switch(ex)
                preds = ex.predict_normalised([d.text for d in ds])
                pooled[sets, mode][0].extend(ds)
                pooled[sets, mode][1].extend([[Span(p.start, p.end, p.label) for p in pp] for pp in preds])
    scores = {}
    for (sets, mode), (ds, ps) in pooled.items():
        scores[sets, mode] = score(ds, ps, scheme.names)
        print(summary(f"{sets:10} {mode:12}", scores[sets, mode]), flush=True)
    return scores


def score(docs: Sequence[Document], predicted: Sequence[Sequence[Span]], labels: Sequence[str]) -> dict[str, Any]:
    """Micro-F1, F1 per label, task-link F1 and the share of rows right of ``predicted`` against the gold."""
    s = seqeval_scores([d.text for d in docs], [d.spans for d in docs], predicted, labels)
    links = document_link_scores(docs, predicted, labels, on_gold_spans=False)
    return {
        "micro": s["micro"]["f1"],
        "per_label": {k: v["f1"] for k, v in s["per_label"].items()},
        "link_f1": links["exact"]["micro"]["f1"],
        "rows": links["rows"]["share"],
    }


def summary(name: str, got: dict[str, Any]) -> str:
    per_label = {k: round(v, 3) for k, v in got["per_label"].items()}
    return f"{name} micro {got['micro']:.4f} {per_label} link F1 {got['link_f1']:.4f} rows {got['rows']:.4f}"
