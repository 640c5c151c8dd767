"""Label forms: one project per form, read by labels, never by position.

A label's value is the cell to its right (项目名称, 主管部门及代码, 实施单位,
funds); a goal's text is right of its label, or below it when the label spans
the table. Indicators are the rows under a header row holding 一级/二级/三级指标
(or 指标名称); their columns are decided by header words and content
(``common.read_columns``). Split-column values are composed from their printed
parts. A table without labels that follows a form carries on its indicators
(with a header row of its own, or with the same column rules).

Central, Shandong, split-column and 2015-template forms all share this reader;
each family module passes the layout its forms are recorded as.
"""

from __future__ import annotations

from ...extract.model import Table, TextLine
from .. import fields, vocab
from ..shanghai import FormDraft, IndicatorDraft
from ..vocab import key
from . import common
from .common import Columns, DocContext, LineContext

_FUNDS_FIELD = {
    ("annual", "request"): "annual_request",
    ("annual", "fiscal"): "annual_appropriation",
    ("annual", "carryover"): "annual_carryover",
    ("annual", "other"): "annual_other",
    ("total", "total"): "total",
    ("total", "request"): "total",
    ("total", "fiscal"): "total_fiscal",
    ("total", "other"): "total_other",
    ("total", "carryover"): "annual_carryover",
}


def form_starts(table: Table) -> list[int]:
    """Rows where a form's label block begins (its project-name label)."""
    return sorted({c.row for c in table.cells if common.label_in(c.text, vocab.PROJECT_NAME_LABELS)})


def _goal_label(text: str) -> str | None:
    lab = common.label_prefix(text, vocab.GOAL_LABELS)
    if lab is None:
        return None
    base, _ = common.base_label(text)
    # "中期目标（2015年-2017年）" is a label; a paragraph starting "总体目标…" is not.
    return lab if len(base) <= len(key(lab)) + vocab.HEADER_MAX_CHARS else None


def has_labels(table: Table, stop: int | None = None) -> bool:
    """Does the table carry a form's labels (name, department, unit or goal) above ``stop``?"""
    stop = table.nrows if stop is None else stop
    for c in table.cells:
        if c.row + c.rowspan > stop:
            continue  # at or below the header row: a column header, not a label
        if (
            common.label_in(c.text, vocab.PROJECT_NAME_LABELS)
            or common.label_in(c.text, vocab.DEPARTMENT_LABELS)
            or common.label_in(c.text, vocab.UNIT_LABELS)
            or _goal_label(c.text)
        ):
            return True
    return False


def form_columns(table: Table) -> Columns | None:
    """The indicator columns of a label form's first block; None when the table
    is not a label form (no labels above its indicator header)."""
    hrows = common.indicator_header_rows(table)
    if not hrows:
        return None
    h = hrows[0]
    if not has_labels(table, h):
        return None
    starts = [s for s in form_starts(table) if s > h]
    stop = min([*(r for r in hrows if r > h), *starts, table.nrows])
    return common.read_columns(table, h, stop)


def read_forms(items: list[Table | TextLine], ctx: DocContext, layout: str) -> list[FormDraft]:
    lines = LineContext()
    forms: list[FormDraft] = []
    current: FormDraft | None = None
    last: tuple[Table, Columns] | None = None  # indicator columns of the current form
    for item in items:
        if isinstance(item, TextLine):
            lines.see(item)
            continue
        starts = form_starts(item)
        if not starts and has_labels(item):
            starts = [0]
        if not starts:
            if current is not None and last is not None:
                carried = _continuation(item, current, last)
                if carried is not None:
                    last = carried
                    continue
            current, last = None, None
            continue
        for i, start in enumerate(starts):
            stop = starts[i + 1] if i + 1 < len(starts) else item.nrows
            current = FormDraft(layout=layout, title=lines.title, year_label=lines.form_year_text)
            cols = _read_segment(item, start, stop, current, lines, ctx)
            last = (item, cols) if cols is not None else None
            forms.append(current)
        lines.used()
    return forms


def _read_segment(
    table: Table, start: int, stop: int, draft: FormDraft, lines: LineContext, ctx: DocContext
) -> Columns | None:
    hrows = common.indicator_header_rows(table, start, stop)
    label_stop = hrows[0] if hrows else stop
    funds: list[tuple[int, str, str, str]] = []  # (col, block, part, text)
    wan: bool | None = None
    for c in table.cells:
        if not (start <= c.row < label_stop):
            continue
        draft.pages.add(c.page)
        draft.methods.add(table.method)
        if not c.text.strip() or (hrows and c.row + c.rowspan > label_stop):
            continue  # empty, or a side label running down into the indicator block
        _, in_wan = common.base_label(c.text)
        right = table.right_of(c)
        right_text = right.text if right is not None else ""
        if common.is_short(c.text) and in_wan is not None:
            wan = in_wan or bool(wan)  # 万元 wins over a 元 printed elsewhere in the block
        if common.label_in(c.text, vocab.PROJECT_NAME_LABELS):
            draft.header.setdefault("project_name", fields.one_line(right_text))
        elif common.label_in(c.text, vocab.DEPARTMENT_LABELS):
            draft.header.setdefault("department", common.strip_code(right_text))
        elif common.label_in(c.text, vocab.UNIT_LABELS):
            draft.header.setdefault("implementing_unit", common.strip_code(right_text))
        elif (lab := common.label_in(c.text, vocab.FUNDS_LABELS_FAMILY)) is not None:
            block, part = vocab.FUNDS_LABELS_FAMILY[lab]
            funds.append((c.col, block, part, common.amount_text(right_text)))
        elif (goal := _goal_label(c.text)) is not None:
            if right is not None and _goal_label(right.text):
                if c.rowspan > 1:
                    continue  # "总体目标" over its sub-labels (中期目标 / 年度目标)
                target = table.below(c)  # a column head: its text is below
            else:
                target = right if right is not None else table.below(c)
            text = target.text if target is not None else ""
            if vocab.GOAL_LABELS[goal] == "overall":
                draft.overall_goal = draft.overall_goal or text
                draft.goal_header = draft.goal_header or c.text
            else:
                draft.annual_goal = draft.annual_goal or text
    _resolve_funds(funds, draft)
    if wan is None and draft.funds:
        wan = lines.money_unit(draft.warnings)
    if wan is None and draft.funds:
        draft.warnings.append("no money unit printed: funds taken as 元")
    draft.funds_in_wan = bool(wan)
    if not draft.header.get("department"):
        draft.header["department"] = lines.department or ctx.publisher
        if ctx.publisher and not lines.department:
            draft.warnings.append(f"no 主管部门 printed: the publishing unit '{ctx.publisher}' (document title) used")
    if not draft.header.get("implementing_unit") and lines.unit_name:
        draft.header["implementing_unit"] = lines.unit_name
    if not draft.header.get("project_name"):
        name = department_wide_name(lines.title)
        if name:
            draft.header["project_name"] = name
            draft.warnings.append(f"department-wide target table: project name '{name}' taken from its title")
    cols = None
    for i, h in enumerate(hrows):
        h_stop = hrows[i + 1] if i + 1 < len(hrows) else stop
        cols = common.read_columns(table, h, h_stop)
        read_rows(table, cols, h + 1, h_stop, draft)
    return cols


def department_wide_name(title: str) -> str:
    """'2026年部门整体支出绩效目标表' -> '部门整体支出' (a form about the whole department)."""
    if not any(w in title for w in vocab.DEPARTMENT_WIDE_WORDS):
        return ""
    t = title
    for w in vocab.FORM_TITLE_WORDS:
        t = t.split(w)[0]
    t = common.regex.sub(r"^.*?\d{4}\s*年度?", "", t)
    return t.strip("（）() ")


def _resolve_funds(funds: list[tuple[int, str, str, str]], draft: FormDraft) -> None:
    """'side' labels (其中：财政拨款, 其他资金) belong to the block whose head is
    in their column or left of it."""
    annual_cols = [col for col, block, part, _ in funds if block == "annual" and part == "request"]
    total_cols = [col for col, block, part, _ in funds if block == "total"]
    for col, block, part, text in funds:
        if block == "side":
            if annual_cols and total_cols:
                block = "annual" if col >= min(annual_cols) else "total"
            elif total_cols:
                block = "total"
            else:
                block = "annual"
        name = _FUNDS_FIELD[(block, part)]
        draft.funds.setdefault(name, text)


def side_horizon(table: Table, row: int, cols: Columns) -> str | None:
    """A side label left of the indicator columns ('长期绩效指标', '年度绩效指标')."""
    first = cols.first_indicator_col
    if first is None:
        return None
    for c in common.covering(table, row):
        if c.col >= first:
            break
        k = key(c.text)
        if not common.is_short(c.text) or not any(w in k for w in vocab.SIDE_LABEL_WORDS):
            continue  # not a side label (a wide table's name, funds or goal)
        if any(w in k for w in vocab.PERIOD_WORDS):
            return "period"
        if any(w in k for w in vocab.FUNDS_ANNUAL_WORDS):
            return "annual"
    return None


def _text(table: Table, row: int, col: int | None) -> str:
    if col is None:
        return ""
    c = table.cell_at(row, col)
    return c.text if c is not None else ""


def read_rows(table: Table, cols: Columns, start: int, stop: int, draft: FormDraft) -> None:
    """One indicator per row whose 三级指标 cell starts there (one per value column)."""
    if cols.level3 is None:
        return
    values: list[tuple[int | None, str | None]] = [*cols.values] or [(None, None)]
    for r in range(start, stop):
        c3 = table.cell_at(r, cols.level3)
        if c3 is None or c3.row != r:
            continue
        side = side_horizon(table, r, cols)
        for vcol, vh in values:
            if cols.split:
                raw = common.compose_value(
                    _text(table, r, cols.operator), _text(table, r, vcol), _text(table, r, cols.unit)
                )
            else:
                raw = fields.one_line(_text(table, r, vcol))
            if not c3.text.strip() and not raw:
                continue  # a blank ruled row
            horizon = (vh if len(values) > 1 else None) or side or vh or "annual"
            draft.pages.add(c3.page)
            draft.methods.add(table.method)
            cells = [table.cell_at(r, c) for c in (cols.level1, cols.level2, vcol) if c is not None]
            confs = [c.confidence for c in [c3, *cells] if c is not None and c.confidence is not None]
            draft.indicators.append(
                IndicatorDraft(
                    level1=fields.one_line(_text(table, r, cols.level1)),
                    level2=fields.one_line(_text(table, r, cols.level2)),
                    level3=fields.one_line(c3.text),
                    value_raw=raw,
                    page=c3.page,
                    bbox=c3.bbox,
                    confidence=min(confs) if confs else None,
                    weight=common.weight_text(_text(table, r, cols.weight)),
                    horizon=horizon,
                )
            )


def _continuation(table: Table, draft: FormDraft, last: tuple[Table, Columns]) -> tuple[Table, Columns] | None:
    """A table without labels after a form: more indicator rows of that form.
    Returns the columns to carry on with, or None when the table is not one."""
    hrows = common.indicator_header_rows(table)
    if hrows:
        cols = common.read_columns(table, hrows[0])
        for i, h in enumerate(hrows):
            stop = hrows[i + 1] if i + 1 < len(hrows) else table.nrows
            cols = common.read_columns(table, h, stop)
            read_rows(table, cols, h + 1, stop, draft)
        return table, cols
    prev_table, prev = last
    mapped = common.map_columns(prev_table, prev, table)
    if mapped is None:
        return None
    before = len(draft.indicators)
    read_rows(table, mapped, 0, table.nrows, draft)
    prev_ind = draft.indicators[before - 1] if before else None
    for ind in draft.indicators[before:]:
        if prev_ind is not None and not ind.level1 and prev_ind.level1 and mapped.level1 is not None:
            ind.level1 = prev_ind.level1
            ind.level2 = ind.level2 or prev_ind.level2
            draft.warnings.append(f"p.{ind.page}: 一级/二级指标 of '{ind.level3}' carried over the page break")
        prev_ind = ind
    return last
