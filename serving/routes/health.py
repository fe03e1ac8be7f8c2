"""Probes and metrics: /healthz, /readyz and /metrics, open even when the server has an API key."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from serving.deps import Service
from serving.metrics import Metrics
from serving.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Answer 200 while the process runs (no model check)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "not loaded"}})
def readyz(request: Request) -> JSONResponse:
    """Answer 200 with the model's name and version once it is loaded, else 503."""
    service: Service | None = getattr(request.app.state, "service", None)
    if service is None:
        return JSONResponse({"status": "not ready", "detail": "the model is not loaded"}, 503)
    loaded = service.state.loaded
    return JSONResponse({"status": "ready", "model": loaded.name, "version": loaded.version})


@router.get("/metrics", include_in_schema=False)
def prometheus(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
