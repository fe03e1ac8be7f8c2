"""Score models and the rules on batches labelled after the models were trained (before anyone trains on them).

Each model decodes as served (ONNX int8, hinted spans returned whole, malformed spans dropped) and, for a model
trained with rule hints, once more with the rules' targets it left out added back (`Extractor.fill_labels`,
INDICATOR; off when served). Run from the repository root:

.venv/bin/python reports/fresh/score.py --models NAME=PATH … --labels FILE …
"""

import argparse
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

parser = argparse.ArgumentParser()
parser.add_argument("--models", nargs="+", required=True, help="NAME=PATH of each model folder")
parser.add_argument("--labels", nargs="+", type=Path, required=True)
args = parser.parse_args()

docs = load_documents(args.labels)
print(f"{len(docs)} documents, {sum(len(d.text) for d in docs)} characters, {sum(len(d.spans) for d in docs)} spans")
names: list[str] = []
predicted: dict[str, list[list[Span]]] = {}
for item in args.models:
    name, path = item.split("=", 1)
    ex = Extractor(with_precision(load_model(Path(path)), "onnx-int8"))
    names = list(ex.loaded.spec.scheme.names)
    modes = {name: frozenset(), f"{name} +fill IND": frozenset({"INDICATOR"})}
    for mode, fill in modes.items():
        ex.fill_labels = fill
        found = ex.predict_normalised([d.text for d in docs])
        predicted[mode] = [[Span(p.start, p.end, p.label) for p in pp] for pp in found]
predicted["rules"] = [rules.extract(d.text) for d in docs]
for mode, ps in predicted.items():
    print(decode_ablation.summary(f"{mode:24}", decode_ablation.score(docs, ps, names)), flush=True)
