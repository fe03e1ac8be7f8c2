"""POST /v1/feedback: save a correction for the next `planex train --include-feedback`."""

from __future__ import annotations

import errno
import logging

from fastapi import APIRouter

from planex.document import Span
from serving.deps import ServiceDep
from serving.errors import ClientError
from serving.feedback import FeedbackError, label_counts, save_feedback
from serving.schemas import FeedbackRequest, FeedbackResponse, error_responses

log = logging.getLogger("planex.serving")
router = APIRouter(tags=["feedback"])
_FULL = (errno.ENOSPC, errno.EDQUOT)


@router.post(
    "/v1/feedback",
    status_code=201,
    response_model=FeedbackResponse,
    responses=error_responses(400, 413, 415, 422, 503, 507),
)
def feedback(body: FeedbackRequest, service: ServiceDep) -> FeedbackResponse:
    """Save the correct spans of a text for the next `planex train --include-feedback`.

    Offsets count code points in the text as posted, as /v1/extract gives them; the record is saved
    with the normalised text and offsets moved onto it, like every label file.
    """
    s = service.settings
    if len(body.text) > s.max_chars:
        raise ClientError(413, f"text has {len(body.text)} characters; the limit is {s.max_chars} (PLANEX_MAX_CHARS)")
    loaded = service.state.loaded
    spans = [Span(x.start, x.end, x.label) for x in body.spans]
    try:
        saved = save_feedback(
            s.feedback_dir,
            body.text,
            spans,
            loaded.scheme.names,
            model_name=loaded.name,
            model_version=loaded.version,
            source=body.source,
            note=body.note,
        )
    except FeedbackError as e:
        raise ClientError(422, str(e), errors=[{"field": "spans", "message": p} for p in e.problems]) from None
    except OSError as e:
        # The atomic write has removed its temporary file, so nothing half-written is left; the
        # client keeps its correction and may post it again once the folder is writable.
        log.error("cannot save feedback in %s: %s", s.feedback_dir, e)
        if e.errno in _FULL:
            raise ClientError(
                507,
                f"the correction was not saved: the disk holding PLANEX_FEEDBACK_DIR ({s.feedback_dir}) is full; "
                "post it again once the server's operator has freed space",
            ) from None
        raise ClientError(
            503,
            f"the correction was not saved: the server cannot write to PLANEX_FEEDBACK_DIR ({e.strerror}); "
            "post it again later",
            {"Retry-After": "60"},
        ) from None
    doc = saved.document
    return FeedbackResponse(
        file=saved.file.name,
        id=doc.id,
        characters=len(doc.text),
        spans=len(doc.spans),
        labels=label_counts(doc),
        model_version=loaded.version,
    )
