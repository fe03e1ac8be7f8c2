"""Request and response models of the HTTP API (they also make the OpenAPI docs at ``/docs``)."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

Format = Literal["json", "csv", "xlsx"]
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# What check_text refuses, as the OpenAPI document can say it (check_text gives the messages). A text is
# blank when every character is whitespace to Python (which counts \x1c-\x1f and \x85) or to the
# ECMAScript regexes of JSON Schema (which count \ufeff): the union, so client and server agree.
_BLANK = re.compile(r"[\s\ufeff]*")
NOT_BLANK: dict[str, Any] = {"minLength": 1, "pattern": r"[^\s\x1c-\x1f\x85\ufeff]"}


def check_text(text: str, field: str) -> str:
    """Refuse text that cannot be processed; the message says what to send instead."""
    if _BLANK.fullmatch(text):
        raise ValueError(f'{field} is empty: post the plan text in the "{field}" field')
    bad = _SURROGATE.search(text)
    if bad:
        raise ValueError(
            f"{field} has a lone surrogate (\\u{ord(bad.group()):04x}) at offset {bad.start()}, which is not valid "
            "Unicode: send the text as it was decoded from UTF-8"
        )
    return text


def _whole_number(value: object) -> object:
    """Take 2024.0 as 2024: JSON has one number type, and JSON Schema calls 2024.0 an integer too."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Strict otherwise: "2024" (a string) is still refused.
Year = Annotated[int, Field(ge=1900, le=2200), BeforeValidator(_whole_number)]


class Options(BaseModel):
    """Options for one request; unknown names are refused so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)

    doc_year: Year | None = Field(
        default=None,
        description="year the document was issued; lets 年内 and 6月底前 be read as dates",
    )
    include_normalised_text: bool = Field(default=False, description="also return the normalised text the model saw")
    min_score: float = Field(default=0.0, ge=0.0, le=1.0, description="drop entities scored below this")


class ExtractRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [{"text": "（一）建设数据平台。2025年底前完成。"}]}
    )

    text: str = Field(
        description="the plan text, as it is (traditional script and annotations are fine); not blank",
        json_schema_extra=NOT_BLANK,
    )
    options: Options = Field(default_factory=Options)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return check_text(v, "text")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    texts: list[str] = Field(
        min_length=1,
        description="plan texts, each handled as by /v1/extract; none blank",
        json_schema_extra={"items": {"type": "string", **NOT_BLANK}},
    )
    options: Options = Field(default_factory=Options)

    @field_validator("texts")
    @classmethod
    def _texts(cls, v: list[str]) -> list[str]:
        for i, text in enumerate(v):
            check_text(text, f"texts[{i}]")
        return v


class EntityOut(BaseModel):
    label: str
    text: str = Field(description="exactly posted_text[start:end]")
    start: int = Field(description="offset into the posted text, in Unicode code points")
    end: int
    normalised: str = Field(
        description="the span as a reader wants it (what the CSV/XLSX cells and the page show): the normalised "
        "text the model read, i.e. simplified script, pinyin annotations and misdecoded runs repaired, PDF line "
        "wraps joined, and whitespace runs dropped beside Chinese characters (one space elsewhere); `text`, "
        "`start` and `end` stay the posted text"
    )
    score: float


class DeadlineValue(BaseModel):
    date: str | None = Field(description="ISO date: the last day allowed (kind by), the first (from) or the range end")
    period: str | None = Field(description="2025, 2025-06, 2025-H1, 2025-Q3, 2021-05-01 or 2021/2025")
    kind: Literal["by", "from", "range"] | None


class IndicatorValue(BaseModel):
    metric: str | None
    comparator: Literal[">=", "<=", "~", ">", "<", "="] | None
    value: float | None
    unit: str | None


class SpanOut(EntityOut):
    value: DeadlineValue | IndicatorValue | None = Field(
        default=None, description="read value of a DEADLINE or INDICATOR"
    )


class TaskOut(BaseModel):
    id: int = Field(description="1-based position in the document")
    section: list[str] = Field(description="item markers from the outermost, e.g. 二、 （一） 1.")
    section_headings: list[str] = Field(description="the heading phrase after each marker")
    title: SpanOut
    deadlines: list[SpanOut]
    lead_units: list[SpanOut]
    indicators: list[SpanOut]
    other: dict[str, list[SpanOut]] = Field(default_factory=dict, description="spans of labels added to the scheme")


class DocumentResult(BaseModel):
    characters: int
    entities: list[EntityOut]
    tasks: list[TaskOut]
    unattached: list[SpanOut] = Field(description="spans that belong to no task; never dropped")
    normalised_text: str | None = None


class LabelOut(BaseModel):
    name: str
    description: str
    color: str
    column: str | None = Field(
        description="its column in the task table (task, deadlines, lead_units, indicators); null: a label added "
        "to the scheme later, whose spans go to a task's `other` and to a column named by the label in files"
    )


class ModelOut(BaseModel):
    name: str
    version: str
    labels: list[LabelOut]


class Timing(BaseModel):
    queue_ms: float = Field(description="waiting for an inference thread")
    inference_ms: float = Field(description="normalising, running the model and building the task table")
    total_ms: float


class ExtractResponse(DocumentResult):
    model: ModelOut
    timing: Timing


class BatchResponse(BaseModel):
    results: list[DocumentResult]
    model: ModelOut
    timing: Timing


class ReloadOut(BaseModel):
    trigger: Literal["api", "sighup"] = Field(description="POST /v1/admin/reload or a SIGHUP to the server")
    requested: str | None = Field(description="the version asked for; null: the folder PLANEX_MODEL_PATH names")
    outcome: Literal["running", "ok", "failed"]
    started: str = Field(description="UTC time, ISO 8601")
    finished: str | None
    reason: str | None = Field(description="why the new model was refused (the old one kept serving)")
    version: str | None = Field(description="the version loaded, when it loaded")
    path: str | None = Field(description="the folder loaded, links resolved")


class ReloadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{"version": "v2"}]})

    version: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="a folder name under PLANEX_MODELS_DIR; omitted: reload PLANEX_MODEL_PATH (models/default)",
    )


class ReloadResponse(BaseModel):
    detail: str = Field(description="what happened, and what to do when the model was refused")
    reload: ReloadOut


class ModelInfo(ModelOut):
    scheme_hash: str
    device: str
    max_length: int | None
    line_marker: str | None = Field(description="the character line breaks become in model input (null: dropped)")
    rule_hints: list[str] | None = Field(
        default=None, description="labels the rule extractor hints to the model as token types (null: no hints)"
    )
    single_token_labels: list[str] | None = Field(
        default=None,
        description="labels the decoder may return as one-token spans, the ones training saw so (null: every label)",
    )
    metrics: dict[str, Any] | None = Field(description="evaluation metrics saved with the model by training")
    limits: dict[str, int]
    path: str = Field(description="the model folder serving, links resolved")
    loaded_at: str = Field(description="when this model started serving (UTC, ISO 8601)")
    last_reload: ReloadOut | None = Field(description="the latest reload attempt since the server started")
    available_versions: list[str] = Field(description="model folders under PLANEX_MODELS_DIR a reload can name")


class FeedbackSpan(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    start: int = Field(ge=0, description="offset into the posted text, in Unicode code points")
    end: int = Field(ge=1, description="end offset (exclusive)")
    label: str = Field(description="a label of the served model (GET /v1/model)")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [{"text": "（一）建设数据平台。", "spans": [{"start": 3, "end": 9, "label": "TASK"}]}]
        },
    )

    text: str = Field(
        description="the text as posted to /v1/extract (raw: traditional script and all); not blank",
        json_schema_extra=NOT_BLANK,
    )
    spans: list[FeedbackSpan] = Field(description="every correct span of the text; offsets as /v1/extract gives")
    source: str | None = Field(default=None, max_length=500, description="where the text came from, e.g. a URL")
    note: str | None = Field(default=None, max_length=2000, description="a remark for the annotators")

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return check_text(v, "text")


class FeedbackResponse(BaseModel):
    file: str = Field(description="the file written under PLANEX_FEEDBACK_DIR")
    id: str = Field(description="the document id in that file")
    characters: int = Field(description="characters of the normalised text saved")
    spans: int
    labels: dict[str, int] = Field(description="spans saved per label")
    model_version: str = Field(description="the version serving when the correction arrived")


class FieldError(BaseModel):
    field: str
    message: str


class ErrorResponse(BaseModel):
    detail: str = Field(description="what went wrong and what to do")
    errors: list[FieldError] | None = None


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    model: str | None = Field(default=None, description="the served model's name, once loaded")
    version: str | None = Field(default=None, description="the served model's version, once loaded")
    detail: str | None = Field(default=None, description="why it is not ready")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error answers: each body is an :class:`ErrorResponse`."""
    return {code: {"model": ErrorResponse, "description": _WHEN.get(code) or HTTPStatus(code).phrase} for code in codes}


_WHEN = {
    400: "malformed JSON, or a body that is not UTF-8",
    401: "the API key is missing or not accepted",
    403: "admin routes are disabled: the server has no API key",
    413: "a text, batch or body over the limits",
    415: "Content-Type is not application/json",
    422: "a field is wrong; `errors` names each one",
    429: "every inference thread is busy and the queue is full; see Retry-After",
    503: "the model is not loaded yet (feedback: its folder cannot be written); see Retry-After",
    507: "the disk holding the feedback folder is full; nothing was saved",
}
