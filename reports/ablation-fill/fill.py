"""Diagnostic: rule spans the network left out added back (Extractor.fill_labels), by family.

Run from the repository root: .venv/bin/python reports/ablation-fill/fill.py > reports/ablation-fill/fill.log
"""

import sys

sys.path.insert(0, ".")  # run from the repository root
from planex.inference import Extractor
from training import decode_ablation


def served(ex: Extractor) -> None:
    ex.snap_hints, ex.drop_malformed, ex.fill_labels = True, True, frozenset()


def fill(*labels: str):
    def switch(ex: Extractor) -> None:
        served(ex)
        ex.fill_labels = frozenset(labels)

    return switch


decode_ablation.run(
    {
        "served": served,
        "+fill IND": fill("INDICATOR"),
        "+fill all": fill("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR"),
    }
)
