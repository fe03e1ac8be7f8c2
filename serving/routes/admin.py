"""POST /v1/admin/reload: swap in another model version without a restart (it always needs the API key)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from serving.deps import ServiceDep
from serving.reload import ReloadAttempt, ReloadBusyError
from serving.schemas import ErrorResponse, ReloadOut, ReloadRequest, ReloadResponse, error_responses

router = APIRouter(tags=["admin"])
_RELOAD: dict[int | str, dict[str, Any]] = {
    **error_responses(400, 415),
    202: {"model": ReloadResponse, "description": "still loading after PLANEX_RELOAD_TIMEOUT_S"},
    409: {"model": ReloadResponse, "description": "the model was refused, or a reload is already running"},
    # A body that fails validation is answered like every request's; an unknown version names the versions.
    422: {"model": ReloadResponse | ErrorResponse, "description": "an invalid body, or no such version"},
    500: {"model": ReloadResponse | ErrorResponse, "description": "a bug; the details are in the server log"},
}


def _answer(attempt: ReloadAttempt, detail: str, status: int) -> JSONResponse:
    body = ReloadResponse(detail=detail, reload=ReloadOut(**attempt.to_dict()))
    return JSONResponse(body.model_dump(), status)


@router.post(
    "/v1/admin/reload",
    response_model=ReloadResponse,
    responses=_RELOAD,
)
async def reload_model(service: ServiceDep, body: ReloadRequest | None = None) -> JSONResponse:
    """Load a model version (or PLANEX_MODEL_PATH again), check it, and swap it in without dropping requests.

    Answers 200 once the new model serves; 409 (the model was refused) or 422 (no such version)
    with the reason, the old model still serving; 202 if loading outlasts PLANEX_RELOAD_TIMEOUT_S.
    """
    try:
        future = service.models.reload(body.version if body else None, "api")
    except ReloadBusyError as e:
        return _answer(e.running, str(e), 409)
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
