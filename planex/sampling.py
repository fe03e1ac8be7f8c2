"""Draw documents to label: a seeded random sample of corpus records nobody has labelled yet.

Titles are read after normalisation: a traditional-script title (`氣象災害應急預案`, or
`預(yù)案` with its phonetic annotation) must be excluded by the same simplified word
(`预案`) as its simplified twin.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from pathlib import Path

from planex.labelfile import WORK, label_files, load_documents
from planex.normalise import normalise
from planex.paths import corpus_missing
from planex.textio import read_text

# Document kinds that hold no work plan: emergency plans, disclosure and work reports, circulars,
# replies and letters (the kinds earlier batches excluded; labels/work/notes/).
NOT_PLANS = ("预案", "报告", "通报", "批复", "函", "答复", "情况")


# Ids drawn for a new held-out set before they are labelled, one or more a line ('#' starts a comment).
CANDIDATES = "candidates.txt"


def labelled_ids(roots: Iterable[Path]) -> set[str]:
    """Ids of every document under ``roots``: gold, held-out and drafts alike (a draft is being labelled),
    and the held-out candidates listed in ``heldout/candidates.txt``."""
    ids: set[str] = set()
    for root in roots:
        ids |= {d.id for d in load_documents([root], heldout=True)}
        drafts = root / WORK / "drafts"
        if drafts.is_dir():  # a draft's gold may not exist yet
            # Only the ids: drafts are not validated labels (older ones hold spans a label file refuses).
            for f in label_files([drafts]):
                ids |= {json.loads(line)["id"] for line in read_text(f).splitlines() if line.strip()}
        candidates = root / "heldout" / CANDIDATES
        if candidates.is_file():  # drawn for the held-out set, not labelled yet: never a training draw
            ids |= {w for line in read_text(candidates).splitlines() if not line.startswith("#") for w in line.split()}
    return ids


def sample_ids(
    corpus: Path,
    n: int,
    seed: int,
    exclude: set[str],
    prefix: str = "",
    not_in_title: Iterable[str] = NOT_PLANS,
    in_text: Iterable[str] = (),
    family: str = "",
    families: Mapping[str, str] | None = None,
) -> list[str]:
    """``n`` ids drawn with ``seed`` from records whose id starts with ``prefix``, outside ``exclude``,
    whose normalised title contains none of ``not_in_title`` and, if ``in_text`` is given, whose
    normalised text contains one of its words (a stratum, e.g. plans with lead units); with ``family``,
    only records that ``families`` (``labels/families.tsv``) puts in that layout family; in corpus order."""
    words, wanted = tuple(not_in_title), tuple(in_text)
    if family and families is None:
        raise ValueError("drawing by family needs the families file (labels/families.tsv)")
    pool = []
    if not corpus.is_file():
        raise ValueError(corpus_missing(corpus))
    for line in read_text(corpus).splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        doc_id, title = record["id"], normalise(record.get("title", "")).text
        if not doc_id.startswith(prefix) or doc_id in exclude or any(w in title for w in words):
            continue
        if wanted and not any(w in normalise(record.get("text", "")).text for w in wanted):
            continue
        if family and families is not None and families.get(doc_id) != family:
            continue
        pool.append(doc_id)
    if n > len(pool):
        where = f" in family {family}" if family else ""
        raise ValueError(f"{corpus}: only {len(pool)} unlabelled records match{where}; ask for at most that many")
    chosen = set(random.Random(seed).sample(pool, n))
    return [i for i in pool if i in chosen]


def draw_by_family(
    corpus: Path, families: Mapping[str, str], seed: int, exclude: set[str], prefix: str, per_family: int = 3
) -> dict[str, list[str]]:
    """For each family among the unlabelled ``prefix`` records, draw with ``seed`` up to ``per_family``
    ids but never more than half the family rounded up, so a small family keeps some for training."""
    sizes: dict[str, int] = {}
    if not corpus.is_file():
        raise ValueError(corpus_missing(corpus))
    for line in read_text(corpus).splitlines():
        doc_id = json.loads(line)["id"] if line.strip() else ""
        if doc_id.startswith(prefix) and doc_id not in exclude and doc_id in families:
            sizes[families[doc_id]] = sizes.get(families[doc_id], 0) + 1
    return {
        name: sample_ids(corpus, min(per_family, (n + 1) // 2), seed, exclude, prefix, (), (), name, families)
        for name, n in sorted(sizes.items())
    }
