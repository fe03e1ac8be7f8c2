"""``planex batch``: a corpus of documents through the served pipeline, one record per document.

Inputs are folders of files (.txt, .pdf, .docx, .html, .htm, read by :mod:`planex.documents`) or
JSONL files of ``{"id", "text"}`` records. Each document becomes a record ``{id, error, characters,
source, entities, tasks, unattached}`` (the API's answer for it) plus, for a file, the ``text`` read
from it, which its offsets index; a document that cannot be read or extracted gets a record with its
``error`` and the run goes on. Records go to a journal as they finish
(:mod:`serving.batch_store`), so an interrupted run continues with ``--resume``.

The local engine runs in this process (``--workers 1``) or in worker processes; the Ray engine
(:mod:`serving.batch_ray`) runs the same :class:`Worker` as actors of a Ray Data pipeline. Each worker
loads the model once, and extracts a chunk of documents in one call so windows are batched across them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planex.textio import iter_jsonl_records
from serving.batch_store import Journal

FILE_TYPES = (".txt", ".pdf", ".docx", ".html", ".htm")
Record = dict[str, Any]


@dataclass(frozen=True)
class Item:
    """One document to process: a file to read (``path``) or a JSONL record's ``text``."""

    id: str
    path: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class BatchConfig:
    """What every worker needs to load the model and answer as the server does."""

    model: Path = Path("models/default")
    device: str | None = None
    doc_year: int | None = None
    min_score: float = 0.0
    max_pages: int = 300
    chunk: int = 8  # documents per extraction call: windows are batched across them
    workers: int = 1
    # Torch threads per worker; default 1: in-process runs with 2 threads were 1.8-2.8x slower than with 1
    # on the 2-core machine (reports/batch.md), so more cores are used through --workers.
    threads: int = 1


def list_items(inputs: Sequence[Path]) -> list[Item]:
    """Every document of ``inputs`` (folders of files, JSONL files, single files), ids unique.

    A file in a folder has its path relative to that folder as id; a JSONL record its ``id`` field.
    """
    items: list[Item] = []
    for src in inputs:
        if src.is_dir():
            files = sorted(p for p in src.rglob("*") if p.is_file() and p.suffix.lower() in FILE_TYPES)
            items += [Item(id=p.relative_to(src).as_posix(), path=str(p)) for p in files]
        elif src.suffix.lower() == ".jsonl":
            items += _jsonl_items(src)
        elif src.is_file() and src.suffix.lower() in FILE_TYPES:
            items.append(Item(id=src.name, path=str(src)))
        elif not src.exists():
            raise ValueError(f"{src} does not exist")
        else:
            raise ValueError(f"{src}: give folders of {', '.join(FILE_TYPES)} files or .jsonl files of id and text")
    seen: dict[str, Item] = {}
    for item in items:
        if item.id in seen:
            raise ValueError(f"two documents have the id {item.id!r} ({seen[item.id].path or 'JSONL'} and "
                             f"{item.path or 'JSONL'}): give them different names or ids")  # fmt: skip
        seen[item.id] = item
    return items


def _jsonl_items(path: Path) -> list[Item]:
    items = []
    for n, rec in iter_jsonl_records(path):  # refuses bad JSON and records without a text, naming the line
        if "id" not in rec:
            raise ValueError(f'{path} line {n}: a record needs an "id" beside its "text"')
        items.append(Item(id=str(rec["id"]), text=rec["text"]))
    return items


class Worker:
    """The model, loaded once, and the step from documents to records."""

    def __init__(self, cfg: BatchConfig):
        import torch

        from serving.reload import load_state
        from serving.schemas import Options
        from serving.settings import Settings

        torch.set_num_threads(cfg.threads)
        self.cfg = cfg
        self.settings = Settings(model_path=cfg.model, device=cfg.device, max_pages=cfg.max_pages)
        self.state = load_state(cfg.model, self.settings)
        self.options = Options(doc_year=cfg.doc_year, min_score=cfg.min_score)

    def __call__(self, items: Sequence[Item]) -> list[Record]:
        """Records for ``items``, in order; a document that fails gets a record with its error."""
        from planex.documents import read_document
        from serving.documents import file_result

        records: dict[int, Record] = {}
        readable: list[tuple[int, Any]] = []  # (position, Document or None for JSONL text)
        texts: list[str] = []
        for n, item in enumerate(items):
            try:
                if item.path is not None:
                    doc = read_document(Path(item.path).read_bytes(), item.path, max_pages=self.cfg.max_pages)
                    text = doc.text
                else:
                    doc, text = None, item.text or ""
                if not text.strip():
                    raise ValueError("the document holds no text")
            except (ValueError, OSError) as e:
                records[n] = {"id": item.id, "error": f"{type(e).__name__}: {e}"}
                continue
            readable.append((n, doc))
            texts.append(text)
        for (n, doc), result in zip(readable, self._extract(texts), strict=True):
            item = items[n]
            if isinstance(result, Exception):
                records[n] = {"id": item.id, "error": f"{type(result).__name__}: {result}"}
                continue
            out = (file_result(doc, result) if doc is not None else result).model_dump(mode="json")
            source = out.pop("source", None) or {"name": item.path or "jsonl", "type": "text"}
            # A file's text is what its offsets index, so it is kept; a JSONL record's is in the input.
            out.pop("normalised_text", None)
            records[n] = {"id": item.id, "error": None, "source": source, **out}
        return [records[n] for n in range(len(items))]

    def _extract(self, texts: list[str]) -> list[Any]:
        """Results for ``texts`` in one call; if the call fails, one call each, so one bad text fails alone."""
        from serving.results import document_result

        def run(batch: list[str]) -> list[Any]:
            return [document_result(n, e, self.options) for n, e in self.state.extractor.extract(batch)]

        try:
            return run(texts)
        except Exception:  # isolate the document that failed; the others are answered as usual
            out: list[Any] = []
            for text in texts:
                try:
                    out += run([text])
                except Exception as e:
                    out.append(e)
            return out


def chunks(items: Sequence[Item], size: int) -> Iterator[list[Item]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


_WORKER: Worker | None = None


def _init_process(cfg: BatchConfig) -> None:
    global _WORKER
    _WORKER = Worker(cfg)


def _process_chunk(items: list[Item]) -> list[Record]:
    assert _WORKER is not None, "worker process started without its model"
    return _WORKER(items)


def run_local(todo: Sequence[Item], cfg: BatchConfig, emit: Callable[[Record], None]) -> None:
    """Extract ``todo`` in this process or in ``cfg.workers`` processes; ``emit`` each record in input order."""
    if cfg.workers <= 1:
        worker = Worker(cfg)
        for chunk in chunks(todo, cfg.chunk):
            for record in worker(chunk):
                emit(record)
        return
    with ProcessPoolExecutor(cfg.workers, initializer=_init_process, initargs=(cfg,)) as pool:
        for records in pool.map(_process_chunk, chunks(todo, cfg.chunk)):
            for record in records:
                emit(record)


def run_batch(
    inputs: Sequence[Path], out: Path, cfg: BatchConfig, *, engine: str = "local",
    ray_address: str | None = None, resume: bool = False, progress: bool = True,
) -> dict[str, int]:  # fmt: skip
    """Process every document of ``inputs`` into ``out``; return counts (documents, done before, failed)."""
    from tqdm import tqdm

    if engine not in ("local", "ray"):
        raise ValueError(f"--engine {engine}: use local or ray")
    items = list_items(inputs)
    journal = Journal(out, resume)
    todo = [i for i in items if i.id not in journal.done]
    failed = 0
    bar = tqdm(total=len(todo), unit="doc", disable=not progress, desc=f"planex batch ({engine})")

    def emit(record: Record) -> None:
        nonlocal failed
        journal.append(record)
        failed += record.get("error") is not None
        bar.update(1)

    try:
        if engine == "ray":
            from serving.batch_ray import run_ray

            run_ray(todo, cfg, emit, ray_address)
        else:
            run_local(todo, cfg, emit)
    finally:
        bar.close()
        journal.close()
    total = journal.finish()
    return {"documents": total, "processed": len(todo), "skipped": len(items) - len(todo), "failed": failed}
