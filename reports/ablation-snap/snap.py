"""Diagnostic: snap_to_hints on/off, by family (both folds), the recipe (hints, 4 epochs)."""
import csv, json, sys, time
from pathlib import Path
sys.path.insert(0, ".")  # run from the repository root
from planex.scheme import load_scheme
from planex.document import Span
from training.config import TrainConfig
from training.batches import load_training_documents
from training.familyfolds import family_folds
from training.loop import fit
from training.devscore import extractor_for
from training.scoring import seqeval_scores
from training.linkscore import document_link_scores

scheme = load_scheme(Path("labels/scheme.json"))
cfg = TrainConfig(labels=[Path("labels")], base_model="models/base/planex-char-bert-4l256",
                  dev_fraction=0, epochs=4, rule_hints=True, hint_scale=1.0)
docs = load_training_documents(cfg, scheme)
fam = {r[0]: r[1] for r in csv.reader(open("labels/families.tsv"), delimiter="\t") if len(r) >= 2}
ff = family_folds(docs, 2, fam)
pooled = {True: ([], []), False: ([], [])}
for i in range(2):
    test, train = ff.folds[i], ff.folds[1 - i]
    t = time.time()
    res = fit(train, [], cfg, scheme, progress=False)
    print("fold", i + 1, "train s", round(time.time() - t), flush=True)
    ex = extractor_for(res.model, res.tokenizer, scheme, cfg, res.single_token_labels, res.crf)
    for snap in (False, True):
        ex.snap_hints = snap
        preds = ex.predict_normalised([d.text for d in test])
        pooled[snap][0].extend(test)
        pooled[snap][1].extend([[Span(p.start, p.end, p.label) for p in pp] for pp in preds])
for snap, (ds, ps) in pooled.items():
    s = seqeval_scores([d.text for d in ds], [d.spans for d in ds], ps, scheme.names)
    l = document_link_scores(ds, ps, scheme.names, on_gold_spans=False)
    print("snap" if snap else "plain", "micro", round(s["micro"]["f1"], 4),
          {k: round(v["f1"], 3) for k, v in s["per_label"].items()},
          "link F1", round(l["exact"]["micro"]["f1"], 4), "rows", round(l["rows"]["share"], 4), flush=True)
