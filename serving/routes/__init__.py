"""The API's routes, one router per concern; ``create_app`` includes each under the access rule of its group.

A new route module adds its router to one of these tuples, and that is all.
"""

from __future__ import annotations

from fastapi import APIRouter

from serving.routes import admin, extract, feedback, file, health, model, pages

# Need Authorization: Bearer <key> when the server has PLANEX_API_KEY; open without one.
KEYED: tuple[APIRouter, ...] = (extract.router, file.router, model.router, feedback.router)
# Need the key always: without PLANEX_API_KEY they answer 403.
ADMIN: tuple[APIRouter, ...] = (admin.router,)
# Never need a key: probes, metrics, the page and the docs.
OPEN: tuple[APIRouter, ...] = (health.router, pages.router)


def paths() -> set[str]:
    """Every route path, for labelling the metrics of requests refused before routing."""
    return {getattr(route, "path", "") for group in (KEYED, ADMIN, OPEN) for r in group for route in r.routes}
