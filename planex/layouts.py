"""Layout families of plan documents: how a text marks its tasks and where leads and deadlines stand.

A family is read off the normalised text (simplified script, line wraps joined) by the ordered
rules in ``FAMILIES``: the first rule that matches names the family. ``labels/LAYOUTS.md`` describes
each family with counts and example ids; ``labels/families.tsv`` stores the family of every corpus
document so the sampler can draw by family.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from planex.atomic import write_text
from planex.normalise import normalise
from planex.textio import read_text

_UNIT_LABEL = r"(?:牵头单位|责任单位|责任部门|配合单位|协办单位|协同单位|参与单位|完成时限|完成时间|牵头领导|责任领导)"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _count(pattern: str, text: str, flags: int = 0) -> int:
    return len(re.findall(pattern, text, flags))


def _cell_per_line(text: str) -> bool:
    # A table exported one cell per line: header cells alone on consecutive lines.
    lines = _lines(text)
    if sum(1 for x in lines if re.fullmatch(_UNIT_LABEL, x)) >= 2:
        return True
    for i, line in enumerate(lines):
        if line in ("序号", "编号") and any(re.fullmatch(_UNIT_LABEL, x) for x in lines[i + 1 : i + 7]):
            return True
    units_alone = sum(1 for x in lines if re.fullmatch(r"[县市区镇乡省]\S{1,12}(?:局|委|办|中心|政府|部)", x))
    return units_alone >= 6 and units_alone / max(len(lines), 1) > 0.15


def _pipe_table(text: str) -> bool:
    rows = [re.sub(r"\s", "", x) for x in _lines(text) if len(re.findall("[|│┃]", x)) >= 3]
    # A page's metadata box (索引号 | … | 发布机构 | …) has bars too; a task table names units in its rows.
    return len(rows) >= 3 and any(re.search(r"牵头|责任|配合|完成时限|分管", x) for x in rows)


def _space_table(text: str) -> bool:
    # Table rows on one line each, cells separated by spaces (序号 类别 主要任务 牵头单位 …).
    return bool(re.search(r"(?m)^序号[ \t\u3000]+.*[ \t\u3000](?:牵头|责任|配合)", text))


def _flattened_table(text: str) -> bool:
    # Table cells run together on one line, as document-sharing sites export them.
    return bool(re.search(r"序号.{0,30}?(?:牵头单位|责任单位).{0,20}?(?:配合单位|责任单位|完成时限|完成时间)", text))


def _lead_and_responsible_bracket(text: str) -> bool:
    return _count(r"[（(〔\[]牵头单位[:：][^）)〕\]]{1,80}责任单位[:：]", text) >= 1


def _lead_and_responsible_lines(text: str) -> bool:
    lead = _count(r"(?m)^\s*(?:牵头单位|牵头责任单位|牵头部门)[:：]", text)
    resp = _count(r"(?m)^\s*(?:责任单位|协办单位|配合单位|参与单位|协同责任单位|协同单位|配合部门)[:：]", text)
    inline = _count(r"牵头单位[:：][^\n]{1,60}?(?:责任单位|配合单位)[:：]", text)
    return (lead >= 1 and resp >= 1) or inline >= 2


def _lead_and_helper_lines(text: str) -> bool:
    # 牵头领导 / 责任部门, 配合领导 / 配合部门 and the like, without a 牵头单位 label.
    return _count(r"(?:牵头领导|责任领导|分管领导|分管省领导|分管市领导|牵头负责领导)[:：]", text) >= 1 and bool(
        re.search(r"(?:责任部门|责任科室|配合部门|责任单位|部门分工)[:：]", text)
    )


def _responsible_lenticular(text: str) -> bool:
    return _count(r"〔(?:责任单位|牵头单位)[:：]", text) >= 1


def _responsible_bracket(text: str) -> bool:
    return _count(r"[（(](?:责任单位|责任部门|牵头单位)[:：]", text) >= 1


def _responsible_line(text: str) -> bool:
    return _count(r"(?:责任单位|责任部门|牵头单位)[:：]", text) >= 1


def _inline_lead_bracket(text: str) -> bool:
    brackets = re.findall(r"[（(][^（()）\n]{2,80}?(?:牵头|负责)[^（()）\n]{0,200}[）)]", text)
    return any("即为" not in b for b in brackets)  # (无牵头单位的，责任单位即为牵头单位) defines, assigns nothing


def _inline_lead_sentence(text: str) -> bool:
    return (
        _count(r"由(?!相关|各)[^，。；\n]{2,30}?牵头", text) >= 1
        or _count(r"[^各]\S{1,10}(?:局|委|办|部)牵头[，,]", text) >= 1
    )


def _work_points(text: str, title: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    return "工作要点" in title or ("工作要点" in first and ("印发" in first or "《" in first))


def _deadline_rows(text: str) -> bool:
    # Numbered tasks with deadlines but no unit marks: unmarked table rows or deadline lists.
    deadlines = _count(r"(?:\d{1,2}\s?月(?:底|中旬|上旬|下旬)?前|年底前|完成时限|完成时间)", text)
    return deadlines >= 2


def _cover_notice(text: str, title: str) -> bool:
    # The covering notice of a breakdown whose table is not in the text: duties stated in prose.
    head = title + text[:400]
    return ("印发" in head or "分解" in head) and bool(
        re.search(r"(?:牵头|责任|配合|协同)(?:单位|领导)[^:：\n]{0,12}要", text)
    )


def _goal_paragraphs(text: str) -> bool:
    return bool(re.search(r"(?:主要目标|工作目标|发展目标|目标任务|到20\d\d年)", text))


@dataclass(frozen=True)
class Family:
    """One layout family: its name, what it looks like, and the rule that recognises it."""

    name: str
    description: str
    rule: Callable[[str, str], bool]


FAMILIES: tuple[Family, ...] = (
    # Kinds named by their title first: an emergency plan or a report is neither a plan nor a task list.
    Family("emergency_plan", "emergency plan (应急预案): duties by role, no tasks", lambda _, h: "预案" in h),
    Family(
        "report",
        "report or disclosure report: no assignments",
        lambda _, h: "报告" in h and not re.search("分解|分工|任务|责任", h),
    ),
    Family(
        "pipe_table",
        "task table as rows of cells between vertical bars (ASCII or box-drawing)",
        lambda t, _: _pipe_table(t),
    ),
    Family("cell_per_line", "task table exported one cell per line", lambda t, _: _cell_per_line(t)),
    Family("space_table", "task table rows on one line each, cells separated by spaces", lambda t, _: _space_table(t)),
    Family("flattened_table", "task table with its cells run together on one line", lambda t, _: _flattened_table(t)),
    Family(
        "lead_resp_bracket",
        "bracketed note naming a 牵头单位 and beside it 责任单位 (〔牵头单位：X，责任单位：Y〕)",
        lambda t, _: _lead_and_responsible_bracket(t),
    ),
    Family(
        "lead_resp_lines",
        "牵头单位：X and 责任单位/配合单位：Y label lines after each task",
        lambda t, _: _lead_and_responsible_lines(t),
    ),
    Family(
        "lead_helper_lines",
        "a leader label (牵头领导/分管省领导：name) with 责任部门/部门分工 labels",
        lambda t, _: _lead_and_helper_lines(t),
    ),
    Family("resp_lenticular", "〔责任单位：X〕 after the task", lambda t, _: _responsible_lenticular(t)),
    Family(
        "resp_bracket",
        "one labelled unit list in brackets: （责任单位：X） or （牵头单位：X）",
        lambda t, _: _responsible_bracket(t),
    ),
    Family(
        "resp_line",
        "责任单位：X label after the task (own line or run on), no separate lead",
        lambda t, _: _responsible_line(t),
    ),
    Family(
        "inline_lead",
        "（X牵头，Y配合） or （X负责） bracket closing the task sentence",
        lambda t, _: _inline_lead_bracket(t),
    ),
    Family("lead_in_prose", "由X牵头 / X牵头， inside the sentence", lambda t, _: _inline_lead_sentence(t)),
    Family("work_points", "工作要点: numbered work points, units seldom named", _work_points),
    Family("cover_notice", "covering notice of a breakdown; duties in prose, table absent", _cover_notice),
    Family("deadline_rows", "tasks with deadlines but no unit marks", lambda t, _: _deadline_rows(t)),
    Family(
        "development_plan",
        "development plan (规划/纲要): goals and projects, units seldom named",
        lambda _, h: bool(re.search("规划|纲要", h)) and not re.search("分解|分工|任务|责任", h),
    ),
    Family("goal_paragraphs", "goals and targets in paragraphs, no assignments", lambda t, _: _goal_paragraphs(t)),
)
OTHER = "other"
TRADITIONAL = "traditional_repost"
NAMES: tuple[str, ...] = (TRADITIONAL, *(f.name for f in FAMILIES), OTHER)


def classify(raw: str, title: str = "", script: str = "simplified") -> str:
    """The layout family of one document (``traditional_repost`` for any text in traditional script)."""
    if script == "traditional":
        return TRADITIONAL
    text, head = normalise(raw).text, normalise(title).text if title else ""
    for family in FAMILIES:
        if family.rule(text, head):
            return family.name
    return OTHER


def family_table(docs: Iterable[tuple[str, str, str, str]]) -> dict[str, list[str]]:
    """Ids by family for ``(id, raw text, title, script)`` records, every family present (maybe empty)."""
    table: dict[str, list[str]] = {name: [] for name in NAMES}
    for doc_id, raw, title, script in docs:
        table[classify(raw, title, script)].append(doc_id)
    return table


def write_families(table: dict[str, list[str]], path: Path) -> None:
    """Write ``id<TAB>family`` lines, sorted by id, atomically."""
    rows = sorted((doc_id, name) for name, ids in table.items() for doc_id in ids)
    write_text(path, "id\tfamily\n" + "".join(f"{doc_id}\t{name}\n" for doc_id, name in rows))


def read_families(path: Path) -> dict[str, str]:
    """The family of each id in a file written by ``write_families``."""
    lines = read_text(path).splitlines()
    if not lines or lines[0] != "id\tfamily":
        raise ValueError(f"{path}: not a families file (its first line should read 'id<TAB>family')")
    return dict(line.split("\t", 1) for line in lines[1:] if line.strip())


def documents(corpora: Iterable[Path], seeds: Iterable[Path]) -> Iterator[tuple[str, str, str, str]]:
    """``(id, raw text, title, script)`` of every record in the corpus files and every seed text."""
    for path in corpora:
        for line in read_text(path).splitlines():
            if line.strip():
                record = json.loads(line)
                yield record["id"], record["text"], record.get("title", ""), record.get("script", "simplified")
    for path in seeds:
        yield path.stem, read_text(path), "", "simplified"


_DESCRIPTIONS = {
    TRADITIONAL: "repost in traditional script (any layout)",
    OTHER: "none of the above: openings of notices, opinions and plans before any task mark",
    **{f.name: f.description for f in FAMILIES},
}


def markdown_table(table: dict[str, list[str]], labelled: set[str]) -> str:
    """The survey table: per family its description, counts by source, labelled count, example ids."""
    rows = [
        "| family | how tasks, leads and deadlines are marked | all | plans.jsonl | plans_more | seeds | labelled "
        "| example ids |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in NAMES:
        ids = table[name]
        # plans.jsonl numbers p…/s…; gathered records take any other letter prefix (m, n, q …); seed
        # ids are their file names (000_c36e…).
        shared = [i for i in ids if re.fullmatch(r"[ps]\d+", i)]
        new = [i for i in ids if re.fullmatch(r"[a-z]+\d+", i) and i not in shared]
        examples = ", ".join([*new[:3], *[i for i in ids if i not in new][:3]])
        rows.append(
            f"| `{name}` | {_DESCRIPTIONS[name]} | {len(ids)} | {len(shared)} | {len(new)} "
            f"| {len(ids) - len(new) - len(shared)} | {sum(i in labelled for i in ids)} | {examples} |"
        )
    return "\n".join(rows) + "\n"
