"""Diagnostic: table cells the network left out filled from the rules (fill_from_cells), by family.

Run from the repository root: .venv/bin/python reports/ablation-cells/cells.py > reports/ablation-cells/cells.log
(the log was written before malformed spans were dropped at decoding, so every mode here keeps them).
"""

import sys

sys.path.insert(0, ".")  # run from the repository root
from planex.inference import Extractor
from training import decode_ablation


def mode(snap: bool, fill: bool):
    def switch(ex: Extractor) -> None:
        ex.snap_hints, ex.fill_cells, ex.drop_malformed = snap, fill, False

    return switch


decode_ablation.run({"plain": mode(False, False), "snap": mode(True, False), "snap+fill": mode(True, True)})
