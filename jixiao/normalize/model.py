"""The form model normalize reads into, before typing (forms.py types it).

One model for every form, whatever its family: a title (optional), an
envelope of label -> value texts (header, funds, goals), and indicator rows
read from a grid. Families differ only in the words and column roles that
find these parts (``vocab``), never in this shape.

Warnings are structured (``Note``): a code an analyst can filter on, the
message a reader sees, and the indicator (seq) it concerns, if any. The
dataset renders the message; the report and review group by code and row.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    code: str  # e.g. "empty_value", "funds_sum", "name_from_title" (see forms.py)
    message: str
    indicator: int | None = None  # seq of the indicator it concerns

    def __str__(self) -> str:
        return self.message


@dataclass
class IndicatorDraft:
    level1: str
    level2: str
    level3: str
    value_raw: str
    page: int
    bbox: tuple[float, float, float, float]
    confidence: float | None
    weight: str | None = None  # 分值/权重 as printed (families with such a column)
    horizon: str = "annual"  # "annual" or "period" (实施期/长期 target)
    qualitative: bool = False  # the form marks the value 定性
    value_bbox: tuple[float, float, float, float] | None = None  # the value cell, on the same page
    # The merged 一级/二级 cells the row lies in, (page, top): rows of one cell
    # share its label, wherever on its pages it is printed (None: no such cell).
    level_cells: tuple[tuple[int, float] | None, tuple[int, float] | None] = (None, None)


@dataclass
class FormDraft:
    """What was read of one form, as printed (typed later in forms.py)."""

    header: dict[str, str] = field(default_factory=dict)
    funds: dict[str, str] = field(default_factory=dict)
    funds_in_wan: bool = False
    goal_header: str = ""
    overall_goal: str | None = None
    annual_goal: str | None = None
    indicators: list[IndicatorDraft] = field(default_factory=list)
    pages: set[int] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    title: str = ""
    year_label: str = ""
    notes: list[Note] = field(default_factory=list)
    # Indicator columns as x-ranges, to read continuation tables.
    columns: dict[str, tuple[float, float]] | None = None
    # Which family read the form (Project.layout); "" = the caller's default.
    layout: str = ""
    # "project" or "department" (a department-wide target table).
    form_kind: str = "project"
    # The form prints no name cell: its name was taken from the title.
    named_by_title: bool = False
    # The weights' total the form prints (分值（90）), if it prints one.
    weight_total: float | None = None
    # Where each header and funds field was read: field -> (page, cell box).
    field_cells: dict[str, tuple[int, tuple[float, float, float, float]]] = field(default_factory=dict)
    # Seals taken out of the form's scanned pages: page -> boxes (extract's PageInfo.stamps).
    stamps: dict[int, tuple[tuple[float, float, float, float], ...]] = field(default_factory=dict)

    def warn(self, code: str, message: str, indicator: int | None = None) -> None:
        self.notes.append(Note(code, message, indicator))
