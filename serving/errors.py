"""Error responses: client errors say what to fix, field by field; server errors say nothing but are logged."""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from planex.normalise import InvalidTextError
from serving.pool import QueueFullError
from serving.schemas import ExtractRequest, FeedbackRequest, FeedbackSpan, Options, ReloadRequest

log = logging.getLogger("planex.serving")
_EXAMPLE = '{"text": "..."}'


class ClientError(Exception):
    """A request the client can fix; ``detail`` tells them how."""

    def __init__(
        self,
        status: int,
        detail: str,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, str]] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.errors = [dict(e) for e in errors] if errors else None  # [{field, message}], as validation errors


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out


# Request bodies of the routes that do not take ExtractRequest, for "unknown field" messages.
_BODIES: dict[str, type[BaseModel]] = {"/v1/feedback": FeedbackRequest, "/v1/admin/reload": ReloadRequest}


def _known_fields(path: str, loc: Sequence[Any]) -> str:
    model = _BODIES.get(path)
    if model is None:
        fields = ", ".join(ExtractRequest.model_fields)
        return f"a request has the fields {fields} (or texts instead of text for a batch)"
    if model is FeedbackRequest and "spans" in loc:
        return f"a span has the fields {', '.join(FeedbackSpan.model_fields)}"
    return f"a request to {path} has the fields {', '.join(model.model_fields)}"


def _message(err: Mapping[str, Any], path: str = "") -> str:
    """Rewrite one pydantic error as a sentence naming the field and the fix."""
    kind, loc = err["type"], tuple(err["loc"])
    field = _field(loc)
    if kind == "json_invalid":
        why = err.get("ctx", {}).get("error", "decode error")
        return f"body is not valid JSON ({why} at character {loc[-1]}): send a JSON object such as {_EXAMPLE}"
    if kind == "extra_forbidden":
        if len(loc) >= 2 and loc[-2] == "options":
            known = ", ".join(Options.model_fields)
            return f"{field}: unknown option; the options are {known}"
        return f"{field}: unknown field; {_known_fields(path, loc)}"
    if kind == "missing":
        return (
            f"the request has no JSON body: send {_EXAMPLE}" if loc == ("body",) else f"{field}: required field missing"
        )
    if loc == ("body",):
        return f"the body must be a JSON object such as {_EXAMPLE}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "value_error":
        return msg  # our validators write whole sentences that name the field
    got = type(err.get("input")).__name__ if "input" in err else None
    got_text = f" (got {'null' if got == 'NoneType' else got})" if got and kind.endswith("_type") else ""
    return f"{field}: {msg[0].lower()}{msg[1:]}{got_text}"


def _where(err: Mapping[str, Any]) -> str:
    return "body" if err["type"] == "json_invalid" else (_field(err["loc"]) or "body")


def _json_content_type(request: Request) -> bool:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if (
        request.method == "POST"
        and not _json_content_type(request)
        and any(tuple(e["loc"])[:1] == ("body",) for e in errors)
    ):
        got = request.headers.get("content-type", "none")
        return JSONResponse(
            {"detail": f"Content-Type must be application/json (got {got}): post JSON such as {_EXAMPLE}"}, 415
        )
    status = 400 if any(e["type"] == "json_invalid" for e in errors) else 422
    fields = [{"field": _where(e), "message": _message(e, request.url.path)} for e in errors]
    return JSONResponse({"detail": "; ".join(f["message"] for f in fields), "errors": fields}, status)


async def _client(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ClientError)
    body: dict[str, Any] = {"detail": exc.detail}
    if exc.errors:
        body["errors"] = exc.errors
    return JSONResponse(body, exc.status, headers=exc.headers)


async def _invalid_text(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": f"text: {exc}"}, 422)


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueueFullError)
    return JSONResponse({"detail": str(exc)}, 429, headers={"Retry-After": str(exc.retry_after)})


def _unparsable(cause: BaseException | None) -> str | None:
    """Say why a body that is JSON by its grammar could not be read, or None if ``cause`` is no such reason.

    FastAPI answers these with a bare "There was an error parsing the body"; the cause is what
    Python's json module raised.
    """
    if isinstance(cause, RecursionError):
        why = "arrays or objects nested too deeply"
    elif isinstance(cause, ValueError):
        digits = "integer string conversion" in str(cause)
        why = f"a number with more than {sys.get_int_max_str_digits()} digits" if digits else str(cause)
    else:
        return None
    return f"body is not valid JSON ({why}): send a JSON object such as {_EXAMPLE}"


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if exc.status_code == 400 and (message := _unparsable(exc.__cause__)):
        return JSONResponse({"detail": message, "errors": [{"field": "body", "message": message}]}, 400)
    if exc.status_code == 404:
        detail = f"no route {request.method} {request.url.path}: the routes are listed at /docs"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}: see /docs for the methods each route takes"
    return JSONResponse({"detail": detail}, exc.status_code, headers=exc.headers)


async def _server(request: Request, exc: Exception) -> JSONResponse:
    ref = uuid.uuid4().hex[:12]
    log.error("unhandled error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": f"internal server error (reference {ref}); the details are in the server log"}, 500)


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ClientError, _client)
    app.add_exception_handler(InvalidTextError, _invalid_text)
    app.add_exception_handler(QueueFullError, _busy)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _server)
