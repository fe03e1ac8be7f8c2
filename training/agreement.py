"""Inter-annotator agreement: a second, independent labelling scored against the gold of the same documents.

Spans are scored by exact (start, end, label) match per label and micro (:func:`exact_span_scores`),
links as exact (task span, kind, attribute span) triples (:func:`link_scores`), with the gold as
reference, so precision reads "share of the second pass the gold agrees with". Every
disagreement is listed so that each can be read against the guideline.

Usage: ``python -m training.agreement labels/work/agreement/second_pass.jsonl labels/corpus/``
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from planex.document import Document
from planex.labelfile import load_documents
from training.linkscore import gold_table, link_scores
from training.scoring import exact_span_scores

LABELS = ("TASK", "DEADLINE", "LEAD_UNIT", "INDICATOR")
KINDS = LABELS[1:]


def agreement(gold: Sequence[Document], second: Sequence[Document]) -> dict[str, Any]:
    """Span and link agreement of ``second`` with ``gold`` (matched by id) and the disagreements."""
    by_id = {d.id: d for d in gold}
    missing = [d.id for d in second if d.id not in by_id]
    if missing:
        raise ValueError(f"no gold document for ids {missing}; give the gold files that hold them")
    pairs = [(by_id[d.id], d) for d in second]
    for g, s in pairs:
        if g.text != s.text:
            raise ValueError(f"{s.id}: the second pass has a different text than the gold; label the gold text as is")
    spans = exact_span_scores(
        [[(x.start, x.end, x.label) for x in g.spans] for g, _ in pairs],
        [[(x.start, x.end, x.label) for x in s.spans] for _, s in pairs],
        LABELS,
    )
    tables = [(gold_table(g.spans, g.links or []), gold_table(s.spans, s.links or [])) for g, s in pairs]
    links = link_scores([t for t, _ in tables], [t for _, t in tables], KINDS)
    diffs: list[dict[str, Any]] = []
    for (g, s), (gt, st) in zip(pairs, tables, strict=True):
        gs, ss = {(x.start, x.end, x.label) for x in g.spans}, {(x.start, x.end, x.label) for x in s.spans}
        for side, only in (("gold", gs - ss), ("second", ss - gs)):
            for a, b, lab in sorted(only):
                diffs.append(
                    {"id": g.id, "only_in": side, "what": "span", "label": lab, "text": g.text[a:b], "at": [a, b]}
                )
        for side, only_links in (("gold", gt.links - st.links), ("second", st.links - gt.links)):
            for task, kind, attr in sorted(only_links):
                diffs.append(
                    {
                        "id": g.id,
                        "only_in": side,
                        "what": "link",
                        "label": kind,
                        "text": f"{g.text[task[0] : task[1]]} -> {g.text[attr[0] : attr[1]]}",
                        "at": [list(task), list(attr)],
                    }
                )
    return {"documents": len(pairs), "spans": spans, "links": links["exact"], "disagreements": diffs}


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("second", help="JSONL of the second labelling")
    ap.add_argument("gold", nargs="+", help="gold label files or folders that hold the same documents")
    args = ap.parse_args(argv)
    result = agreement(load_documents(args.gold), load_documents([args.second]))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
