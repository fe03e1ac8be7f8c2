"""The OpenAPI document tells the truth: schemathesis sends what it describes and checks every answer against it.

Each answer's status must be documented for its route, its body must match the documented schema,
no request may get a 5xx, and with an API key a request without it must be refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from serving.app import create_app
from serving.settings import Settings

KEY = "s3cret"
# Routes that refuse some requests the document cannot describe: feedback spans must lie inside the
# text and carry a label of the served model; a reload must name a version that exists; a file must be
# a readable document.
SEMANTIC = {"/v1/feedback", "/v1/admin/reload", "/v1/extract/file"}
OPERATIONS = [
    ("POST", "/v1/extract"),
    ("POST", "/v1/extract/batch"),
    ("POST", "/v1/extract/file"),
    ("GET", "/v1/model"),
    ("POST", "/v1/feedback"),
    ("POST", "/v1/admin/reload"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
]


@pytest.fixture(scope="module")
def schemas(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str | None, Any]:
    """The document of a server without an API key and of one with, each read from its running app."""
    out = {}
    for key in (None, KEY):
        folder = tmp_path_factory.mktemp("openapi")
        settings = Settings(
            model_path=tiny_model_dir, api_key=key, models_dir=folder / "models", feedback_dir=folder / "feedback"
        )
        out[key] = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))
    return out


@pytest.mark.parametrize("key", [None, KEY], ids=["open", "keyed"])
def test_openapi_lists_every_route(schemas: dict[str | None, Any], key: str | None) -> None:
    paths = schemas[key].raw_schema["paths"]
    documented = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize("key", [None, KEY], ids=["open", "keyed"])
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_openapi_answers_match_the_document(
    schemas: dict[str | None, Any], key: str | None, method: str, path: str, data: st.DataObject
) -> None:
    case = data.draw(schemas[key][path][method].as_strategy())
    case.call_and_validate(
        headers={"Authorization": f"Bearer {key}"} if key else None,
        excluded_checks=[positive_data_acceptance] if path in SEMANTIC else None,
    )


def test_openapi_batch_limit_is_the_setting_in_force(tiny_model_dir: Path, tmp_path: Path) -> None:
    """A batch over PLANEX_MAX_BATCH gets 413, so the document gives that setting as maxItems."""
    settings = Settings(model_path=tiny_model_dir, max_batch=3, feedback_dir=tmp_path / "feedback")
    document = create_app(settings).openapi()
    assert document["components"]["schemas"]["BatchRequest"]["properties"]["texts"]["maxItems"] == 3


@pytest.mark.parametrize("text", ["\x1f", " \x1c\x85\t", "\ufeff", "\u3000\n"])
def test_openapi_blank_text_is_refused_and_the_pattern_says_so(text: str) -> None:
    """Python and JSON Schema (ECMAScript) disagree on what whitespace is; both refuse the union."""
    import re

    from serving.schemas import NOT_BLANK, check_text

    with pytest.raises(ValueError, match="is empty"):
        check_text(text, "text")
    assert re.search(NOT_BLANK["pattern"], text) is None
    assert re.search(NOT_BLANK["pattern"], text + "1") is not None
