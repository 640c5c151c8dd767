"""Analysis-safe columns, derived from the printed ones (which stay as printed).

Pure functions on one record (a mapping of column -> value, nulls allowed), so
the same code fills the Parquet columns at extraction and older datasets at
load time:

- level1_std / level2_std: the standard 一级/二级 category (社会效益 and
  社会效益指标 are the same category), null where the printed label is none of them;
- value_base / value_max_base / unit_base: the value in the base unit
  (万元 -> 元, 万人 -> 人), the printed unit where no conversion is known;
- funds_budget: the budget year's amount, whichever block the form printed it in;
- form_kind: "project" or "department" (a department-wide table).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from functools import cache

import regex

from .vocab import standard as vocab

_NUMBERING = regex.compile(vocab.LEVEL_NUMBERING)
_YEAR = regex.compile(r"(\d{4})\s*年?")

INDICATOR_COLUMNS = ("level1_std", "level2_std", "value_base", "value_max_base", "unit_base")
PROJECT_COLUMNS = ("funds_budget",)


@cache
def _level(text: str | None, standard: tuple[str, ...], synonyms: tuple[tuple[str, str], ...]) -> str | None:
    if not text:
        return None
    t = _NUMBERING.sub("", "".join(text.split()))
    if t in standard:
        return t
    stem = t.removesuffix(vocab.LEVEL_SUFFIX)
    named = dict(synonyms).get(stem)
    if named:
        return named
    full = stem + vocab.LEVEL_SUFFIX
    return full if full in standard else None


def level1_std(text: str | None) -> str | None:
    """'产出' / '产出指标' / '1－产出指标' -> '产出指标'; None if not a standard 一级指标."""
    return _level(text, vocab.LEVEL1_STANDARD, tuple(vocab.LEVEL1_SYNONYMS.items()))


def level2_std(text: str | None) -> str | None:
    """'社会效益' / '社会效益指标' -> '社会效益指标'; None if not a standard 二级指标."""
    return _level(text, vocab.LEVEL2_STANDARD, tuple(vocab.LEVEL2_SYNONYMS.items()))


def base_unit(unit: str | None) -> tuple[str | None, float]:
    """(base unit, factor) for a printed unit: '万元' -> ('元', 10000.0)."""
    if unit is None:
        return None, 1.0
    u = "".join(unit.split())
    return vocab.UNIT_BASE.get(u, (u or None, 1.0))


def in_base_unit(value: float | None, unit: str | None) -> tuple[float | None, str | None]:
    base, factor = base_unit(unit)
    return (None if value is None else value * factor), base


def _years(project: Mapping[str, object]) -> set[int]:
    """The years the project's period names (dates, or '2015年-2017年')."""
    years = {d.year for d in (project.get("start_date"), project.get("end_date")) if isinstance(d, dt.date)}
    period = project.get("goal_period")
    if isinstance(period, str):
        years |= {int(y) for y in _YEAR.findall(period)}
    return years


def funds_budget(project: Mapping[str, object]) -> float | None:
    """The budget year's amount in yuan: 年度资金申请总额; else the sum of the
    annual block's parts; else the total, when the project spans one year (or
    prints no period: a one-year budget table's bare 资金总额). Null for a
    multi-year project that prints only its total."""

    def amount(name: str) -> float | None:
        v = project.get(name)
        return float(v) if isinstance(v, (int, float)) and not math.isnan(v) else None  # NaN is null

    request = amount("funds_annual_request")
    if request is not None:
        return request
    parts = [amount(n) for n in ("funds_annual_appropriation", "funds_annual_carryover", "funds_annual_other")]
    if any(p is not None for p in parts):
        return sum(p or 0.0 for p in parts)
    total = amount("funds_total")
    if total is not None and len(_years(project)) <= 1:
        return total
    return None


def form_kind(project: Mapping[str, object]) -> str:
    """The form_kind column where the dataset has it, else from the title."""
    kind = project.get("form_kind")
    if isinstance(kind, str) and kind:
        return kind
    title = f"{project.get('form_title') or ''}{project.get('project_name') or ''}"
    return "department" if any(w in title for w in vocab.DEPARTMENT_FORM_WORDS) else "project"


def indicator_columns(row: Mapping[str, object]) -> dict[str, object]:
    """The analysis-safe columns of one indicator row."""
    value, unit = row.get("value"), row.get("value_unit")
    v, base = in_base_unit(value if isinstance(value, float) else None, unit if isinstance(unit, str) else None)
    vmax = row.get("value_max")
    vmax_base, _ = in_base_unit(vmax if isinstance(vmax, float) else None, unit if isinstance(unit, str) else None)
    return {
        "level1_std": level1_std(row.get("level1")),  # type: ignore[arg-type]
        "level2_std": level2_std(row.get("level2")),  # type: ignore[arg-type]
        "value_base": v,
        "value_max_base": vmax_base,
        "unit_base": base,
    }


def project_columns(row: Mapping[str, object]) -> dict[str, object]:
    """The analysis-safe columns of one project row."""
    return {"funds_budget": funds_budget(row)}
