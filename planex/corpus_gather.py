"""Gather plan documents into a corpus file: keep plans that assign tasks, drop near-duplicates and
every document reserved for evaluation.

Raw input is JSON lines of ``{"url", "title", "text"}`` (plus an optional ``"source"`` saying where
the record was taken from). Each kept record gets an id ``<prefix><number>`` and a ``script``.

Near-duplicates: two texts whose 13-character windows (whitespace removed, traditional script
converted to simplified, so a traditional repost matches its original) overlap in more than 80 % of
the smaller one's windows. Reserved: more than 20 % of a text's windows, in its own script or after
OpenCC t2s, hash into ``reserved_shingles.txt`` (the first 16 hex digits of the SHA-256 of the
window's UTF-8 bytes), as ``../shared/corpus/README.md`` prescribes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from planex.atomic import write_text
from planex.normalise import PHONETIC
from planex.textio import iter_jsonl_records, read_text

WINDOW = 13
DUPLICATE_SHARE = 0.8
RESERVED_SHARE = 0.2
_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Titles of documents that hold no task assignments, whatever their text says (emergency plans,
# reports, laws and rules); a work report's task breakdown (政府工作报告…任务分解) is kept.
_NOT_PLAN_TITLE = re.compile(r"预案|解读|条例|规定|细则|办法|法$|答复|批复|函$|通报|公示|公告|年报|年度报告")
_REPORT = re.compile(r"报告")
_BREAKDOWN = re.compile(r"分工|分解|任务|责任|清单")
# A plan that assigns work names who does it, or by when.
# A plan assigns work by naming who leads or answers for it, or by when. Table headers are often
# spaced out (`牵 头 部 门`), and some plans name the lead only as `（X负责）` or `由X承办`.
_ASSIGNS = re.compile(
    # a department's own plans name its offices: `责任处室：卫监处`, `负责科室`, `责任股室`
    r"牵\s*头|责\s*任\s*(?:单\s*位|部\s*门|领\s*导|主\s*体|[处科股]\s*室)|负\s*责\s*(?:单\s*位|部\s*门|[处科股]\s*室)"
    r"|配合单位|承办(?:单位|部门)|协办单位|主办单位"
    r"|时\s*间\s*进\s*度"
    # duty lists: `县公安局负责…`, `（二）县公安局：要…`
    r"|(?:^|[。；;\n])\S{1,10}(?:局|委|办)(?:负责|[：:])"
    r"|完\s*成\s*时\s*限|整改时限|办结时限|时间节点|\d{1,2} ?月(?:底|\d{1,2}日)前"
    # township task lists: `任务清单 | 责任清单 | 时限清单`, `责任人：…`, `时限要求`
    r"|责\s*任\s*清\s*单|时\s*限\s*(?:清\s*单|要\s*求)|责\s*任\s*人\s*[：:|]"
    # brackets of either width: `（省发改委负责）`, `(省发改委負責)` in a traditional repost, `(X主办,Y协办)`, and
    # where more follows the lead inside the bracket: `（X负责，Y配合）`, `（X负责，下同）`
    r"|[（(][^（）()\n]{2,30}(?:负责|負責)(?:[，,;；][^（）()\n]{0,40})?[）)]"
    r"|由[^，。；\n]{2,20}(?:负责|承办)|[（(][^（）()\n]{2,20}主办"
    # a bare list of units closing an item: `…控制在4%。(就业处、就管中心)`
    r"|[（(](?:[^（）()、\n]{1,12}(?:处|局|委|办|中心)、)+[^（）()、\n]{1,12}(?:处|局|委|办|中心)[）)]"
)


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    import opencc

    convert: Callable[[str], str] = opencc.OpenCC("t2s").convert
    return convert


def to_simplified(text: str) -> str:
    """Return ``text`` in simplified script (OpenCC t2s, phrase by phrase)."""
    return _t2s()(text)


def windows(text: str) -> list[str]:
    """Every 13-character window of ``text`` with its whitespace removed (one window if shorter)."""
    compact = _SPACE.sub("", text)
    if len(compact) <= WINDOW:
        return [compact] if compact else []
    return [compact[i : i + WINDOW] for i in range(len(compact) - WINDOW + 1)]


def window_hash(window: str) -> str:
    """The reserved-list hash of one window: the first 16 hex digits of SHA-256 over its UTF-8."""
    return hashlib.sha256(window.encode("utf-8")).hexdigest()[:16]


def load_reserved(path: Path) -> frozenset[str]:
    """The hashes listed in a reserved-shingles file, one a line."""
    return frozenset(line.strip() for line in read_text(path).splitlines() if line.strip())


def reserved_share(text: str, reserved: frozenset[str]) -> float:
    """The larger share of ``text``'s windows listed in ``reserved``, in its own script or in t2s."""
    best = 0.0
    for form in {text, to_simplified(text)}:
        ws = windows(form)
        if ws:
            best = max(best, sum(window_hash(w) in reserved for w in ws) / len(ws))
    return best


def script_of(text: str) -> str:
    """``traditional`` when t2s changes more than 5 % of the Han characters, else ``simplified``."""
    han = _HAN.findall(text)
    if not han:
        return "simplified"
    simple = to_simplified(text)
    if len(simple) != len(text):
        changed = sum(1 for c in han if to_simplified(c) != c)
    else:
        changed = sum(1 for a, b in zip(text, simple, strict=True) if a != b and _HAN.match(a))
    return "traditional" if changed / len(han) > 0.05 else "simplified"


def plan_reason(title: str, text: str) -> str | None:
    """Why a record is not a plan that assigns tasks, or None if it is one (read in simplified script)."""
    # read without phonetic annotations, which break a lead bracket: `(區(qū)衛(wèi)生健康委負責)`
    title, text = to_simplified(title), to_simplified(PHONETIC.sub("", text))
    if _NOT_PLAN_TITLE.search(title):
        return "title names a kind that assigns no tasks"
    if _REPORT.search(title) and not _BREAKDOWN.search(title):
        return "title names a report"
    if not _ASSIGNS.search(text) and "工作要点" not in title:  # work points seldom name units
        return "text names no lead unit, responsible unit or deadline column"
    return None


class NearDuplicates:
    """Texts seen so far, found again by their 13-character windows."""

    def __init__(self, share: float = DUPLICATE_SHARE) -> None:
        self.share = share
        self._sizes: dict[str, int] = {}
        self._index: dict[str, list[str]] = {}

    def _shingles(self, text: str) -> set[str]:
        return set(windows(to_simplified(text)))

    def match(self, text: str) -> str | None:
        """The id of a text seen earlier that shares more than ``share`` of the smaller one's windows."""
        mine = self._shingles(text)
        if not mine:
            return None
        common = Counter(doc for s in mine for doc in self._index.get(s, ()))
        for doc, n in common.most_common():
            if n / min(len(mine), self._sizes[doc]) > self.share:
                return doc
        return None

    def add(self, doc_id: str, text: str) -> None:
        """Remember ``text`` under ``doc_id``."""
        mine = self._shingles(text)
        self._sizes[doc_id] = max(len(mine), 1)
        for s in mine:
            self._index.setdefault(s, []).append(doc_id)


@dataclass
class GatherReport:
    """What happened to each raw record: counts, and the ids of what was dropped and why."""

    read: int = 0
    not_plan: Counter[str] = field(default_factory=Counter)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (url, id of the earlier text)
    reserved: int = 0
    kept: int = 0
    scripts: Counter[str] = field(default_factory=Counter)


def read_jsonl(path: Path) -> Iterator[dict[str, str]]:
    """The records of a JSON-lines file; a bad line raises ValueError naming the file and line."""
    for n, record in iter_jsonl_records(path):  # checks JSON and the text field
        for key in ("url", "title"):
            if not isinstance(record.get(key), str):
                raise ValueError(f"{path} line {n}: field {key!r} missing or not text")
        yield record


def read_blocks(path: Path) -> Iterator[dict[str, str]]:
    """The records of a block file: each starts with a line ``@@@ URL | TITLE``, its text follows.

    The format to paste page openings into by hand; blank lines inside a text are kept.
    """
    record: dict[str, str] | None = None
    lines: list[str] = []
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if line.startswith("@@@ "):
            if record is not None:
                yield {**record, "text": "\n".join(lines).strip()}
            url, sep, title = line[4:].partition(" | ")
            if not sep or not url.strip() or not title.strip():
                raise ValueError(f"{path} line {n}: a block header reads '@@@ URL | TITLE'")
            record, lines = {"url": url.strip(), "title": title.strip()}, []
        elif record is None:
            if line.strip():
                raise ValueError(f"{path} line {n}: text before the first '@@@ URL | TITLE' header")
        else:
            lines.append(line)
    if record is not None:
        yield {**record, "text": "\n".join(lines).strip()}


def read_raw(path: Path) -> Iterator[dict[str, str]]:
    """Raw records from a ``.jsonl`` file or a block file (any other name)."""
    return read_jsonl(path) if path.suffix == ".jsonl" else read_blocks(path)


def gather(
    raw: Iterable[dict[str, str]],
    known: Iterable[tuple[str, str]],
    reserved: frozenset[str],
    prefix: str = "m",
    start: int = 1,
) -> tuple[list[dict[str, str]], GatherReport]:
    """Keep the plans in ``raw`` that are neither reserved nor near-duplicates of ``known``
    ``(id, text)`` pairs or of each other; number them ``prefix`` + five digits from ``start``."""
    seen = NearDuplicates()
    for doc_id, text in known:
        seen.add(doc_id, text)
    report, kept = GatherReport(), list[dict[str, str]]()
    for record in raw:
        report.read += 1
        title, text = record["title"].strip(), record["text"].strip()
        reason = plan_reason(title, text)
        if reason:
            report.not_plan[reason] += 1
            continue
        if reserved_share(text, reserved) > RESERVED_SHARE:
            report.reserved += 1  # counted only: a reserved text is never kept or named
            continue
        earlier = seen.match(text)
        if earlier:
            report.duplicates.append((record["url"], earlier))
            continue
        doc_id = f"{prefix}{start + len(kept):05d}"
        seen.add(doc_id, text)
        script = script_of(text)
        report.scripts[script] += 1
        kept.append({"id": doc_id, "url": record["url"], "title": title, "script": script, "text": text})
    report.kept = len(kept)
    return kept, report


def write_jsonl(records: Iterable[dict[str, str]], path: Path) -> None:
    """Write ``records`` as JSON lines, atomically."""
    write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def known_texts(corpora: Iterable[Path], seeds: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """``(id, text)`` of every record in the corpus files and of every seed text file."""
    for path in corpora:
        for record in read_jsonl_records(path):
            yield record["id"], record["text"]
    for path in seeds:
        yield path.stem, read_text(path)


def read_jsonl_records(path: Path) -> Iterator[dict[str, str]]:
    """The records of a corpus file (JSON lines with at least ``id`` and ``text``)."""
    for n, record in iter_jsonl_records(path):  # checks JSON and the text field
        if not isinstance(record.get("id"), str):
            raise ValueError(f"{path} line {n}: a corpus record needs text fields 'id' and 'text'")
        yield record


def gather_into(
    out: Path,
    raw: Iterable[Path],
    corpora: Iterable[Path],
    seeds: Iterable[Path],
    reserved: Path,
    prefix: str = "m",
) -> GatherReport:
    """Add the new plans in the ``raw`` files to the corpus file ``out`` (created if missing).

    Records already in ``out`` keep their ids and stay first; new ones are numbered after the
    highest id there, so a corpus file only ever grows and ids stay stable.
    """
    old = list(read_jsonl_records(out)) if out.exists() else []
    # Only ids of exactly this form count: another prefix may begin with this one (``m`` and ``mx``).
    own = re.compile(re.escape(prefix) + r"(\d+)")
    numbers = [int(m.group(1)) for r in old if (m := own.fullmatch(r["id"]))]
    known = [*((r["id"], r["text"]) for r in old), *known_texts(corpora, seeds)]
    records = (record for path in raw for record in read_raw(path))
    new, report = gather(records, known, load_reserved(reserved), prefix, start=max(numbers, default=0) + 1)
    write_jsonl([*old, *new], out)
    return report


def purge_reserved(path: Path, reserved: frozenset[str]) -> int:
    """Rewrite the raw file ``path`` without its reserved records; return how many were removed.

    Reserved texts may not be kept anywhere, so pasted raw files are purged once gathered.
    """
    records = list(read_raw(path))
    keep = [r for r in records if reserved_share(r["text"], reserved) <= RESERVED_SHARE]
    if len(keep) < len(records):
        if path.suffix == ".jsonl":
            write_jsonl(keep, path)
        else:
            write_text(path, "".join(f"@@@ {r['url']} | {r['title']}\n{r['text']}\n" for r in keep))
    return len(records) - len(keep)
