"""What routes depend on: the running service and the API-key checks."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from serving.errors import ClientError
from serving.metrics import Metrics
from serving.pool import BoundedPool
from serving.reload import ModelManager, ModelState
from serving.schemas import error_responses
from serving.settings import Settings


@dataclass
class Service:
    """What the lifespan builds and the routes use."""

    settings: Settings
    models: ModelManager
    pool: BoundedPool
    metrics: Metrics

    @property
    def state(self) -> ModelState:
        """The model serving now. Read it once per request and use that object throughout: a reload may swap it."""
        return self.models.current


def get_service(request: Request) -> Service:
    service: Service | None = getattr(request.app.state, "service", None)
    if service is None:
        raise ClientError(503, "the model is not loaded yet; retry when /readyz answers 200", {"Retry-After": "5"})
    return service


ServiceDep = Annotated[Service, Depends(get_service)]
_bearer = HTTPBearer(
    auto_error=False, description="the server's PLANEX_API_KEY (declared only when the server has one)"
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require_key(service: ServiceDep, cred: Credentials) -> None:
    """Check the bearer token in constant time (routes depend on it only when the server has an API key)."""
    key = service.settings.api_key
    if key is None:
        return
    challenge = {"WWW-Authenticate": "Bearer"}
    if cred is None:
        raise ClientError(401, "missing API key: send the header Authorization: Bearer <key>", challenge)
    if not hmac.compare_digest(cred.credentials.encode(), key.get_secret_value().encode()):
        raise ClientError(401, "API key not accepted: check the key sent in Authorization: Bearer <key>", challenge)


def admin_disabled() -> None:
    """Admin routes always need a key: without one anybody who can reach the port could swap the model."""
    raise ClientError(
        403,
        "admin routes are disabled because the server has no API key: start it with PLANEX_API_KEY set "
        "and send Authorization: Bearer <key> (or send the server SIGHUP to reload PLANEX_MODEL_PATH)",
    )


def access(settings: Settings, admin: bool = False) -> dict[str, Any]:
    """``include_router`` arguments that guard a router as ``settings`` say, so /openapi.json tells the truth.

    With an API key, the routes check it and the document declares Bearer auth and 401; without one,
    they are open and declare neither, and admin routes answer 403.
    """
    if settings.api_key is not None:
        return {"dependencies": [Depends(require_key)], "responses": error_responses(401)}
    if admin:
        return {"dependencies": [Depends(admin_disabled)], "responses": error_responses(403)}
    return {}
