"""Decision rule part 2: the served default decoding the freshly labelled batches in each mode, and the rules.

Run from the repository root, before the batches are trained on:
.venv/bin/python reports/ablation-fill/fresh.py labels/corpus/corpus_y.jsonl … > reports/ablation-fill/fresh.log
"""

import sys
from pathlib import Path

sys.path.insert(0, ".")  # run from the repository root
from planex import rules
from planex.document import Span
from planex.inference import Extractor
from planex.labelfile import load_documents
from planex.modelio import load_model
from planex.precision import with_precision
from training import decode_ablation

docs = load_documents(sys.argv[1:])
print(f"{len(docs)} documents, {sum(len(d.text) for d in docs)} characters, {sum(len(d.spans) for d in docs)} spans")
ex = Extractor(with_precision(load_model(Path("models/default")), "onnx-int8"))
labels = ("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR")
modes = {"served": frozenset(), "+fill IND": frozenset({"INDICATOR"}), "+fill all": frozenset(labels)}
predicted = {}
for mode, fill in modes.items():
    ex.fill_labels = fill
    found = ex.predict_normalised([d.text for d in docs])
    predicted[mode] = [[Span(p.start, p.end, p.label) for p in pp] for pp in found]
predicted["rules"] = [rules.extract(d.text) for d in docs]
names = ex.loaded.spec.scheme.names
for mode, ps in predicted.items():
    print(decode_ablation.summary(f"{mode:10}", decode_ablation.score(docs, ps, names)), flush=True)
