"""Ablation: the rules' spans the network left out, added back at decoding (Extractor.fill_labels), by family.

Run from the repository root:
.venv/bin/python reports/ablation-fill-task/fill_task.py > reports/ablation-fill-task/fill_task.log
"""

import sys
from pathlib import Path

sys.path.insert(0, ".")  # run from the repository root
from planex.inference import Extractor
from training import decode_ablation


def mode(fill: frozenset[str]):
    def switch(ex: Extractor) -> None:
        ex.snap_hints, ex.fill_cells, ex.drop_malformed, ex.fill_labels = True, False, True, fill

    return switch


modes = {
    "served": mode(frozenset()),
    "fill TASK": mode(frozenset({"TASK"})),
    "fill TASK+IND": mode(frozenset({"TASK", "INDICATOR"})),
}
# The 811 training documents of c634162, named so that batches labelled during the run do not join it.
labels = [
    Path("labels/seeds"),
    *(p for p in sorted(Path("labels/corpus").glob("corpus_*.jsonl")) if p.stem <= "corpus_zg"),
]
for seed in (13, 29):
    print(f"seed {seed}", flush=True)
    decode_ablation.run(modes, cfg=decode_ablation.recipe(seed=seed, labels=labels))
