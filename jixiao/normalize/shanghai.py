"""The Shanghai 财政项目支出绩效目标申报表/填报表 family.

A form is found by its labels (项目名称, 主管部门, 一级指标 ...), never by
position: each label's value is the cell to its right (header, funds) or
below it (goals); indicator rows are the rows under the 一级指标 header, with
一级/二级 read from the merged cell covering the row. Merged cells cut by a
page break are already one cell (extract stitches open fragments); a table on
the next page that carries on the indicator columns without a header of its
own is read as more rows of the same form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..extract.model import Cell, Table, TextLine
from . import fields, vocab
from .vocab import key

LAYOUT = "sh-declaration"

_FUNDS = {key(label): name for label, name in vocab.FUNDS_LABELS.items()}
_LEVEL3 = {key(h) for h in vocab.LEVEL3_HEADERS}


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


@dataclass
class FormDraft:
    """What was read of one form, as printed (typed later in forms.py)."""

    header: dict[str, str] = field(default_factory=dict)
    funds: dict[str, str] = field(default_factory=dict)
    funds_in_wan: bool = False
    goal_header: str = ""
    overall_goal: str = ""
    annual_goal: str = ""
    indicators: list[IndicatorDraft] = field(default_factory=list)
    pages: set[int] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    title: str = ""
    year_label: str = ""
    warnings: list[str] = field(default_factory=list)
    low_confidence: list[str] = field(default_factory=list)
    # Indicator columns as x-ranges, to read continuation tables.
    columns: dict[str, tuple[float, float]] | None = None
    # Which family read the form (Project.layout); "" = the caller's default.
    layout: str = ""


def form_starts(table: Table) -> list[int]:
    """Rows where a form's header block (项目名称) begins."""
    return sorted({c.row for c in table.cells if key(c.text) == vocab.FORM_START_LABEL})


def read_rows(table: Table, start: int, stop: int, draft: FormDraft) -> None:
    """Read labels, funds, goals and indicator rows in rows [start, stop)."""
    annual_col = None
    for c in table.cells:
        if start <= c.row < stop and key(c.text) == vocab.FUNDS_RIGHT_BLOCK_LABEL:
            annual_col = c.col
    for c in table.cells:
        if not (start <= c.row < stop):
            continue
        draft.pages.add(c.page)
        draft.methods.add(table.method)
        k = key(c.text)
        if not k:
            continue
        if k in vocab.HEADER_LABELS:
            right = table.right_of(c)
            draft.header.setdefault(vocab.HEADER_LABELS[k], right.text if right else "")
        elif k in _FUNDS:
            name = _FUNDS[k]
            right = table.right_of(c)
            draft.funds.setdefault(name, right.text if right else "")
        elif k == vocab.FUNDS_OTHER:
            right_side = annual_col is not None and c.col >= annual_col
            name = vocab.FUNDS_OTHER_RIGHT if right_side else vocab.FUNDS_OTHER_LEFT
            right = table.right_of(c)
            draft.funds.setdefault(name, right.text if right else "")
        elif k.startswith(vocab.FUNDS_BLOCK_LABEL) and len(k) <= 8:
            draft.funds_in_wan = vocab.MONEY_WAN in k
        elif k.startswith(vocab.OVERALL_GOAL):
            draft.goal_header = c.text
            below = table.below(c)
            draft.overall_goal = below.text if below else ""
        elif k == vocab.ANNUAL_GOAL:
            below = table.below(c)
            draft.annual_goal = below.text if below else ""
        elif k == vocab.LEVEL1_HEADER and draft.columns is None:
            draft.columns = _indicator_columns(table, c)
            read_indicators(table, c.row + c.rowspan, stop, draft)
        elif any(w in k for w in vocab.FORM_TITLE_WORDS):
            draft.title = draft.title or c.text
        elif fields.is_year_label(c.text):
            draft.year_label = draft.year_label or c.text.strip()


def _indicator_columns(table: Table, l1: Cell) -> dict[str, tuple[float, float]]:
    cols = {"level1": table.x_range(l1)}
    for c in table.row_cells(l1.row):
        k = key(c.text)
        if k == vocab.LEVEL2_HEADER:
            cols["level2"] = table.x_range(c)
        elif k in _LEVEL3:
            cols["level3"] = table.x_range(c)
        elif vocab.is_value_header(k):
            cols["value"] = table.x_range(c)
    return cols


def read_indicators(table: Table, start: int, stop: int, draft: FormDraft) -> None:
    """One indicator per row whose 三级指标 cell starts in that row."""
    assert draft.columns is not None
    idx = {name: table.col_at((x0 + x1) / 2) for name, (x0, x1) in draft.columns.items()}
    if idx.get("level3") is None:
        return
    for r in range(start, stop):
        c3 = table.cell_at(r, idx["level3"])  # type: ignore[arg-type]
        if c3 is None or c3.row != r:
            continue
        parts = {}
        cells = [c3]
        for name in ("level1", "level2", "value"):
            col = idx.get(name)
            cell = table.cell_at(r, col) if col is not None else None
            parts[name] = cell.text if cell else ""
            if cell:
                cells.append(cell)
        if not c3.text and not parts["value"]:
            continue  # a blank ruled row
        draft.pages.add(c3.page)
        confs = [c.confidence for c in cells if c.confidence is not None]
        draft.indicators.append(
            IndicatorDraft(
                level1=fields.one_line(parts["level1"]),
                level2=fields.one_line(parts["level2"]),
                level3=fields.one_line(c3.text),
                value_raw=fields.one_line(parts["value"]),
                page=c3.page,
                bbox=c3.bbox,
                confidence=min(confs) if confs else None,
            )
        )


def continues_indicators(table: Table, draft: FormDraft) -> bool:
    """A header-less table on the next page whose columns match the form's."""
    if draft.columns is None or form_starts(table):
        return False
    if any(key(c.text) == vocab.LEVEL1_HEADER for c in table.cells):
        return True
    edges = table.col_edges
    for x0, x1 in draft.columns.values():
        if not any(abs(e - x0) <= 2 for e in edges) or not any(abs(e - x1) <= 2 for e in edges):
            return False
    return True


def read_forms(items: tuple[Table | TextLine, ...]) -> list[FormDraft]:
    """All Shanghai-family forms among a document's tables, in order."""
    forms: list[FormDraft] = []
    title, year_label = "", ""
    current: FormDraft | None = None
    for item in items:
        if isinstance(item, TextLine):
            t = item.text.strip()
            if any(w in t for w in vocab.FORM_TITLE_WORDS):
                title = t
            elif fields.is_year_label(t):
                year_label = t
            continue
        starts = form_starts(item)
        if not starts:
            if current is not None and continues_indicators(item, current):
                if any(key(c.text) == vocab.LEVEL1_HEADER for c in item.cells):
                    current.columns = None
                    read_rows(item, 0, item.nrows, current)
                else:
                    _fill_down_continuation(item, current)
            else:
                current = None
            continue
        # Rows above the first form start may hold its title and year label.
        read_rows(item, 0, starts[0], scratch := FormDraft())
        for i, start in enumerate(starts):
            stop = starts[i + 1] if i + 1 < len(starts) else item.nrows
            current = FormDraft(title=scratch.title or title, year_label=scratch.year_label or year_label)
            if i == 0:
                current.pages |= scratch.pages
            read_rows(item, start, stop, current)
            forms.append(current)
        title, year_label = "", ""
    return forms


def _fill_down_continuation(table: Table, draft: FormDraft) -> None:
    """Rows of a closed page break: an empty 一级/二级 cell at the top of the
    new page can only be the label printed above the break."""
    before = len(draft.indicators)
    read_indicators(table, 0, table.nrows, draft)
    prev = draft.indicators[before - 1] if before else None
    for ind in draft.indicators[before:]:
        if prev is None:
            break
        if not ind.level1 and prev.level1:
            ind.level1 = prev.level1
            if not ind.level2:
                ind.level2 = prev.level2
            draft.warnings.append(f"p.{ind.page}: 一级/二级指标 of '{ind.level3}' carried over the page break")
        prev = ind
