"""Where planex finds its data: every default path is defined here, each with an environment override.

The project folder holds ``labels/``, ``models/``, ``seeds/`` and ``corpus/``: ``PLANEX_HOME`` if set,
else the checkout this package was imported from (an editable install, as ``make install`` makes),
else the working directory (an installed wheel has no checkout around it: run it from the project
folder, or set ``PLANEX_HOME``). The shared data are not part of the repository (README, "Data"):
they are expected beside the project in ``../shared`` (the plan corpus ``corpus/plans.jsonl``, the
reserved shingles beside it, the public NER benchmarks in ``benchmarks/``), or wherever
``PLANEX_SHARED`` says; ``PLANEX_CORPUS`` names the corpus file alone.

The values are read once, when planex is imported; the server's settings (``serving/settings.py``)
read the same variables.
"""

from __future__ import annotations

import os
from pathlib import Path


def _project() -> Path:
    if home := os.environ.get("PLANEX_HOME"):
        return Path(home)
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "labels" / "scheme.json").is_file():
        return checkout
    return Path.cwd()


def _env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


PROJECT = _project()
LABELS = PROJECT / "labels"
SCHEME = _env("PLANEX_SCHEME_PATH", LABELS / "scheme.json")
MODELS = _env("PLANEX_MODELS_DIR", PROJECT / "models")
SEEDS = PROJECT / "seeds"
# Plan documents gathered into the project itself (corpus/README.md).
PROJECT_CORPUS = PROJECT / "corpus" / "plans_more.jsonl"
SHARED = _env("PLANEX_SHARED", PROJECT.parent / "shared")
CORPUS = _env("PLANEX_CORPUS", SHARED / "corpus" / "plans.jsonl")
# Shingles of texts reserved for testing elsewhere: `planex corpus gather` keeps none of them.
RESERVED = SHARED / "corpus" / "reserved_shingles.txt"
BENCHMARKS = SHARED / "benchmarks"  # public benchmarks, e.g. ner/resume (`planex benchmark --external`)
CORPUS_HELP = (
    "the unlabelled plan corpus (JSONL: id, title, url, text per line) is not part of the repository; "
    "put it at ../shared/corpus/plans.jsonl beside the project, set PLANEX_CORPUS (or PLANEX_SHARED), "
    "or pass --corpus FILE"
)


def corpus_missing(path: Path) -> str:
    """The message for a corpus file that is not there (what it is and how to point at it)."""
    return f"{path}: no such file; {CORPUS_HELP}"
