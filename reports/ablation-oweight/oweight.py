"""Ablation: the O probability scaled at decoding (Extractor.o_weight), by family, two seeds.

Run from the repository root:
.venv/bin/python reports/ablation-oweight/oweight.py > reports/ablation-oweight/oweight.log
"""

import sys

sys.path.insert(0, ".")  # run from the repository root
from planex.inference import Extractor
from training import decode_ablation


def mode(weight: float):
    def switch(ex: Extractor) -> None:
        ex.snap_hints, ex.fill_cells, ex.drop_malformed, ex.o_weight = True, False, True, weight

    return switch


modes = {f"o={w}": mode(w) for w in (1.0, 0.5, 0.25, 0.1)}
for seed in (13, 29):
    print(f"seed {seed}", flush=True)
    decode_ablation.run(modes, cfg=decode_ablation.recipe(seed=seed))
