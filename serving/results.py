"""Turn extractor output into API results: entities, the task table and read values."""

from __future__ import annotations

from collections.abc import Sequence

from planex.celltext import cell_text
from planex.inference import Entity
from planex.modelio import LoadedModel
from planex.normalise import Normalised
from planex.scheme import TABLE_COLUMNS
from planex.tasktable import build_task_table
from planex.values import parse_deadline, parse_indicator
from serving.schemas import (
    DeadlineValue,
    DocumentResult,
    EntityOut,
    IndicatorValue,
    LabelOut,
    ModelOut,
    Options,
    SpanOut,
    TaskOut,
)

# The fields of a task record that hold attached spans; spans of labels added later go to ``other``.
ATTACHED = {label: column for label, column in TABLE_COLUMNS.items() if label != "TASK"}


def model_out(loaded: LoadedModel) -> ModelOut:
    """Describe the served model: name, version and labels with their colours."""
    labels = [
        LabelOut(name=lb.name, description=lb.description, color=lb.color, column=TABLE_COLUMNS.get(lb.name))
        for lb in loaded.scheme.labels
    ]
    return ModelOut(name=loaded.name, version=loaded.version, labels=labels)


def entity_out(norm: Normalised, ent: Entity) -> EntityOut:
    """Return an entity with its raw text and offsets and the reader's normalised text."""
    normalised = cell_text(norm, ent.norm_start, ent.norm_end)
    return EntityOut(
        label=ent.label, text=ent.text, start=ent.start, end=ent.end, normalised=normalised, score=ent.score
    )


def span_out(norm: Normalised, ent: Entity, doc_year: int | None) -> SpanOut:
    """Return an entity with the value read from its text, where its label has one."""
    value: DeadlineValue | IndicatorValue | None = None
    if ent.label == "DEADLINE":
        value = DeadlineValue(**parse_deadline(ent.text, doc_year))
    elif ent.label == "INDICATOR":
        value = IndicatorValue(**parse_indicator(ent.text))
    return SpanOut(**entity_out(norm, ent).model_dump(), value=value)


def document_result(norm: Normalised, entities: Sequence[Entity], options: Options) -> DocumentResult:
    """Build the result for one document: entities above ``min_score``, its task table and unattached spans."""
    kept = sorted((e for e in entities if e.score >= options.min_score), key=lambda e: (e.start, e.end))
    table = build_task_table(norm, kept)
    year = options.doc_year
    tasks = []
    for n, record in enumerate(table.tasks, 1):
        columns: dict[str, list[SpanOut]] = {c: [] for c in ATTACHED.values()}
        other: dict[str, list[SpanOut]] = {}
        for label, spans in record.attached.items():
            target = columns[ATTACHED[label]] if label in ATTACHED else other.setdefault(label, [])
            target.extend(span_out(norm, e, year) for e in spans)
        tasks.append(
            TaskOut(
                id=n,
                section=[s.marker for s in record.section],
                section_headings=[s.heading for s in record.section],
                title=span_out(norm, record.task, year),
                other=other,
                **columns,
            )
        )
    return DocumentResult(
        characters=len(norm.raw),
        entities=[entity_out(norm, e) for e in kept],
        tasks=tasks,
        unattached=[span_out(norm, e, year) for e in table.unattached],
        normalised_text=norm.text if options.include_normalised_text else None,
    )
