"""Pre-annotate raw texts with a trained model, so people correct its spans instead of starting from nothing.

Two outputs: Label Studio tasks whose ``predictions`` hold the model's spans over the RAW
text (what annotators should see), or planex draft records over the NORMALISED text (the
same shape as ``planex labels preannotate`` writes, for the sheet review workflow).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planex import atomic
from planex.celltext import cell_text
from planex.document import Document, Span
from planex.formats import labelstudio
from planex.formats.offsets import Units
from planex.labelfile import write_documents
from planex.paths import PROJECT as ROOT
from planex.textio import iter_jsonl_records, read_text

if TYPE_CHECKING:  # inference imports torch; the CLI imports this module for every command
    from planex.inference import Entity

TARGETS = ("label-studio", "jsonl")


@dataclass(frozen=True)
class RawDoc:
    id: str
    source: str
    raw: str


def _source(path: Path) -> str:
    # Relative to the project when inside it, as `planex labels renormalise` resolves it.
    full = path.resolve()
    return str(full.relative_to(ROOT)) if full.is_relative_to(ROOT) else str(full)


def read_inputs(paths: Iterable[Path]) -> list[RawDoc]:
    """Read .txt files (folders give their ``*.txt``) and .jsonl records with ``text``; ids must be unique."""
    docs: list[RawDoc] = []
    for path in paths:
        if path.is_dir():
            docs += [RawDoc(f.stem, _source(f), read_text(f)) for f in sorted(path.glob("*.txt"))]
        elif path.suffix == ".jsonl":
            for n, record in iter_jsonl_records(path):
                doc_id = str(record.get("id") or f"{path.stem}-{n}")
                # `corpus:ID` is what `planex labels renormalise --corpus FILE` resolves.
                docs.append(RawDoc(doc_id, f"corpus:{doc_id} {record.get('url', '')}".strip(), record["text"]))
        elif path.is_file():
            docs.append(RawDoc(path.stem, _source(path), read_text(path)))
        else:
            raise ValueError(f"{path}: no such file or folder")
    ids = [d.id for d in docs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"document ids must be unique; repeated: {', '.join(dupes)} (rename the files)")
    return docs


def predict(
    model: Path, inputs: Sequence[Path], to: str, out: Path, units: Units = "codepoints"
) -> tuple[int, int, int]:
    """Predict spans for every input text and write them to ``out``; return (documents, spans, spans dropped)."""
    from planex.inference import Extractor
    from planex.modelio import load_model

    if to not in TARGETS:
        raise ValueError(f"--to must be one of {', '.join(TARGETS)}")
    docs = [d for d in read_inputs(inputs) if d.raw.strip()]
    if not docs:
        raise ValueError("no non-empty texts among the inputs")
    loaded = load_model(model)
    extractor = Extractor(loaded)
    tasks: list[dict[str, object]] = []
    drafts: list[Document] = []
    n_spans = dropped = 0
    for i in range(0, len(docs), 8):  # a few documents at a time keeps memory flat on long folders
        chunk = docs[i : i + 8]
        for doc, (norm, entities) in zip(chunk, extractor.extract([d.raw for d in chunk]), strict=True):
            if to == "jsonl":
                spans = [Span(e.norm_start, e.norm_end, e.label) for e in entities]
                drafts.append(Document(doc.id, norm.text, spans, doc.source))
                n_spans += len(spans)
                continue
            kept = _raw_regions(doc.raw, entities)
            dropped += len(entities) - len(kept)
            scores = [e.score for e in kept]
            # The task score orders Label Studio's queue, lowest first: shaky or empty predictions come up first.
            prediction = {
                "model_version": loaded.version,
                "score": round(sum(scores) / len(scores), 4) if scores else 0.0,
                "result": labelstudio.result_items(
                    doc.id,
                    doc.raw,
                    [Span(e.start, e.end, e.label) for e in kept],
                    units,
                    scores,
                    [cell_text(norm, e.norm_start, e.norm_end) for e in kept],
                ),
            }
            tasks.append(
                {"data": labelstudio.task_data(doc.id, doc.raw, doc.source, {}, raw=True), "predictions": [prediction]}
            )
            n_spans += len(kept)
    if to == "jsonl":
        write_documents(out, drafts)
    else:
        atomic.write_text(out, labelstudio.dumps(tasks))
    return len(docs), n_spans, dropped


def _raw_regions(raw: str, entities: Sequence[Entity]) -> list[Entity]:
    """Keep the best-scored entities whose raw spans neither overlap nor touch whitespace at an edge.

    Spans that are disjoint on the normalised text can overlap on the raw text where
    normalisation made several characters from one raw run (re-decoded mojibake such as
    ``。ㄒ唬┲``); planex labels cannot overlap, so the lower-scored one goes.
    """
    kept: list[Entity] = []
    for e in sorted(entities, key=lambda e: -e.score):
        piece = raw[e.start : e.end]
        if piece == piece.strip() and all(e.end <= k.start or k.end <= e.start for k in kept):
            kept.append(e)
    return sorted(kept, key=lambda e: e.start)
