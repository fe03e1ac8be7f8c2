"""Error analysis: every wrong predicted or missed span, by kind, counted in full and sampled with context.

Each error is listed once, from the gold side where a gold span is involved:

- ``missed``: a gold span no prediction overlaps;
- ``spurious``: a prediction no gold span overlaps;
- ``label``: a prediction with a gold span's exact offsets but another label;
- ``fragment``: a piece taken for the whole, the errors a reader of the task table sees as a cut
  cell: a prediction of the gold span's label lying strictly inside it or overlapping it only
  partly (an indicator cut before its unit, a lead unit cut inside a name), ``why`` ``inside`` or
  ``partial``; or a DEADLINE predicted on a version or document year where gold has no span
  (``2023年`` in a title or a cited 《…》 title, ``〔2023〕`` in a document number, ``2023年版``),
  ``why`` ``version year``;
- ``boundary``: any other overlap (a prediction running past a gold span, or one of another label).

>>> from planex.document import Document, Span
>>> doc = Document("d", "指标：覆盖率达到95%以上。", [Span(3, 14, "INDICATOR")], "")
>>> [(e["kind"], e["why"], e["other"][0]["text"]) for e in classify([doc], [[Span(3, 10, "INDICATOR")]])]
[('fragment', 'inside', '覆盖率达到95')]
"""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import Any

from planex.document import Document, Span

KINDS = ("missed", "spurious", "label", "fragment", "boundary")
FRAGMENTS = ("inside", "partial", "version year")

_YEAR = re.compile(r"(?:19|20)\d{2}")
# A year that dates the document itself, not a task: a document number, a version, a cited title.
_DOCUMENT_YEAR = re.compile(
    r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]"  # 〔2023〕5号
    r"|(?:19|20)\d{2}\s*年?\s*(?:年度)?(?:版|修订|修正)"  # 2023年版, 2023修订
    r"|《[^《》\n]*》"  # a cited title
)
# A line that is a document title: it ends with the kind of document (and no sentence end).
_TITLE_LINE = re.compile(
    r"(?:通知|方案|意见|办法|规划|要点|计划|报告|决定|细则|措施|规定|清单|分工|公告|通告)[》」”)）]*\s*$"
)


def version_year(text: str, span: Span) -> bool:
    """Whether ``span`` holds a year of the document itself (title, number, version) rather than a deadline.

    >>> version_year("泰安市2023年数字政府建设工作要点\\n", Span(3, 8, "DEADLINE"))
    True
    >>> version_year("（泰政办发〔2023〕5号）", Span(6, 10, "DEADLINE"))
    True
    >>> version_year("2023年底前建成平台。", Span(0, 7, "DEADLINE"))
    False
    """
    if not _YEAR.search(text[span.start : span.end]):
        return False
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    start, end = span.start - line_start, span.end - line_start
    if any(m.start() < end and start < m.end() for m in _DOCUMENT_YEAR.finditer(line)):
        return True
    return bool(_TITLE_LINE.search(line))


def _fragment(gold: Span, pred: Span) -> str | None:
    """``inside`` or ``partial`` when ``pred`` is a piece of ``gold`` (same label), else None."""
    if pred.label != gold.label or (pred.start, pred.end) == (gold.start, gold.end):
        return None
    if gold.start <= pred.start and pred.end <= gold.end:
        return "inside"
    if pred.start < gold.start < pred.end < gold.end or gold.start < pred.start < gold.end < pred.end:
        return "partial"
    return None  # the prediction covers the whole gold span and more: a boundary error


def classify(docs: list[Document], pred: list[list[Span]]) -> list[dict[str, Any]]:
    """Every error of ``pred`` against the gold spans of ``docs``, in document and text order."""
    out = []
    for d, p in zip(docs, pred, strict=True):
        gold, got = set(d.spans), set(p)
        for s in sorted(gold ^ got):  # sorted: a set's order changes from run to run
            overlap = sorted(o for o in (got if s in gold else gold) if o.start < s.end and s.start < o.end)
            if s not in gold and overlap:
                continue  # listed once, from the gold side
            why = None
            if not overlap:
                kind = "missed" if s in gold else "spurious"
                if kind == "spurious" and s.label == "DEADLINE" and version_year(d.text, s):
                    kind, why = "fragment", "version year"
            elif any((o.start, o.end) == (s.start, s.end) for o in overlap):
                kind = "label"
            else:
                why = next((f for f in (_fragment(s, o) for o in overlap) if f), None)
                kind = "fragment" if why else "boundary"
            out.append(
                {
                    "doc": d.id,
                    "kind": kind,
                    "why": why,
                    "side": "gold" if s in gold else "pred",
                    "label": s.label,
                    "text": d.text[s.start : s.end],
                    "context": d.text[max(0, s.start - 20) : s.end + 20],
                    "other": [{"label": o.label, "text": d.text[o.start : o.end]} for o in overlap],
                }
            )
    return out


def counts(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Errors per kind and label, and fragments per reason (every error, not a sample)."""
    by_kind = Counter((e["kind"], e["label"]) for e in errors)
    return {
        "per_kind": {k: {lab: n for (kind, lab), n in sorted(by_kind.items()) if kind == k} for k in KINDS},
        "fragments": {why: sum(e["why"] == why for e in errors) for why in FRAGMENTS},
    }


def add_counts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The counts of several test sets (folds) together."""
    per_kind: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    fragments: Counter[str] = Counter(dict.fromkeys(FRAGMENTS, 0))
    for part in parts:
        for kind, labels in part["per_kind"].items():
            per_kind[kind].update(labels)
        fragments.update(part["fragments"])
    return {"per_kind": {k: dict(sorted(v.items())) for k, v in per_kind.items()}, "fragments": dict(fragments)}


def sample(errors: list[dict[str, Any]], limit: int, kind: str | None = None) -> list[dict[str, Any]]:
    """A seeded random sample of ``limit`` errors (of one ``kind``), fair across documents and folds."""
    chosen = [e for e in errors if kind is None or e["kind"] == kind]
    random.Random(0).shuffle(chosen)
    return chosen[:limit]


def markdown_table(systems: dict[str, Any], examples: int = 3) -> list[str]:
    """Errors by kind for one benchmark setting, with fragment examples (nothing for older reports)."""
    scored = {name: r["error_counts"] for name, r in systems.items() if r.get("error_counts")}
    if not scored:
        return []
    lines = [
        "",
        "Errors by kind, every error counted once (`fragment`: a piece of a gold span taken for the whole: "
        "inside it, overlapping it partly, or a DEADLINE on the document's own year in a title, number or "
        "version; `boundary`: other overlaps):",
        "",
        "| system | " + " | ".join(KINDS) + " | fragments inside / partial / version year |",
        "|---" * (len(KINDS) + 2) + "|",
    ]
    for name, c in scored.items():
        cells = [str(sum(c["per_kind"][k].values())) for k in KINDS]
        split = " / ".join(str(c["fragments"][w]) for w in FRAGMENTS)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {split} |")
    shown = [(name, e) for name in scored for e in systems[name].get("fragment_examples", [])[:examples]]
    if shown:
        lines += ["", "Fragment examples (gold → predicted; a version year has no gold span):", ""]
        for name, e in shown:
            on_gold = e["side"] == "gold"
            gold, predicted = (e["text"], [o["text"] for o in e["other"]]) if on_gold else ("—", [e["text"]])
            lines.append(
                f"- {name}, {e['label']} ({e['why']}): 「{gold}」 → "
                + "; ".join(f"「{t}」" for t in predicted)
                + f" in …{e['context']}…".replace("\n", " ")
            )
    return lines
