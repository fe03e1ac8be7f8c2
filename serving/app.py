"""The FastAPI app: the model is loaded in the lifespan, handed to routes as a dependency, swapped by a reload."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from planex.modelio import ModelLoadError
from serving import errors, routes
from serving.body import BodyCheckMiddleware
from serving.deps import Service, access
from serving.feedback import remove_orphans
from serving.metrics import Metrics, MetricsMiddleware
from serving.pool import BoundedPool
from serving.reload import ModelManager, install_sighup, load_state
from serving.routes import file
from serving.routes.pages import mount_static
from serving.settings import Settings

log = logging.getLogger("planex.serving")


def _lifespan(
    settings: Settings, metrics: Metrics, reload_on_sighup: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            # the same checks as a reload; the smoke prediction also warms up, so the first request is not slow
            state = load_state(settings.model_path, settings)
        except ModelLoadError as e:
            log.error("cannot start: %s", e)
            app.state.startup_error = e  # read by serve() to exit with this message
            raise
        for orphan in remove_orphans(settings.feedback_dir):
            log.warning("removed %s, a feedback file left half-written when a server was killed", orphan)
        pool = BoundedPool(
            settings.inference_threads, settings.queue_size, settings.forward_threads, settings.torch_threads
        )
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

    return lifespan


def create_app(settings: Settings | None = None, reload_on_sighup: bool = False) -> FastAPI:
    """Build the app; the model named by ``settings.model_path`` is loaded when the app starts.

    ``reload_on_sighup`` (set by ``planex serve``) makes SIGHUP reload that folder; it needs the
    event loop in the main thread, which test clients do not have.
    """
    settings = settings or Settings()
    metrics = Metrics()
    app = FastAPI(
        title="planex",
        summary="Structured task records from Chinese government plan documents",
        version="1",
        lifespan=_lifespan(settings, metrics, reload_on_sighup),
        docs_url=None,  # routes.pages serves it from local files: FastAPI's default page loads Swagger UI from a CDN
        redoc_url=None,  # ReDoc loads its script and fonts from a CDN, and /docs shows the same document
    )
    app.state.metrics = metrics
    for router in routes.KEYED:
        app.include_router(router, **access(settings))
    for router in routes.ADMIN:
        app.include_router(router, **access(settings, admin=True))
    for router in routes.OPEN:
        app.include_router(router)
    mount_static(app)
    errors.install(app)
    app.add_middleware(
        BodyCheckMiddleware,
        max_bytes=settings.max_body_bytes,
        file_paths=frozenset({file.PATH}),
        max_file_bytes=settings.max_file_bytes,
    )
    _document_limits(app, settings)
    known = routes.paths()
    # Added last, so outermost: it also counts the requests the body check refuses.
    app.add_middleware(MetricsMiddleware, metrics=metrics, paths=lambda: known)
    return app


def _document_limits(app: FastAPI, settings: Settings) -> None:
    """Put the batch size limit, a setting, into /openapi.json, so the document admits its 413 in advance."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()  # FastAPI caches it in app.openapi_schema: the edit below lands in the cache
        document["components"]["schemas"]["BatchRequest"]["properties"]["texts"]["maxItems"] = settings.max_batch
        return document

    app.openapi = openapi  # type: ignore[method-assign]
