"""Routes that change what the server holds: feedback corrections and model reloads."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from planex.document import Span
from serving.deps import ServiceDep, require_admin_key, require_key
from serving.errors import ClientError
from serving.feedback import FeedbackError, label_counts, save_feedback
from serving.reload import ReloadAttempt, ReloadBusyError
from serving.schemas import (
    ErrorResponse,
    FeedbackRequest,
    FeedbackResponse,
    ReloadOut,
    ReloadRequest,
    ReloadResponse,
)

router = APIRouter()
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (400, 401, 413, 415, 422, 500)}
_RELOAD: dict[int | str, dict[str, Any]] = {
    **{code: {"model": ErrorResponse} for code in (400, 401, 403, 415)},
    **{code: {"model": ReloadResponse} for code in (202, 409, 422, 500)},
}


@router.post(
    "/v1/feedback",
    status_code=201,
    response_model=FeedbackResponse,
    responses=_ERRORS,
    dependencies=[Depends(require_key)],
)
def feedback(body: FeedbackRequest, service: ServiceDep) -> FeedbackResponse:
    """Save the correct spans of a text for the next `planex train --include-feedback`.

    Offsets count code points in the text as posted, as /v1/extract gives them; the record is saved
    with the normalised text and offsets moved onto it, like every label file.
    """
    s = service.settings
    if len(body.text) > s.max_chars:
        raise ClientError(413, f"text has {len(body.text)} characters; the limit is {s.max_chars} (PLANEX_MAX_CHARS)")
    loaded = service.state.loaded
    spans = [Span(x.start, x.end, x.label) for x in body.spans]
    try:
        saved = save_feedback(
            s.feedback_dir,
            body.text,
            spans,
            loaded.scheme.names,
            model_name=loaded.name,
            model_version=loaded.version,
            source=body.source,
            note=body.note,
        )
    except FeedbackError as e:
        raise ClientError(422, str(e), errors=[{"field": "spans", "message": p} for p in e.problems]) from None
    doc = saved.document
    return FeedbackResponse(
        file=saved.file.name,
        id=doc.id,
        characters=len(doc.text),
        spans=len(doc.spans),
        labels=label_counts(doc),
        model_version=loaded.version,
    )


def _answer(attempt: ReloadAttempt, detail: str, status: int) -> JSONResponse:
    body = ReloadResponse(detail=detail, reload=ReloadOut(**attempt.to_dict()))
    return JSONResponse(body.model_dump(), status)


@router.post(
    "/v1/admin/reload",
    response_model=ReloadResponse,
    responses=_RELOAD,
    dependencies=[Depends(require_admin_key)],
)
async def reload_model(service: ServiceDep, body: ReloadRequest | None = None) -> JSONResponse:
    """Load a model version (or PLANEX_MODEL_PATH again), check it, and swap it in without dropping requests.

    Answers 200 once the new model serves; 409 (the model was refused) or 422 (no such version)
    with the reason, the old model still serving; 202 if loading outlasts PLANEX_RELOAD_TIMEOUT_S.
    """
    try:
        future = service.models.reload(body.version if body else None, "api")
    except ReloadBusyError as e:
        raise ClientError(409, str(e)) from None
    timeout = service.settings.reload_timeout_s
    try:
        # shield: a client that gives up does not stop the load, which finishes and swaps regardless
        done = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout)
    except TimeoutError:
        running = service.models.last
        assert running is not None
        return _answer(running, f"still loading after {timeout:g} s; GET /v1/model shows the outcome", 202)
    if done.outcome == "ok":
        return _answer(done, f"now serving version {done.version} from {done.path}", 200)
    kept = service.state.loaded.version
    return _answer(done, f"the model was not loaded and version {kept} keeps serving: {done.reason}", done.status)
