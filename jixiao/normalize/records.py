"""The records normalize hands to pipelines: one per form and per indicator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..extract.model import BBox


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
    seq: int  # order of the form in its document, from 1
    year: int | None
    department: str
    implementing_unit: str
    project_name: str
    project_nature: str
    project_category: str
    start_date: dt.date | None
    end_date: dt.date | None
    funds: Funds
    goal_period: str | None
    overall_goal: str
    annual_goal: str
    indicators: tuple[Indicator, ...]
    first_page: int
    last_page: int
    layout: str
    extraction_method: str
    warnings: tuple[str, ...] = field(default_factory=tuple)
    form_title: str = ""


@dataclass(frozen=True)
class DocumentResult:
    """Everything normalize read from one document."""

    projects: tuple[Project, ...]
    title: str | None
    year: int | None
    # Tables that looked like target tables but were left out, with why
    # (self-evaluation tables, unknown families): "p.12: 自评表 (实际完成值, 得分)".
    skipped: tuple[str, ...] = ()
