"""POST /v1/extract/file: a PDF, Word .docx, HTML or text file in; its text, entities and task table out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from serving import export, extraction
from serving.deps import ServiceDep
from serving.documents import FileExtractResponse, file_result, read_upload
from serving.errors import ClientError
from serving.results import model_out
from serving.schemas import Format, Options, error_responses

PATH = "/v1/extract/file"
router = APIRouter(tags=["extract"])
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {export.CSV_TYPE: {}, export.XLSX_TYPE: {}}, "description": "JSON, or the task table as a file"},
    **error_responses(413, 415, 422, 429, 503),
}


def _options(raw: str | None) -> Options:
    try:
        return Options() if raw is None else Options.model_validate_json(raw)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'options'}: {err['msg']}" for err in e.errors())
        raise ClientError(
            422, f'the "options" field must be JSON options as /v1/extract takes them: {problems}'
        ) from None


@router.post(PATH, response_model=FileExtractResponse, responses=_RESPONSES)
async def extract_file(
    request: Request,
    service: ServiceDep,
    # Optional here so that a request without it gets a message saying how to send it (FastAPI's own
    # answer to a JSON body would be a 415 about JSON).
    file: Annotated[
        UploadFile | None, File(description="a .pdf (with a text layer), .docx, .html/.htm or .txt file")
    ] = None,
    options: Annotated[str | None, Form(description='JSON, as in /v1/extract, e.g. {"doc_year": 2023}')] = None,
    format: Annotated[Format, Query(description="json (default), or the task table as csv or xlsx")] = "json",
) -> Any:
    """Read a document file and extract from its text; offsets index the returned `text`, PDF entities carry a page."""
    if file is None:
        raise ClientError(
            422 if "multipart/form-data" in request.headers.get("content-type", "") else 415,
            'send the document as multipart/form-data in the field "file", '
            "e.g. curl -F file=@plan.pdf localhost:8000/v1/extract/file",
        )
    opts = _options(options)
    data = await file.read()
    name = file.filename or "upload"
    # Reading a long PDF takes seconds of CPU: off the event loop, so other requests go on.
    doc = await run_in_threadpool(read_upload, data, name, service.settings)
    state = service.state  # once: the answer names the model that made it, even across a reload
    results, timing = await extraction.extract(service, state, [doc.text], opts)
    if format != "json":
        return extraction.table_file(results, format, batch=False)
    result = file_result(doc, results[0])
    return FileExtractResponse.model_construct(**dict(result), model=model_out(state.loaded), timing=timing)
