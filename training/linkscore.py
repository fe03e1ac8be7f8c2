"""Score the task table: task→attribute links as (task span, kind, attribute span) triples.

A link is right only if both spans are exact and the gold links them (``LABELING.md``, "Task
links"). The lenient figure lets the task span merely overlap a gold task span that the gold
links to the same attribute span, so attachment errors can be told from span errors. A task
row is right when its TASK span is exact and its full set of (kind, attribute span) is the
gold's. Predicted links come from :func:`planex.tasktable.build_task_table`, the attachment the
server uses.

>>> gold = Table.of([((0, 4), "DEADLINE", (5, 9))], tasks=[(0, 4)])
>>> pred = Table.of([((0, 3), "DEADLINE", (5, 9))], tasks=[(0, 3)])
>>> s = link_scores([gold], [pred], ["DEADLINE"])
>>> s["exact"]["micro"]["f1"], s["lenient"]["micro"]["f1"], s["rows"]["exact"]
(0.0, 1.0, 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from planex.document import Document, Span
from planex.links import Link, kind_name, propose_links
from planex.tasktable import TASK

Offsets = tuple[int, int]
Triple = tuple[Offsets, str, Offsets]  # (task span, kind = the attribute's label, attribute span)


@dataclass(frozen=True)
class Table:
    """The task rows of one document: its TASK spans and its links."""

    tasks: frozenset[Offsets]
    links: frozenset[Triple]

    @classmethod
    def of(cls, links: Iterable[Triple], tasks: Iterable[Offsets] = ()) -> Table:
        links = frozenset(links)
        return cls(frozenset(tasks) | {t for t, _, _ in links}, links)


def predicted_table(text: str, spans: Iterable[Span]) -> Table:
    """Attach ``spans`` (over the normalised ``text``) with the server's rule and return the table."""
    spans = list(spans)
    label = {(s.start, s.end): s.label for s in spans}
    links = [(k.task, label[k.span], k.span) for k in propose_links(text, spans)]
    return Table.of(links, [(s.start, s.end) for s in spans if s.label == TASK])


def gold_table(spans: Iterable[Span], links: Iterable[Link]) -> Table:
    """The table a labelled document states: its TASK spans and its ``links``."""
    spans = list(spans)
    label = {(s.start, s.end): s.label for s in spans}
    return Table.of(
        ((k.task, label[k.span], k.span) for k in links), [(s.start, s.end) for s in spans if s.label == TASK]
    )


def _overlap(a: Offsets, b: Offsets) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _matching(gold: list[Offsets], pred: list[Offsets]) -> int:
    """Size of a maximum one-to-one matching of overlapping task spans (Kuhn's augmenting paths).

    One attribute span may belong to several tasks (a merged table cell), so each predicted task
    may stand for at most one gold task and the other way round.
    """
    owner: dict[int, int] = {}  # gold index -> predicted index

    def augment(p: int, seen: set[int]) -> bool:
        for g, span in enumerate(gold):
            if g not in seen and _overlap(span, pred[p]):
                seen.add(g)
                if g not in owner or augment(owner[g], seen):
                    owner[g] = p
                    return True
        return False

    return sum(augment(p, set()) for p in range(len(pred)))


def _lenient_hits(gold: frozenset[Triple], pred: frozenset[Triple], kind: str) -> int:
    by_attr: dict[Offsets, tuple[list[Offsets], list[Offsets]]] = {}
    for side, links in ((0, gold), (1, pred)):
        for task, k, attr in links:
            if k == kind:
                by_attr.setdefault(attr, ([], []))[side].append(task)
    return sum(_matching(sorted(g), sorted(p)) for g, p in by_attr.values())


def _prf(hits: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = hits / n_pred if n_pred else 0.0
    r = hits / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "support": n_gold, "predicted": n_pred, "correct": hits}


def _row(table: Table, task: Offsets) -> frozenset[tuple[str, Offsets]]:
    return frozenset((k, a) for t, k, a in table.links if t == task)


def link_scores(gold: Sequence[Table], pred: Sequence[Table], kinds: Sequence[str]) -> dict[str, Any]:
    """Link precision/recall/F1 per kind and micro, exact and lenient, and the share of exact task rows."""
    counts = {k: [0, 0, 0, 0] for k in kinds}  # exact hits, lenient hits, predicted, gold
    rows = [0, 0, 0, 0]  # gold rows, exact rows, gold rows with attributes, exact ones among them
    for g, p in zip(gold, pred, strict=True):
        for k in kinds:
            gk = frozenset(x for x in g.links if x[1] == k)
            pk = frozenset(x for x in p.links if x[1] == k)
            c = counts[k]
            c[0] += len(gk & pk)
            c[1] += _lenient_hits(gk, pk, k)
            c[2] += len(pk)
            c[3] += len(gk)
        for task in g.tasks:
            want = _row(g, task)
            right = task in p.tasks and _row(p, task) == want
            rows[0] += 1
            rows[1] += right
            rows[2] += bool(want)
            rows[3] += right and bool(want)
    out: dict[str, Any] = {}
    for name, hit in (("exact", 0), ("lenient", 1)):
        per = {k: _prf(c[hit], c[2], c[3]) for k, c in counts.items()}
        total = [sum(c[i] for c in counts.values()) for i in range(4)]
        out[name] = {"per_kind": per, "micro": _prf(total[hit], total[2], total[3])}
    out["rows"] = {"gold": rows[0], "exact": rows[1], "share": rows[1] / rows[0] if rows[0] else 0.0}
    out["rows_with_attributes"] = {"gold": rows[2], "exact": rows[3], "share": rows[3] / rows[2] if rows[2] else 0.0}
    return out


def document_link_scores(
    docs: Sequence[Document], pred: Sequence[Sequence[Span]], labels: Sequence[str], on_gold_spans: bool = True
) -> dict[str, Any]:
    """Link scores of predicted spans (attached by the server's rule) against the documents' gold links.

    A document counts when its links are labelled, or when it has no TASK span (then it has no
    links to label); the others are counted in ``documents_without_links`` and left out. With
    ``on_gold_spans``, ``on_gold_spans`` also holds the scores of the rule on the gold spans of the
    same documents: the link score a system would get with every span right, so the rest of its
    gap is span error.
    """
    kinds = [lab for lab in labels if lab != TASK]
    scored = [d for d in docs if d.links is not None or all(s.label != TASK for s in d.spans)]
    gold = [gold_table(d.spans, d.links or []) for d in scored]
    kept = {id(d) for d in scored}
    got = [predicted_table(d.text, p) for d, p in zip(docs, pred, strict=True) if id(d) in kept]
    out = link_scores(gold, got, kinds)
    out["documents"], out["documents_without_links"] = len(gold), len(docs) - len(gold)
    if on_gold_spans:
        out["on_gold_spans"] = link_scores(gold, [predicted_table(d.text, d.spans) for d in scored], kinds)
    return out


def markdown_table(systems: dict[str, Any]) -> list[str]:
    """The task-link table of one benchmark setting (nothing for reports made before links were scored)."""
    scored = {name: r["links"] for name, r in systems.items() if r.get("links")}
    if not scored:
        return []
    kinds = list(next(iter(scored.values()))["exact"]["per_kind"])
    lines = [
        "",
        "Task links (task span, kind, attribute span), predicted by the server's attachment rule on each "
        "system's spans: F1 per kind and micro P/R/F1 with exact spans; `lenient` lets the task span merely "
        "overlap the gold one; `rows` is the share of gold task rows whose task span and full set of "
        "attributes are exactly right (`rows+` counts only the rows that have attributes). *gold spans* is the "
        "rule on the gold spans of the same documents: a system's distance below it is span error, the "
        "distance from it to 1 attachment error (`planex evaluate --links-on-gold` has the details).",
        "",
        "| system | "
        + " | ".join(kind_name(k) for k in kinds)
        + " | link P | link R | link F1 | lenient F1 | rows | rows+ |",
        "|---" * (len(kinds) + 7) + "|",
    ]
    first = next(iter(scored.values()))
    rows = dict(scored)
    if first.get("on_gold_spans"):  # the same for every system: the rule alone, on the gold spans
        rows["*gold spans*"] = first["on_gold_spans"]
    for name, s in rows.items():
        cells = [f"{s['exact']['per_kind'][k]['f1']:.3f}" for k in kinds]
        m = s["exact"]["micro"]
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {m['precision']:.3f} | {m['recall']:.3f} | **{m['f1']:.3f}** | "
            f"{s['lenient']['micro']['f1']:.3f} | {s['rows']['share']:.3f} | {s['rows_with_attributes']['share']:.3f} |"
        )
    support = ", ".join(f"{kind_name(k)} {first['exact']['per_kind'][k]['support']}" for k in kinds)
    missing = first.get("documents_without_links", 0)
    lines += [
        "",
        f"Gold links: {support}; {first['rows']['gold']} task rows in {first['documents']} documents"
        + (f" ({missing} documents without labelled links left out)." if missing else "."),
    ]
    return lines
