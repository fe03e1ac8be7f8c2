"""Read the values in DEADLINE and INDICATOR spans: ISO dates and periods, comparators and numbers.

Both parsers are total: text they cannot read gives ``None`` fields, never an exception,
because a span the model found is worth returning even when its value is unreadable.
"""

from __future__ import annotations

import calendar
import re
from typing import Any

_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "〇零一二两三四五六七八九十百千"
_QUOTES = str.maketrans("", "", "“”\"'‘’「」《》 \t\u3000\xa0")


def cn_int(text: str) -> int | None:
    """Read a Chinese numeral below ten thousand; ``None`` if ``text`` is not one.

    >>> cn_int("三"), cn_int("十二"), cn_int("两百"), cn_int("三千零五"), cn_int("二〇二五")
    (3, 12, 200, 3005, 2025)
    """
    if not text or any(c not in _CN_NUM for c in text):
        return None
    if not any(c in _CN_UNIT for c in text):  # digit by digit, as in years: 二〇二五
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _CN_DIGIT:
            digit = _CN_DIGIT[c]
        else:
            total += (1 if digit is None else digit) * _CN_UNIT[c]  # 十二 = 12: a bare unit counts once
            digit = None
    return total + (digit or 0)


def _clean(text: str) -> str:
    """Drop quotes and spaces, use ASCII digits, and write Chinese years, months and days in digits."""
    s = text.translate(_QUOTES).strip("，,。；;：:、")
    s = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" or c in "．／－" else c for c in s)
    s = re.sub(r"[〇零一二三四五六七八九]{4}(?=年)", lambda m: str(cn_int(m.group())), s)
    return re.sub(r"[一二三四五六七八九十]{1,3}(?=月|日|号)", lambda m: str(cn_int(m.group())), s)


# Five-year plans from the third (1966–1970) on are consecutive: the n-th starts in 1966 + 5(n-3).
_FYP = re.compile(r"十([一二三四五六七八九]?)五(?:规划)?(时期|期间|期末|末期|末|期初|初)?")
_RANGE = re.compile(r"(\d{4})年?(?:\d{1,2}月)?[-—–~～至到](\d{4})")
_POINT = re.compile(
    r"(?:(?P<year>\d{4})(?:年|[./-])?|(?P<rel>今年|本年|当年|明年|次年|年))?"
    r"(?:(?P<half>上半年|下半年)|第?(?P<quarter>[1-4一二三四])季度|"
    r"(?P<month>\d{1,2})(?:月份?|[./-])?(?:(?P<day>\d{1,2})[日号]?)?(?P<mpart>底|末|初|上旬|中旬|下旬)?)?"
    r"(?P<ypart>年底|年末|年初|年中|年内|底|末|初|中|内)?"
)
_FROM = re.compile(r"(?:起|开始|以后|之后)$")
_BY = re.compile(r"(?:以前|之前|前|为止|止)$")
_PREFIX = re.compile(r"^(?:完成时限|完成时间|时限)?[:：]?(?:截止到|截止|截至|直至|到|至|于|在|自|从)?")


def _deadline(date: str | None, period: str | None, kind: str | None) -> dict[str, Any]:
    return {"date": date, "period": period, "kind": kind}


def _range(m: re.Match[str]) -> dict[str, Any]:
    first, last = int(m.group(1)), int(m.group(2))
    if first > last:
        return _deadline(None, None, None)
    return _deadline(f"{last}-12-31", f"{first}/{last}", "range")


def _end_of_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def parse_deadline(text: str, doc_year: int | None = None) -> dict[str, Any]:
    """Read a deadline as ``{"date": ISO or None, "period": str or None, "kind": "by"|"from"|"range"|None}``.

    ``date`` is the last day the expression allows (``kind="by"``), the first day it starts
    (``"from"``) or the end of a range. ``period`` names the span of time written:
    ``"2025"``, ``"2025-06"``, ``"2025-H1"``, ``"2025-Q3"``, ``"2021-05-01"`` or ``"2021/2025"``.
    Relative expressions (``年内``, ``6月底前``) need ``doc_year``; without it their fields are ``None``.

    >>> parse_deadline("2025年底前")
    {'date': '2025-12-31', 'period': '2025', 'kind': 'by'}
    >>> parse_deadline("年内", doc_year=2024)["date"]
    '2024-12-31'
    """
    s = _clean(text)
    kind = "by"
    if _FROM.search(s):
        kind, s = "from", _FROM.sub("", s)
    else:
        s = _BY.sub("", s)
    s = _PREFIX.sub("", s)
    fyp = _FYP.fullmatch(s)
    if fyp:
        start = 1966 + 5 * (10 + (cn_int(fyp.group(1)) or 0) - 3)
        part = fyp.group(2) or ""
        if part in ("时期", "期间", ""):
            return _deadline(f"{start + 4}-12-31", f"{start}/{start + 4}", "range")
        if "初" in part:
            return _deadline(f"{start}-01-01" if kind == "from" else None, str(start), kind)
        return _deadline(f"{start + 4}-12-31", str(start + 4), kind)
    rng = _RANGE.match(s)
    if rng:
        return _range(rng)
    m = _POINT.fullmatch(s)
    if not s or not m:
        return _deadline(None, None, None)
    return _point(m, kind, doc_year)


def _point(m: re.Match[str], kind: str, doc_year: int | None) -> dict[str, Any]:
    g = m.groupdict()
    year: int | None = int(g["year"]) if g["year"] else None
    if year is None and doc_year is not None:
        year = doc_year + (1 if g["rel"] in ("明年", "次年") else 0)
    if year is None:
        return _deadline(None, None, kind)  # relative to an unknown year: the period cannot be read
    first = kind == "from"
    if g["half"]:
        h = 1 if g["half"] == "上半年" else 2
        date = f"{year}-{'01-01' if h == 1 else '07-01'}" if first else f"{year}-{'06-30' if h == 1 else '12-31'}"
        return _deadline(date, f"{year}-H{h}", kind)
    if g["quarter"]:
        q = int(g["quarter"]) if g["quarter"].isdigit() else cn_int(g["quarter"]) or 1
        last = 3 * q
        date = f"{year}-{last - 2:02d}-01" if first else f"{year}-{last:02d}-{_end_of_month(year, last):02d}"
        return _deadline(date, f"{year}-Q{q}", kind)
    if g["month"]:
        month = int(g["month"])
        if not 1 <= month <= 12:
            return _deadline(None, None, None)
        if g["day"]:
            day = int(g["day"])
            if not 1 <= day <= _end_of_month(year, month):
                return _deadline(None, None, None)
            iso = f"{year}-{month:02d}-{day:02d}"
            return _deadline(iso, iso, kind)
        # 上旬/中旬 end on the 10th/20th; 初 is read as 上旬, the earliest it can mean.
        day = {"初": 10, "上旬": 10, "中旬": 20}.get(g["mpart"] or "", _end_of_month(year, month))
        return _deadline(f"{year}-{month:02d}-{1 if first else day:02d}", f"{year}-{month:02d}", kind)
    part = g["ypart"] or ""
    if "初" in part and not first:
        return _deadline(None, str(year), kind)  # "early in the year" has no single last day
    if "中" in part:
        return _deadline(f"{year}-07-01" if first else f"{year}-06-30", str(year), kind)
    return _deadline(f"{year}-01-01" if first else f"{year}-12-31", str(year), kind)


_COMPARE_AFTER = [
    (re.compile(r"^(?:及以上|或以上|以上|之上)"), ">="),
    (re.compile(r"^(?:多|余)"), ">"),
    (re.compile(r"^(?:及以下|或以下|以下|以内|之内|内)"), "<="),  # `1个工作日内`: within
    (re.compile(r"^(?:左右|上下)"), "~"),
]
# Order matters: 不超过 must be tried before 超过, 不高于 before 高于.
_COMPARE_BEFORE = [
    (re.compile(r"(?:不少于|不低于|不小于|至少|达到|达)$"), ">="),
    (re.compile(r"(?:不超过|不高于|不多于|最多|控制在|压缩[至到]|缩短[至到]|降低[至到]|降至|减少[至到])$"), "<="),
    (re.compile(r"(?:超过|高于|多于|大于)$"), ">"),
    (re.compile(r"(?:低于|少于|小于|不足|不到)$"), "<"),
    (re.compile(r"(?:约|近|大约)$"), "~"),
]
_UNIT = re.compile(
    r"(?:%|％|‰|个百分点|百分点|个工作日|工作日|倍|"
    r"(?:万|亿)?(?:千瓦时|千瓦|平方公里|平方米|公里|千米|米|亩|吨|元|人次|人|个|家|项|所|条|座|台|套|户|件|篇|次|处|"
    r"小时|天|日|分钟|秒|辆|张|本|册|株|名|位|批|种|部|款|门|间|栋|床|GB|TB|PB|Gbps|Mbps)|万|亿)"
)
_NUMBER = re.compile(rf"(\d+(?:,\d{{3}})*(?:\.\d+)?|[{_CN_NUM}]+)")
# Verbs that only say "reaches the value" are not part of the measured thing; 新建, 增长 and the like are.
_LINK_VERB = re.compile(
    r"(?:达到|达|提高到|提高至|提升到|提升至|增加到|增加至|增至|扩大到|扩大至|保持在|稳定在|控制在|压缩至|压缩到|"
    r"缩短至|缩短到|降低至|降低到|降至|减少至|减少到|为|不少于|不低于|不小于|不超过|不高于|不多于|超过|高于|低于|"
    r"多于|少于|大于|小于|不足|不到|至少|最多|约|近|大约)$"
)


def parse_indicator(text: str) -> dict[str, Any]:
    """Read a quantitative target as ``{"metric", "comparator", "value", "unit"}``.

    The value is the last number followed by a unit (or ending the text); comparators are
    ``>=`` (以上, 不少于, 达到), ``>`` (超过), ``<=`` (以下, 以内, 不超过), ``<``, ``~`` (左右)
    and ``=`` when none is written. Following Chinese legal usage, 以上/以下/以内 include the value.
    ``万``/``亿`` stay in the unit, so ``3000万元`` and ``三千万元`` both read as 3000 万元.
    Fields that cannot be read are ``None``.

    >>> parse_indicator("智慧社区覆盖率达到95%以上")
    {'metric': '智慧社区覆盖率', 'comparator': '>=', 'value': 95.0, 'unit': '%'}
    """
    s = text.strip()
    best: tuple[re.Match[str], str] | None = None
    for m in _NUMBER.finditer(s):
        rest = s[m.end() :]
        after_number = _UNIT.match(rest)
        if after_number or not rest.strip() or any(p.match(rest) for p, _ in _COMPARE_AFTER):
            best = (m, after_number.group() if after_number else "")
    if best is None:
        return {"metric": s or None, "comparator": None, "value": None, "unit": None}
    num, unit = best
    raw = num.group()
    value = float(raw.replace(",", "")) if raw[0].isdigit() else cn_int(raw)
    if value is None:
        return {"metric": s or None, "comparator": None, "value": None, "unit": None}
    before, after = s[: num.start()], s[num.end() + len(unit) :]
    comparator = "="
    for pattern, op in _COMPARE_AFTER:
        hit = pattern.match(after)
        if hit:
            comparator, after = op, after[hit.end() :]
            if not unit and (late := _UNIT.match(after)):  # 100多个: the unit follows the comparator
                unit, after = late.group(), after[late.end() :]
            break
    else:
        for pattern, op in _COMPARE_BEFORE:
            if pattern.search(before):
                comparator = op
                break
    metric = _LINK_VERB.sub("", before) + after.removeprefix("的")
    return {
        "metric": metric.strip("，,、：: ") or None,
        "comparator": comparator,
        "value": float(value),
        "unit": unit or None,
    }
