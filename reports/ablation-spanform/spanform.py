"""Diagnostic: malformed spans dropped (planex.spanform), by family.

Run from the repository root:
.venv/bin/python reports/ablation-spanform/spanform.py > reports/ablation-spanform/spanform.log
"""

import sys

sys.path.insert(0, ".")  # run from the repository root
from planex.inference import Extractor
from training import decode_ablation


def mode(drop: bool):
    def switch(ex: Extractor) -> None:
        ex.snap_hints, ex.fill_cells, ex.drop_malformed = True, False, drop

    return switch


decode_ablation.run({"snap": mode(False), "snap+drop": mode(True)})
