"""GET /v1/model: what is serving, how it reads its input, the limits and the last reload."""

from __future__ import annotations

from fastapi import APIRouter

from planex import registry
from serving.deps import ServiceDep
from serving.results import model_out
from serving.schemas import ModelInfo, ReloadOut, error_responses

router = APIRouter(tags=["model"])


@router.get("/v1/model", response_model=ModelInfo, responses=error_responses(503))
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


def _listed(names: tuple[str, ...] | None) -> list[str] | None:
    return None if names is None else list(names)
