"""The FastAPI app: the model is loaded once in the lifespan and handed to routes as a dependency."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST

from planex.inference import Extractor, WindowConfig
from planex.modelio import LoadedModel, ModelLoadError, load_model
from serving import errors, export
from serving.body import BodyCheckMiddleware
from serving.errors import ClientError
from serving.metrics import Metrics, MetricsMiddleware
from serving.pool import BoundedPool
from serving.results import document_result, model_out
from serving.schemas import (
    BatchRequest,
    BatchResponse,
    DocumentResult,
    ErrorResponse,
    ExtractRequest,
    ExtractResponse,
    Format,
    ModelInfo,
    Options,
    Timing,
)
from serving.settings import Settings

log = logging.getLogger("planex.serving")
STATIC = Path(__file__).resolve().parent / "static"


@dataclass
class Service:
    """What the lifespan builds and the routes use."""

    settings: Settings
    loaded: LoadedModel
    extractor: Extractor
    pool: BoundedPool
    metrics: Metrics


def window_config(loaded: LoadedModel, settings: Settings) -> WindowConfig:
    """Windows as long as the model allows (and the setting), overlapping by a quarter."""
    tokens = min(settings.window_tokens, int(loaded.meta.get("max_length") or 512))
    return WindowConfig(max_tokens=tokens, stride=max(1, (tokens - 2) * 3 // 4), batch_size=settings.batch_size)


def get_service(request: Request) -> Service:
    service: Service | None = getattr(request.app.state, "service", None)
    if service is None:
        raise ClientError(503, "the model is not loaded yet; retry when /readyz answers 200", {"Retry-After": "5"})
    return service


ServiceDep = Annotated[Service, Depends(get_service)]
_bearer = HTTPBearer(auto_error=False, description="the server's PLANEX_API_KEY, when it has one")


def require_key(service: ServiceDep, cred: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """Check the bearer token in constant time when the server has an API key."""
    key = service.settings.api_key
    if key is None:
        return
    challenge = {"WWW-Authenticate": "Bearer"}
    if cred is None:
        raise ClientError(401, "missing API key: send the header Authorization: Bearer <key>", challenge)
    if not hmac.compare_digest(cred.credentials.encode(), key.get_secret_value().encode()):
        raise ClientError(401, "API key not accepted: check the key sent in Authorization: Bearer <key>", challenge)


def _check_size(text: str, name: str, settings: Settings) -> None:
    """Refuse an oversize text with 413 before any work: never a silent cut."""
    if len(text) > settings.max_chars:
        raise ClientError(
            413, f"{name} has {len(text)} characters; the limit is {settings.max_chars} (PLANEX_MAX_CHARS)"
        )


async def _extract(service: Service, texts: list[str], options: Options) -> tuple[list[DocumentResult], Timing]:
    start = time.perf_counter()

    def job() -> list[DocumentResult]:
        return [document_result(n, ents, options) for n, ents in service.extractor.extract(texts)]

    results, queued, ran = await service.pool.run(job)
    service.metrics.characters.inc(sum(map(len, texts)))
    service.metrics.documents.inc(len(texts))
    total = time.perf_counter() - start
    return results, Timing(
        queue_ms=round(queued * 1000, 1), inference_ms=round(ran * 1000, 1), total_ms=round(total * 1000, 1)
    )


def _file(results: list[DocumentResult], fmt: Format, batch: bool) -> Response:
    table = export.rows(results, with_document=batch)
    data, media = (export.to_csv(table), export.CSV_TYPE) if fmt == "csv" else (export.to_xlsx(table), export.XLSX_TYPE)
    headers = {"Content-Disposition": f'attachment; filename="planex-tasks.{fmt}"'}
    return Response(data, media_type=media, headers=headers)


_FILES: dict[int | str, dict[str, Any]] = {
    200: {"content": {export.CSV_TYPE: {}, export.XLSX_TYPE: {}}, "description": "JSON, or the task table as a file"},
    **{code: {"model": ErrorResponse} for code in (400, 401, 413, 415, 422, 429, 500, 503)},
}
FormatQuery = Annotated[Format, Query(description="json (default), or the task table as csv or xlsx")]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the model named by ``settings.model_path`` is loaded when the app starts."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            loaded = load_model(settings.model_path, device=settings.device)
        except ModelLoadError as e:
            log.error("cannot start: %s", e)
            app.state.startup_error = e  # read by serve() to exit with this message
            raise
        extractor = Extractor(loaded, window_config(loaded, settings))
        extractor.extract(["预热"])  # one pass now, so the first request is not the slow one
        pool = BoundedPool(settings.inference_threads, settings.queue_size)
        metrics.set_model(loaded)
        metrics.watch_queue(lambda: pool.depth)
        app.state.service = Service(settings, loaded, extractor, pool, metrics)
        log.info("serving %s %s on %s", loaded.name, loaded.version, loaded.device)
        try:
            yield
        finally:
            app.state.service = None
            pool.shutdown()

    app = FastAPI(
        title="planex",
        summary="Structured task records from Chinese government plan documents",
        version="1",
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(BodyCheckMiddleware, max_bytes=settings.max_body_bytes)

    def route_paths() -> set[str]:
        return {getattr(r, "path", "") for r in app.routes}

    # Added last, so outermost: it also counts the requests the body check refuses.
    app.add_middleware(MetricsMiddleware, metrics=metrics, paths=route_paths)
    guarded = [Depends(require_key)]

    @app.post("/v1/extract", response_model=ExtractResponse, responses=_FILES, dependencies=guarded)
    async def extract(body: ExtractRequest, service: ServiceDep, format: FormatQuery = "json") -> Any:
        """Extract entities and the task table from one text."""
        _check_size(body.text, "text", service.settings)
        results, timing = await _extract(service, [body.text], body.options)
        if format != "json":
            return _file(results, format, batch=False)
        # model_construct: the result is validated already, and re-validating a large one is slow.
        return ExtractResponse.model_construct(**dict(results[0]), model=model_out(service.loaded), timing=timing)

    @app.post("/v1/extract/batch", response_model=BatchResponse, responses=_FILES, dependencies=guarded)
    async def extract_batch(body: BatchRequest, service: ServiceDep, format: FormatQuery = "json") -> Any:
        """Extract from several texts at once; their windows share model batches."""
        s = service.settings
        if len(body.texts) > s.max_batch:
            raise ClientError(
                413, f"the batch has {len(body.texts)} texts; the limit is {s.max_batch} (PLANEX_MAX_BATCH)"
            )
        for i, text in enumerate(body.texts):
            _check_size(text, f"texts[{i}]", s)
        total = sum(map(len, body.texts))
        if total > s.max_batch_chars:
            raise ClientError(
                413,
                f"the batch has {total} characters in all; the limit is {s.max_batch_chars} (PLANEX_MAX_BATCH_CHARS)",
            )
        results, timing = await _extract(service, body.texts, body.options)
        if format != "json":
            return _file(results, format, batch=True)
        return BatchResponse(results=results, model=model_out(service.loaded), timing=timing)

    @app.get("/v1/model", response_model=ModelInfo, dependencies=guarded)
    def model_info(service: ServiceDep) -> ModelInfo:
        """Describe the served model: name, version, labels, training metrics and request limits."""
        loaded, s = service.loaded, service.settings
        limits = {"max_chars": s.max_chars, "max_batch": s.max_batch, "max_batch_chars": s.max_batch_chars,
                  "max_body_bytes": s.max_body_bytes}  # fmt: skip
        return ModelInfo(
            **model_out(loaded).model_dump(),
            scheme_hash=loaded.scheme.hash,
            device=str(loaded.device),
            max_length=loaded.meta.get("max_length"),
            metrics=loaded.meta.get("metrics"),
            limits=limits,
        )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Answer 200 while the process runs (no model check)."""
        return {"status": "ok"}

    @app.get("/readyz", responses={503: {"model": ErrorResponse}})
    def readyz(request: Request) -> JSONResponse:
        """Answer 200 once the model is loaded, else 503."""
        service: Service | None = getattr(request.app.state, "service", None)
        if service is None:
            return JSONResponse({"status": "not ready", "detail": "the model is not loaded"}, 503)
        return JSONResponse({"status": "ready", "model": service.loaded.name, "version": service.loaded.version})

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
