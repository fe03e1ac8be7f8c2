"""Diagnostic: malformed spans dropped (planex.spanform), by family.

Run from the repository root: .venv/bin/python reports/ablation-spanform/spanform.py > reports/ablation-spanform/spanform.log
"""

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, ".")  # run from the repository root
from planex.document import Span
from planex.scheme import load_scheme
from training.batches import load_training_documents
from training.config import TrainConfig
from training.devscore import extractor_for
from training.familyfolds import family_folds
from training.linkscore import document_link_scores
from training.loop import fit
from training.relayout import relayout_document
from training.scoring import seqeval_scores

TABLES = ["pipe_table", "space_table", "cell_per_line", "flattened_table"]
MODES = {"snap": False, "snap+drop": True}

scheme = load_scheme(Path("labels/scheme.json"))
cfg = TrainConfig(
    labels=[Path("labels")],
    base_model="models/base/planex-char-bert-4l256",
    dev_fraction=0,
    epochs=4,
    rule_hints=True,
    hint_scale=1.0,
)
docs = load_training_documents(cfg, scheme)
fam = {r[0]: r[1] for r in csv.reader(open("labels/families.tsv"), delimiter="\t") if len(r) >= 2}
ff = family_folds(docs, 2, fam)
pooled = {(sets, mode): ([], []) for sets in ("as written", "tables") for mode in MODES}
for i in range(2):
    test, train = ff.folds[i], ff.folds[1 - i]
    tables = [made for d in test for made in relayout_document(d, seed=7, layouts=TABLES)]
    print("fold", i + 1, "test documents", len(test), "relayouted tables", len(tables), flush=True)
    t = time.time()
    res = fit(train, [], cfg, scheme, progress=False)
    print("fold", i + 1, "train s", round(time.time() - t), flush=True)
    ex = extractor_for(res.model, res.tokenizer, scheme, cfg, res.single_token_labels, res.crf)
    for sets, ds in (("as written", test), ("tables", tables)):
        for mode, drop in MODES.items():
            ex.snap_hints, ex.drop_malformed = True, drop
            preds = ex.predict_normalised([d.text for d in ds])
            pooled[sets, mode][0].extend(ds)
            pooled[sets, mode][1].extend([[Span(p.start, p.end, p.label) for p in pp] for pp in preds])
for (sets, mode), (ds, ps) in pooled.items():
    s = seqeval_scores([d.text for d in ds], [d.spans for d in ds], ps, scheme.names)
    l = document_link_scores(ds, ps, scheme.names, on_gold_spans=False)
    print(
        f"{sets:10} {mode:9} micro {s['micro']['f1']:.4f}",
        {k: round(v["f1"], 3) for k, v in s["per_label"].items()},
        f"link F1 {l['exact']['micro']['f1']:.4f} rows {l['rows']['share']:.4f}",
        flush=True,
    )
