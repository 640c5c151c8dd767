"""Typed header and funds fields: amounts, dates, years, goal periods."""

from __future__ import annotations

import datetime as dt

import regex

from .vocab import values as V

# The words come from the value grammar's vocabulary (vocab/values.py), the one
# place where dates are spelled out.
_Y, _M = regex.escape(V.YEAR_WORD), regex.escape(V.MONTH_WORD)
_SEP = "".join(regex.escape(s) for s in V.DATE_SEPARATORS)
_DAYS = "".join(V.DAY_WORDS)
_RANGE = "|".join(regex.escape(s) for s in V.RANGE_SEPARATORS)
_AMOUNT = regex.compile(r"^[-−]?\d[\d,，]*(?:\.\d+)?$")
_DATE = regex.compile(rf"(\d{{4}})\s*[{_SEP}{_Y}]\s*(\d{{1,2}})\s*[{_SEP}{_M}]\s*(\d{{1,2}})\s*[{_DAYS}]?")
_YEAR_LABEL = regex.compile(rf"(\d{{4}})\s*{_Y}度?")
# A form's own year label, printed on a line of its own: "(2023年度)", "（2023年度）".
_FORM_YEAR_LABEL = regex.compile(rf"^[(（]\s*\d{{4}}\s*{_Y}度?\s*[)）]$")
# Two years each with its 年 are a period even when the dash between them is
# lost (a fax: "(2023年2023年)").
_PERIOD = regex.compile(rf"(\d{{4}})\s*(?:{_Y}?\s*(?:{_RANGE})|{_Y})\s*(\d{{4}})\s*{_Y}?")


def amount(text: str) -> float | None:
    """'4,100,000.00' / '7595500.00' -> float; '' -> None; other text -> None."""
    t = "".join(text.split()).replace("，", ",")
    if not t or not _AMOUNT.match(t):
        return None
    return float(t.replace(",", "").replace("−", "-"))


def money(text: str) -> tuple[float | None, bool | None]:
    """An amount that may print its own unit: '5,093.76万元' -> (5093.76, True),
    '300元' -> (300.0, False), '300' -> (300.0, None)."""
    t = "".join(text.split())
    wan: bool | None = None
    if t.endswith("万元"):
        t, wan = t[:-2], True
    elif t.endswith("元"):
        t, wan = t[:-1], False
    return amount(t), wan


def date(text: str) -> dt.date | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def year_of(text: str) -> int | None:
    """The budget year in a label such as '(2023年度)' or '2026年度…部门预算'."""
    m = _YEAR_LABEL.search(text)
    if m and 1990 <= int(m[1]) <= 2100:
        return int(m[1])
    return None


def is_year_label(text: str) -> bool:
    return bool(_FORM_YEAR_LABEL.match(text.strip()))


def year_span(text: str) -> tuple[int, int] | None:
    """Where the first 'YYYY年(度)' stands in the text."""
    m = _YEAR_LABEL.search(text)
    return (m.start(), m.end()) if m else None


def period(text: str) -> str | None:
    """'项目总目标 (2023年-2023年)' -> '2023年-2023年'."""
    m = _PERIOD.search(text)
    return f"{m[1]}{V.YEAR_WORD}-{m[2]}{V.YEAR_WORD}" if m else None


def one_line(text: str) -> str:
    """A single-line field: hard breaks inside a label cell are wrapping too."""
    return "".join(text.split("\n")).strip()


_HAN_GAP = regex.compile(r"(?<=\p{Han})\s+(?=\p{Han})")


def label_text(text: str) -> str:
    """A level label as a word: letter-spaced or wrapped labels ("产 出 指 标",
    "满意度 指标") lose the spaces between their characters."""
    return _HAN_GAP.sub("", one_line(text))
