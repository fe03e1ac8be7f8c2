"""Prometheus metrics, in a registry of the app's own so that several apps (tests) never clash."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planex.modelio import LoadedModel

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    """The service's metrics; ``render()`` gives the text exposition format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ["method", "route", "status"]
        self.requests = Counter("planex_http_requests", "HTTP requests", labels, registry=self.registry)
        self.latency = Histogram(
            "planex_http_request_duration_seconds",
            "HTTP request latency",
            labels,
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.characters = Counter(
            "planex_characters_processed", "characters of text extracted from", registry=self.registry
        )
        self.documents = Counter("planex_documents_processed", "documents extracted from", registry=self.registry)
        self.model = Info("planex_model", "the model being served", registry=self.registry)
        self.reloads = Counter(
            "planex_model_reloads", "model reload attempts by outcome", ["outcome"], registry=self.registry
        )
        self.queue = Gauge("planex_inference_queue_depth", "inference jobs running or waiting", registry=self.registry)

    def set_model(self, loaded: LoadedModel) -> None:
        self.model.info({"name": loaded.name, "version": loaded.version, "scheme_hash": loaded.scheme.hash})

    def watch_queue(self, depth: Callable[[], float]) -> None:
        self.queue.set_function(depth)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Count every response and time it, labelled by route template (not raw path, to bound cardinality)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, paths: Callable[[], set[str]] = set):
        self.app = app
        self.metrics = metrics
        self.paths = paths  # the app's route paths: a request refused before routing still counts under its route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before responding

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None)
            if route is None:
                route = scope["path"] if scope["path"] in self.paths() else "unmatched"
            labels = (scope["method"], route, str(status))
            self.metrics.requests.labels(*labels).inc()
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - start)
