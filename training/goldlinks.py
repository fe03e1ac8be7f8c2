"""The attachment rule on its own: the task table built from the GOLD spans, scored against the gold links.

The model's link score mixes two errors: spans that are wrong, and right spans attached to the wrong
task. Building the table from the gold spans with the server's rule
(:func:`planex.tasktable.build_task_table`) leaves only the second, so this report says how much of a
model's link error the rule itself causes, per kind, per layout family (``labels/families.tsv``, or
for a document not filed there its corpus record classified, as the family folds of the benchmark
do) and per label file, with the wrong
links in their context.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from planex.document import Document
from planex.labelfile import label_files, load_documents
from planex.layouts import read_families
from planex.links import kind_name
from planex.paths import LABELS, PROJECT
from planex.scheme import LabelScheme
from training.familyfolds import document_families
from training.linkscore import document_link_scores, gold_table, predicted_table

FAMILIES = LABELS / "families.tsv"
_CONTEXT = 40  # characters of text shown either side of a wrong link's attribute span


def _shown(path: Path | None) -> str:
    """A path as a report shows it: relative to the project when it lies inside."""
    assert path is not None
    try:
        return str(path.resolve().relative_to(PROJECT))
    except ValueError:
        return str(path)


def _scored(docs: Sequence[Document], labels: Sequence[str]) -> dict[str, Any]:
    return document_link_scores(docs, [d.spans for d in docs], labels, on_gold_spans=False)


def wrong_links(doc: Document) -> list[dict[str, Any]]:
    """Links the rule misses or adds on ``doc``'s gold spans, each with the texts and context around it."""
    if doc.links is None:
        return []
    gold, got = gold_table(doc.spans, doc.links), predicted_table(doc.text, doc.spans)
    out = []
    for side, links in (("missed", gold.links - got.links), ("spurious", got.links - gold.links)):
        for task, label, (start, end) in sorted(links):
            out.append(
                {
                    "doc": doc.id,
                    "side": side,
                    "kind": kind_name(label),
                    "task": doc.text[task[0] : task[1]],
                    "span": doc.text[start:end],
                    "offsets": [list(task), [start, end]],
                    "context": doc.text[max(0, start - _CONTEXT) : end + _CONTEXT],
                }
            )
    return out


def gold_link_report(
    paths: Sequence[Path], scheme: LabelScheme, families: Path | None = FAMILIES, command: str = ""
) -> dict[str, Any]:
    """Score the rule's links on the gold spans of every label file under ``paths`` (never ``heldout/``)."""
    filed = read_families(families) if families is not None and families.is_file() else {}
    labels = scheme.names
    by_file: dict[str, list[Document]] = {}
    for path in label_files(paths):
        by_file[str(path)] = load_documents([path], scheme)
    docs = [d for file_docs in by_file.values() for d in file_docs]
    family, _ = document_families(docs, filed)  # as the benchmark's family folds file them
    by_family: dict[str, list[Document]] = {}
    for d in docs:
        by_family.setdefault(family[d.id], []).append(d)
    return {
        "title": "planex evaluate --links-on-gold",
        "command": command,
        "labels": list(labels),
        "documents": len(docs),
        "families_file": _shown(families) if filed else None,
        "all": _scored(docs, labels),
        "by_family": {name: _scored(group, labels) for name, group in sorted(by_family.items())},
        "by_file": {name: _scored(group, labels) for name, group in by_file.items()},
        "wrong": [w for d in docs for w in wrong_links(d)],
    }


def _cell(s: dict[str, Any]) -> str:
    return f"{s['f1']:.3f} ({s['correct']}/{s['predicted']}/{s['support']})" if s["support"] or s["predicted"] else "–"


def _group_table(title: str, groups: dict[str, dict[str, Any]], kinds: list[str]) -> list[str]:
    head = f"| {title} | docs | " + " | ".join(kind_name(k) for k in kinds) + " | link P | link R | link F1 | rows |"
    lines = [head, "|---|---:|" + "---|" * len(kinds) + "---:|---:|---:|---:|"]
    for name, s in groups.items():
        m = s["exact"]["micro"]
        cells = " | ".join(_cell(s["exact"]["per_kind"][k]) for k in kinds)
        prf = (
            f"{m['precision']:.3f} | {m['recall']:.3f} | **{m['f1']:.3f}**"
            if m["support"] or m["predicted"]
            else "– | – | –"
        )
        rows = f"{s['rows']['share']:.3f}" if s["rows"]["gold"] else "–"
        lines.append(f"| {name} | {s['documents']} | {cells} | {prf} | {rows} |")
    return lines


def render_markdown(report: dict[str, Any], examples: int = 40) -> str:
    """The report as Markdown: overall, per family and per file, then the wrong links."""
    kinds = [k for k in report["labels"] if k != "TASK"]
    overall = report["all"]
    lines = [
        f"# {report['title']}",
        "",
        "Task links built by the server's attachment rule from the gold spans, scored against the gold links "
        "(exact spans; a cell reads F1 (correct/predicted/gold)). `rows` is the share of gold task rows whose "
        "full set of attributes is right. Documents with a TASK but no labelled links are left out "
        f"({overall['documents_without_links']} here).",
        "",
        f"Command: `{report['command']}`" if report["command"] else "",
        "",
        *_group_table("set", {"all": overall}, kinds),
        "",
        "By layout family"
        + (f" (`{report['families_file']}`, else the corpus record classified):" if report["families_file"] else ":"),
        "",
        *_group_table("family", report["by_family"], kinds),
        "",
        "By label file:",
        "",
        *_group_table("file", report["by_file"], kinds),
        "",
    ]
    wrong = report["wrong"]
    lines.append(f"Wrong links: {len(wrong)}" + (f" (the first {examples}):" if len(wrong) > examples else ":"))
    lines.append("")
    for w in wrong[:examples]:
        context = w["context"].replace("\n", "⏎").replace("|", "\\|")
        lines.append(f"- {w['doc']} {w['side']} {w['kind']}: `{w['span']}` → task `{w['task']}`; …{context}…")
    return "\n".join(lines) + "\n"
