"""Diagnostic: snap_to_hints on/off, by family (both folds), the recipe (hints, 4 epochs).

Run from the repository root: .venv/bin/python reports/ablation-snap/snap.py > reports/ablation-snap/snap.log
(the log predates the relayouted tables and the drop of malformed spans: its lines are those "as written", kept).
"""

import sys

sys.path.insert(0, ".")  # run from the repository root
from planex.inference import Extractor
from training import decode_ablation


def mode(snap: bool):
    def switch(ex: Extractor) -> None:
        ex.snap_hints, ex.fill_cells, ex.drop_malformed = snap, False, False

    return switch


decode_ablation.run({"plain": mode(False), "snap": mode(True)})
