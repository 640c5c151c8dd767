"""The records normalize hands to pipelines: one per form and per indicator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..extract.model import BBox
from .model import Note


@dataclass(frozen=True)
class Indicator:
    seq: int
    level1: str | None
    level2: str | None
    level3: str
    value_raw: str
    operator: str | None
    value: float | None
    value_max: float | None
    value_unit: str | None
    label: str | None
    value_kind: str
    page: int
    bbox: BBox
    weight: float | None = None
    horizon: str = "annual"
    confidence: float | None = None  # lowest OCR confidence of the row's cells
    value_bbox: BBox | None = None  # the value cell's box on `page`, where it has a cell of its own


@dataclass(frozen=True)
class Funds:
    total: float | None = None
    total_fiscal: float | None = None
    total_other: float | None = None
    annual_request: float | None = None
    annual_appropriation: float | None = None
    annual_carryover: float | None = None
    annual_other: float | None = None


@dataclass(frozen=True)
class Project:
    """One form, typed. Contract v2: what the form does not print is None."""

    seq: int  # order of the form in its document, from 1
    year: int  # the budget year; 0 only when nothing in the document prints one
    department: str  # partition value: never empty (vocab.UNKNOWN_DEPARTMENT)
    implementing_unit: str | None
    project_name: str | None
    project_nature: str | None
    project_category: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    funds: Funds
    goal_period: str | None
    overall_goal: str | None
    annual_goal: str | None
    indicators: tuple[Indicator, ...]
    first_page: int
    last_page: int
    layout: str
    extraction_method: str
    warnings: tuple[Note, ...] = field(default_factory=tuple)
    form_title: str | None = None
    form_kind: str = "project"  # "project" or "department"
    weight_total: float | None = None  # the total the weight column's header prints

    @property
    def problems(self) -> tuple[str, ...]:
        """Why this form makes its file `partial`: no rows, no year, no department."""
        return tuple(n.message for n in self.warnings if n.code in PROBLEM_CODES)


# Warning codes that make a form (and its file) incomplete.
PROBLEM_CODES = ("no_indicators", "no_year", "no_department", "rows_not_attached")


@dataclass(frozen=True)
class DocumentResult:
    """Everything normalize read from one document."""

    projects: tuple[Project, ...]
    title: str | None
    year: int | None
    publisher: str | None = None
    # Tables that looked like target tables but were left out, with why
    # (self-evaluation tables, unknown families): "p.12: 自评表 (实际完成值, 得分)".
    skipped: tuple[str, ...] = ()
    # Of those, the tables that may hold targets (not self-evaluations, not blank
    # templates): they make the file `partial`.
    unread: tuple[str, ...] = ()
