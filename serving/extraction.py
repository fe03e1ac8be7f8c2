"""Run texts through the served model on the inference pool, and turn results into JSON or a file."""

from __future__ import annotations

import time

from fastapi.responses import Response

from serving import export, memory
from serving.deps import Service
from serving.errors import ClientError
from serving.reload import ModelState
from serving.results import document_result
from serving.schemas import DocumentResult, Format, Options, Timing
from serving.settings import Settings


def check_size(text: str, name: str, settings: Settings) -> None:
    """Refuse an oversize text with 413 before any work: never a silent cut."""
    if len(text) > settings.max_chars:
        raise ClientError(
            413, f"{name} has {len(text)} characters; the limit is {settings.max_chars} (PLANEX_MAX_CHARS)"
        )


async def extract(
    service: Service, state: ModelState, texts: list[str], options: Options
) -> tuple[list[DocumentResult], Timing]:
    """Extract from ``texts`` with ``state``'s model on the pool (429 when it is full); count them in the metrics."""
    start = time.perf_counter()

    def job() -> list[DocumentResult]:
        out = [document_result(n, ents, options) for n, ents in state.extractor.extract(texts)]
        memory.release_after(sum(map(len, texts)))
        return out

    results, queued, ran = await service.pool.run(job)
    service.metrics.characters.inc(sum(map(len, texts)))
    service.metrics.documents.inc(len(texts))
    total = time.perf_counter() - start
    return results, Timing(
        queue_ms=round(queued * 1000, 1), inference_ms=round(ran * 1000, 1), total_ms=round(total * 1000, 1)
    )


def table_file(results: list[DocumentResult], fmt: Format, batch: bool) -> Response:
    """The task table of ``results`` as a CSV or XLSX download."""
    table = export.rows(results, with_document=batch)
    data, media = (export.to_csv(table), export.CSV_TYPE) if fmt == "csv" else (export.to_xlsx(table), export.XLSX_TYPE)
    headers = {"Content-Disposition": f'attachment; filename="planex-tasks.{fmt}"'}
    return Response(data, media_type=media, headers=headers)
