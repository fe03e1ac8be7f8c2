"""POST /v1/extract and /v1/extract/batch: entities and the task table, as JSON or a CSV/XLSX file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from serving import export, extraction
from serving.deps import ServiceDep
from serving.errors import ClientError
from serving.results import model_out
from serving.schemas import BatchRequest, BatchResponse, ExtractRequest, ExtractResponse, Format, error_responses

router = APIRouter(tags=["extract"])
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {export.CSV_TYPE: {}, export.XLSX_TYPE: {}}, "description": "JSON, or the task table as a file"},
    **error_responses(400, 413, 415, 422, 429, 503),
}
FormatQuery = Annotated[Format, Query(description="json (default), or the task table as csv or xlsx")]


@router.post("/v1/extract", response_model=ExtractResponse, responses=_RESPONSES)
async def extract(body: ExtractRequest, service: ServiceDep, format: FormatQuery = "json") -> Any:
    """Extract entities and the task table from one text."""
    extraction.check_size(body.text, "text", service.settings)
    state = service.state  # once: the answer names the model that made it, even across a reload
    results, timing = await extraction.extract(service, state, [body.text], body.options)
    if format != "json":
        return extraction.table_file(results, format, batch=False)
    # model_construct: the result is validated already, and re-validating a large one is slow.
    return ExtractResponse.model_construct(**dict(results[0]), model=model_out(state.loaded), timing=timing)


@router.post("/v1/extract/batch", response_model=BatchResponse, responses=_RESPONSES)
async def extract_batch(body: BatchRequest, service: ServiceDep, format: FormatQuery = "json") -> Any:
    """Extract from several texts at once; their windows share model batches."""
    s = service.settings
    if len(body.texts) > s.max_batch:
        raise ClientError(413, f"the batch has {len(body.texts)} texts; the limit is {s.max_batch} (PLANEX_MAX_BATCH)")
    for i, text in enumerate(body.texts):
        extraction.check_size(text, f"texts[{i}]", s)
    total = sum(map(len, body.texts))
    if total > s.max_batch_chars:
        raise ClientError(
            413, f"the batch has {total} characters in all; the limit is {s.max_batch_chars} (PLANEX_MAX_BATCH_CHARS)"
        )
    state = service.state
    results, timing = await extraction.extract(service, state, body.texts, body.options)
    if format != "json":
        return extraction.table_file(results, format, batch=True)
    return BatchResponse(results=results, model=model_out(state.loaded), timing=timing)
