"""The FastAPI app: the model is loaded in the lifespan, handed to routes as a dependency, swapped by a reload."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST

from planex import registry
from planex.modelio import ModelLoadError
from serving import admin, errors, export
from serving.body import BodyCheckMiddleware
from serving.deps import Service, ServiceDep, require_key
from serving.errors import ClientError
from serving.metrics import Metrics, MetricsMiddleware
from serving.pool import BoundedPool
from serving.reload import ModelManager, ModelState, install_sighup, load_state
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
    ReloadOut,
    Timing,
)
from serving.settings import Settings

log = logging.getLogger("planex.serving")
STATIC = Path(__file__).resolve().parent / "static"


def _check_size(text: str, name: str, settings: Settings) -> None:
    """Refuse an oversize text with 413 before any work: never a silent cut."""
    if len(text) > settings.max_chars:
        raise ClientError(
            413, f"{name} has {len(text)} characters; the limit is {settings.max_chars} (PLANEX_MAX_CHARS)"
        )


async def _extract(
    service: Service, state: ModelState, texts: list[str], options: Options
) -> tuple[list[DocumentResult], Timing]:
    start = time.perf_counter()

    def job() -> list[DocumentResult]:
        return [document_result(n, ents, options) for n, ents in state.extractor.extract(texts)]

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


def _offline_docs(app: FastAPI) -> None:
    """Serve /docs with the Swagger UI files of the swagger-ui-bundle package, so it works offline."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs-static", StaticFiles(directory=swagger_ui_path), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="planex API",
            swagger_js_url="/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/docs-static/swagger-ui.css",
            swagger_favicon_url="/docs-static/favicon-32x32.png",
        )


def create_app(settings: Settings | None = None, reload_on_sighup: bool = False) -> FastAPI:
    """Build the app; the model named by ``settings.model_path`` is loaded when the app starts.

    ``reload_on_sighup`` (set by ``planex serve``) makes SIGHUP reload that folder; it needs the
    event loop in the main thread, which test clients do not have.
    """
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            # the same checks as a reload; the smoke prediction also warms up, so the first request is not slow
            state = load_state(settings.model_path, settings)
        except ModelLoadError as e:
            log.error("cannot start: %s", e)
            app.state.startup_error = e  # read by serve() to exit with this message
            raise
        pool = BoundedPool(settings.inference_threads, settings.queue_size)
        models = ModelManager(settings, metrics, state)
        metrics.set_model(state.loaded)
        metrics.watch_queue(lambda: pool.depth)
        app.state.service = Service(settings, models, pool, metrics)
        uninstall = install_sighup(models) if reload_on_sighup else (lambda: None)
        log.info("serving %s %s on %s", state.loaded.name, state.loaded.version, state.loaded.device)
        try:
            yield
        finally:
            uninstall()
            app.state.service = None
            models.shutdown()
            pool.shutdown()

    app = FastAPI(
        title="planex",
        summary="Structured task records from Chinese government plan documents",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: FastAPI's default page loads Swagger UI from a CDN
    )
    _offline_docs(app)
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
        state = service.state  # once: the answer names the model that made it, even across a reload
        results, timing = await _extract(service, state, [body.text], body.options)
        if format != "json":
            return _file(results, format, batch=False)
        # model_construct: the result is validated already, and re-validating a large one is slow.
        return ExtractResponse.model_construct(**dict(results[0]), model=model_out(state.loaded), timing=timing)

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
        state = service.state
        results, timing = await _extract(service, state, body.texts, body.options)
        if format != "json":
            return _file(results, format, batch=True)
        return BatchResponse(results=results, model=model_out(state.loaded), timing=timing)

    @app.get("/v1/model", response_model=ModelInfo, dependencies=guarded)
    def model_info(service: ServiceDep) -> ModelInfo:
        """Describe the served model (name, version, labels, metrics, folder), the last reload and the limits."""
        state, s, last = service.state, service.settings, service.models.last
        loaded = state.loaded
        limits = {"max_chars": s.max_chars, "max_batch": s.max_batch, "max_batch_chars": s.max_batch_chars,
                  "max_body_bytes": s.max_body_bytes}  # fmt: skip
        return ModelInfo(
            **model_out(loaded).model_dump(),
            scheme_hash=loaded.scheme.hash,
            device=str(loaded.device),
            max_length=loaded.spec.max_length,
            line_marker=loaded.spec.line_marker,
            rule_hints=_listed(loaded.spec.rule_hints),
            single_token_labels=_listed(loaded.spec.single_token_labels),
            metrics=loaded.spec.info.get("metrics"),
            limits=limits,
            path=str(loaded.path.resolve()),
            loaded_at=state.loaded_at.isoformat(timespec="seconds"),
            last_reload=ReloadOut(**last.to_dict()) if last else None,
            available_versions=registry.versions(s.models_dir),
        )

    app.include_router(admin.router)

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
        loaded = service.state.loaded
        return JSONResponse({"status": "ready", "model": loaded.name, "version": loaded.version})

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _listed(names: tuple[str, ...] | None) -> list[str] | None:
    return None if names is None else list(names)
