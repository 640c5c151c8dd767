"""Typed header and funds fields: amounts, dates, years, goal periods."""

from __future__ import annotations

import datetime as dt

import regex

_AMOUNT = regex.compile(r"^[-−]?\d[\d,，]*(?:\.\d+)?$")
_DATE = regex.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_YEAR_LABEL = regex.compile(r"(\d{4})\s*年度?")
# A form's own year label, printed on a line of its own: "(2023年度)", "（2023年度）".
_FORM_YEAR_LABEL = regex.compile(r"^[(（]\s*\d{4}\s*年度?\s*[)）]$")
_PERIOD = regex.compile(r"(\d{4})\s*年?\s*[-－—~～至]\s*(\d{4})\s*年?")


def amount(text: str) -> float | None:
    """'4,100,000.00' / '7595500.00' -> float; '' -> None; other text -> None."""
    t = "".join(text.split()).replace("，", ",")
    if not t or not _AMOUNT.match(t):
        return None
    return float(t.replace(",", "").replace("−", "-"))


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
    return f"{m[1]}年-{m[2]}年" if m else None


def one_line(text: str) -> str:
    """A single-line field: hard breaks inside a label cell are wrapping too."""
    return "".join(text.split("\n")).strip()
