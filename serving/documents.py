"""Document files in: read an upload into text (planex.documents), refuse bad files with a 4xx that says why,
and answer as /v1/extract does, plus the text read, what the file was, and each entity's PDF page."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from planex.documents import (
    Document,
    DocumentError,
    Kind,
    TooManyPages,
    UnsupportedDocument,
    read_document,
)
from serving.errors import ClientError
from serving.schemas import DocumentResult, EntityOut, ModelOut, Options, Timing
from serving.settings import Settings


class SourceOut(BaseModel):
    name: str = Field(description="the file name as sent")
    type: Kind = Field(description="how the file was read: pdf, docx, html or txt")
    pages: int | None = Field(description="pages of a PDF; null for the other types")
    empty_pages: list[int] = Field(description="1-based PDF pages without a text layer (images, blank pages)")
    encoding: str | None = Field(description="the encoding a .txt or .html file was read with (utf-8, gb18030, …)")


class FileEntityOut(EntityOut):
    start: int = Field(description="offset into `text`, in Unicode code points")
    page: int | None = Field(description="1-based PDF page the entity starts on; null for the other types")


class FileResult(DocumentResult):
    entities: list[FileEntityOut]  # type: ignore[assignment]  # narrowed: each entity also has its page
    text: str = Field(description="the text read from the file; every offset indexes it: text[start:end] == entity")
    source: SourceOut


class FileExtractResponse(FileResult):
    model: ModelOut
    timing: Timing


def read_upload(data: bytes, name: str, settings: Settings) -> Document:
    """Read a file's text, or raise the ClientError that says what is wrong with it (never a 500)."""
    if len(data) > settings.max_file_bytes:
        raise ClientError(
            413, f"{name} has {len(data)} bytes; the limit is {settings.max_file_bytes} (PLANEX_MAX_FILE_BYTES)"
        )
    try:
        doc = read_document(data, name, max_pages=settings.max_pages)
    except TooManyPages as e:
        raise ClientError(
            413, f"{name} has {e.pages} pages; the limit is {e.limit} (PLANEX_MAX_PAGES): split the file"
        ) from None
    except UnsupportedDocument as e:
        raise ClientError(415, str(e)) from None
    except DocumentError as e:
        raise ClientError(422, str(e)) from None
    if not doc.text.strip():
        raise ClientError(422, f"{name} holds no text")
    if len(doc.text) > settings.max_chars:
        raise ClientError(
            413,
            f"the text of {name} has {len(doc.text)} characters; the limit is {settings.max_chars} "
            "(PLANEX_MAX_CHARS): split the file",
        )
    return doc


def file_result(doc: Document, result: DocumentResult) -> FileResult:
    """``result`` (extracted from ``doc.text``) with the text, the source and each entity's page."""
    entities = [FileEntityOut(**e.model_dump(), page=doc.page_at(e.start)) for e in result.entities]
    source = SourceOut(
        name=doc.name, type=doc.kind, pages=doc.pages, empty_pages=list(doc.empty_pages), encoding=doc.encoding
    )
    return FileResult.model_construct(**{**dict(result), "entities": entities}, text=doc.text, source=source)


def extract_files(paths: list[Path], settings: Settings, options: Options) -> tuple[list[FileResult], ModelOut]:
    """``planex extract``: read each file, then extract with the model as the server loads it (same checks).

    Every file is read before the model loads, so a file that cannot be read stops the run at once,
    with its reason (a :class:`DocumentError`, a ValueError the command prints).
    """
    from serving.reload import load_state
    from serving.results import document_result, model_out

    docs = [read_document(path.read_bytes(), str(path), max_pages=settings.max_pages) for path in paths]
    state = load_state(settings.model_path, settings)
    extracted = state.extractor.extract([doc.text for doc in docs])
    results = [
        file_result(doc, document_result(norm, entities, options))
        for doc, (norm, entities) in zip(docs, extracted, strict=True)
    ]
    return results, model_out(state.loaded)


def render(results: list[FileResult], model: ModelOut, fmt: str) -> bytes:
    """What ``planex extract`` writes: JSON as the API answers (one result per file), or the task table.

    ``fmt`` is json, csv or xlsx; a table of several files has a ``document`` column (1 for the first file).
    """
    from serving import export

    if fmt == "json":
        body = {"model": model.model_dump(mode="json"), "results": [r.model_dump(mode="json") for r in results]}
        return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    table = export.rows(results, with_document=len(results) > 1)
    if fmt == "csv":
        return export.to_csv(table)
    if fmt == "xlsx":
        return export.to_xlsx(table)
    raise ValueError(f"unknown output format {fmt!r}: use json, csv or xlsx")
