"""What ``planex labels check`` and ``stats`` report: problems in label files, and counts per label."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from planex.document import Document
from planex.labelfile import iter_documents, label_files
from planex.links import summary_lines
from planex.scheme import LabelScheme
from planex.sources import renormalised


@dataclass(frozen=True)
class CheckResult:
    documents: int
    spans: int
    problems: list[str]
    unread: list[str]  # documents whose source could not be read, so their offsets were not checked


def check_files(paths: Iterable[Path], scheme: LabelScheme, corpus: Path | None = None) -> CheckResult:
    """Validate every label file under ``paths`` (held-out and feedback included); collect every problem,
    stale offsets included (a text that is no longer what its source normalises to)."""
    problems: list[str] = []
    n_docs = n_spans = 0
    unread: list[str] = []
    for path in label_files(paths, feedback=True, heldout=True):
        for doc, found in iter_documents(path, scheme):
            problems.extend(found)
            if doc is not None:
                n_docs += 1
                n_spans += len(doc.spans)
                problems += _stale(doc, path, corpus, unread)
    return CheckResult(n_docs, n_spans, problems, unread)


def _stale(doc: Document, path: Path, corpus: Path | None, unread: list[str]) -> list[str]:
    """A problem if ``doc``'s text is no longer what today's normaliser makes of its source (offsets out of date)."""
    try:
        norm = renormalised(doc, corpus)
    except (OSError, ValueError) as e:
        unread.append(f"{doc.id}: {e}")
        return []
    if norm is None or norm.text == doc.text:
        return []
    pairs = enumerate(zip(doc.text, norm.text, strict=False))
    at = next((i for i, (a, b) in pairs if a != b), min(len(doc.text), len(norm.text)))
    return [
        f"{path} ({doc.id}): text differs from its source as normalised today, from offset {at} "
        f"({doc.text[at : at + 12]!r} vs {norm.text[at : at + 12]!r}); span offsets are out of date: "
        f"run `planex labels renormalise {path}`"
    ]


def stats_table(docs: list[Document], names: tuple[str, ...]) -> str:
    """Counts per label per document, a total row, span-length distributions (characters) and task links."""
    lines = ["document".ljust(28) + "chars".rjust(8) + "".join(n.rjust(11) for n in names)]
    total: Counter[str] = Counter()
    lengths: dict[str, list[int]] = {n: [] for n in names}
    for d in docs:
        c = Counter(s.label for s in d.spans)
        total.update(c)
        for s in d.spans:
            lengths[s.label].append(s.end - s.start)
        lines.append(d.id[:27].ljust(28) + str(len(d.text)).rjust(8) + "".join(str(c[n]).rjust(11) for n in names))
    chars = sum(len(d.text) for d in docs)
    lines.append(
        f"{'TOTAL (' + str(len(docs)) + ' docs)':28}{chars:>8}" + "".join(str(total[n]).rjust(11) for n in names)
    )
    lines += ["", "span length (characters): min / median / mean / p90 / max"]
    for n in names:
        xs = sorted(lengths[n])
        if xs:
            p90 = xs[max(0, -(-9 * len(xs) // 10) - 1)]  # nearest-rank percentile
            lines.append(
                f"  {n:12} {xs[0]:>4} {statistics.median(xs):>7.1f} {statistics.mean(xs):>7.1f} {p90:>5} {xs[-1]:>5}"
            )
    lines += summary_lines(docs, names)
    return "\n".join(lines)
