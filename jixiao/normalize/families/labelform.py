"""Label forms: one project per form, read by its labels, never by position.

A form is an optional title, an envelope of labels whose value is the cell to
their right (项目名称, 主管部门及代码, 实施单位, funds) or, for a goal label
spanning the table, below it; and an indicator grid under a header row holding
一级/二级/三级指标 (or 指标名称), whose columns are decided by header words and
content (``common.read_columns``). Split-column values are composed from their
printed parts.

A form starts at a name label; at other envelope labels; or, for forms that
print no name cell (the name is in the title: "<名称>项目绩效目标表"), at a grid
under a new title. A table without labels after a form carries on its grid
(with a header row of its own, or with the same column rules), also when the
form's first table held only the envelope.

Shanghai, central, Shandong, split-column, 2015-template and title-named
forms all use this reader; the family only names the layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from ...extract.model import Cell, Table, TextLine
from .. import fields, vocab
from ..model import FormDraft, IndicatorDraft
from ..vocab import key
from . import common
from .common import Columns, LineContext

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

# Envelope text labels -> Project field.
ENVELOPE: dict[str, str] = {
    **{lab: "project_name" for lab in vocab.PROJECT_NAME_LABELS},
    **{lab: "department" for lab in vocab.DEPARTMENT_LABELS},
    **{lab: "implementing_unit" for lab in vocab.UNIT_LABELS},
    **vocab.ENVELOPE_OTHER_LABELS,
}
_CODED = ("department", "implementing_unit")


def form_starts(table: Table) -> list[int]:
    """Rows where a form's label block begins (its project-name label)."""
    return sorted({c.row for c in table.cells if common.label_in(c.text, vocab.PROJECT_NAME_LABELS)})


_GOAL_LABELS_LONGEST_FIRST = sorted(vocab.GOAL_LABELS, key=len, reverse=True)


@lru_cache(maxsize=1 << 14)  # every cell of every label table, several times over
def goal_label(text: str) -> str | None:
    """The goal label ``text`` is: "中期目标（2015年-2017年）", "项目实施期目标"; a
    paragraph starting "总体目标…" is not one."""
    base, _ = common.base_label(text)
    lab = common.label_prefix(text, vocab.GOAL_LABELS)
    if lab is not None:
        return lab if len(base) <= len(key(lab)) + vocab.HEADER_MAX_CHARS else None
    # "项目实施期目标", "项目年度目标": a goal label with a qualifier before it. Only
    # labels that name the horizon: "项目绩效目标" is the grid's side label.
    for lab in _GOAL_LABELS_LONGEST_FIRST:
        k = key(lab)
        if len(k) > 4 and base.endswith(k) and len(base) <= len(k) + 4:
            return lab
    return None


def _is_envelope_label(text: str) -> bool:
    return bool(
        common.label_in(text, vocab.PROJECT_NAME_LABELS)
        or common.label_in(text, vocab.DEPARTMENT_LABELS)
        or common.label_in(text, vocab.UNIT_LABELS)
        or goal_label(text)
    )


def has_labels(table: Table, stop: int | None = None) -> bool:
    """Does the table carry a form's labels (name, department, unit or goal) above ``stop``?"""
    stop = table.nrows if stop is None else stop
    for c in table.cells:
        if c.row + c.rowspan > stop:
            continue  # at or below the header row: a column header, not a label
        if _is_envelope_label(c.text):
            return True
    return False


def is_envelope(table: Table) -> bool:
    """A table of a form's labels only (its grid on the next page): a name label
    and another envelope label, each with a value on its right, not a header row
    of column names (项目名称 | 项目类别 | 合计 …)."""

    def valued(c: Cell) -> bool:
        right = table.right_of(c)
        return right is not None and bool(right.text.strip()) and not _is_label(right.text)

    names = [c for c in table.cells if common.label_in(c.text, vocab.PROJECT_NAME_LABELS) and valued(c)]
    others = [
        c
        for c in table.cells
        if c.row > min((n.row for n in names), default=table.nrows)
        and (common.label_in(c.text, ENVELOPE) or common.label_in(c.text, vocab.FUNDS_LABELS_FAMILY) or goal_label(c.text))
        and not common.label_in(c.text, vocab.PROJECT_NAME_LABELS)
    ]
    return bool(names) and bool(others)


def blank_envelope(table: Table) -> bool:
    """A template never filled in: its name labels and funds labels have nothing on their right."""
    names = [c for c in table.cells if common.label_in(c.text, vocab.PROJECT_NAME_LABELS)]
    funds = [c for c in table.cells if common.label_in(c.text, vocab.FUNDS_LABELS_FAMILY)]

    def empty(c: Cell) -> bool:
        right = table.right_of(c)
        return right is None or not common.amount_text(right.text)

    return bool(names) and all(empty(c) for c in names + funds)


def goal_only(table: Table, stop: int | None = None) -> bool:
    """Are goals the only labels above ``stop`` (a continuation that repeats the goal)?"""
    stop = table.nrows if stop is None else stop
    labels = [c for c in table.cells if c.row + c.rowspan <= stop and _is_envelope_label(c.text)]
    return bool(labels) and all(goal_label(c.text) for c in labels)


def form_columns(table: Table, titled: bool = False) -> Columns | None:
    """The indicator columns of a label form's first block; None when the table
    is not a label form (no labels above its indicator header, and no new
    title over it)."""
    hrows = common.indicator_header_rows(table)
    if not hrows:
        return None
    h = hrows[0]
    if not titled and not has_labels(table, h):
        return None
    starts = [s for s in form_starts(table) if s > h]
    stop = min([*(r for r in hrows if r > h), *starts, table.nrows])
    return common.read_columns(table, h, stop)


@dataclass
class _State:
    current: FormDraft | None = None
    last: tuple[Table, Columns] | None = None  # the current form's grid columns


def read_forms(items: Iterable[Table | TextLine], layout: str) -> Iterator[FormDraft]:
    """The forms of a run of label-form tables, each given when it starts
    (only the last one given is still read into)."""
    lines = LineContext()
    st = _State()
    for item in items:
        if isinstance(item, TextLine):
            lines.see(item)
            continue
        starts = _starts(item, st, lines)
        if not starts:
            if st.current is not None and _continuation(item, st, lines):
                continue
            if st.current is not None and _looks_like_rows(item):
                st.current.warn(
                    "rows_not_attached",
                    f"p.{item.pages[0]}: a table of indicator-like rows after the form does not carry on "
                    "its columns: not read",
                )
            st.current, st.last = None, None
            continue
        for i, start in enumerate(starts):
            stop = starts[i + 1] if i + 1 < len(starts) else item.nrows
            draft = FormDraft(layout=layout, title=lines.title, year_label=lines.form_year_text)
            if i == 0:
                _above(item, start, draft)
            cols = _read_segment(item, start, stop, draft, lines)
            st.current, st.last = draft, ((item, cols) if cols is not None else None)
            yield draft
        lines.used()


def _starts(table: Table, st: _State, lines: LineContext) -> list[int]:
    """Rows of ``table`` where forms begin ([] = it carries on the current form)."""
    starts = form_starts(table)
    if starts:
        return starts
    hrows = common.indicator_header_rows(table)
    first = hrows[0] if hrows else None
    if has_labels(table, first):
        # A table repeating only a goal over the grid, under a form whose grid
        # has not come yet, is that form's second page.
        if st.current is not None and st.last is None and goal_only(table, first):
            return []
        return [0]
    fresh_title = bool(lines.title) and (st.current is None or lines.title != st.current.title)
    if hrows and fresh_title:
        return [0]  # a form named by its title ("<名称>项目绩效目标表")
    return []


def _above(table: Table, start: int, draft: FormDraft) -> None:
    """Title and year label printed as cells above the form's first label."""
    for c in table.cells:
        if c.row >= start:
            continue
        t = c.text.strip()
        if any(w in "".join(t.split()) for w in vocab.FORM_TITLE_WORDS):
            draft.title = draft.title or "".join(t.split())
        elif fields.is_year_label(t):
            draft.year_label = draft.year_label or t


@dataclass
class _Funds:
    row: int
    col: int
    block: str  # annual | total | bare | side
    part: str
    text: str
    cell: Cell | None = None  # the value's cell, if it is right of the label


def _read_segment(
    table: Table, start: int, stop: int, draft: FormDraft, lines: LineContext
) -> Columns | None:
    hrows = common.indicator_header_rows(table, start, stop)
    label_stop = hrows[0] if hrows else stop
    _envelope(table, start, label_stop, draft, lines, hrows)
    _fallbacks(draft, lines)
    return _read_grid(table, hrows, stop, draft)


def _envelope(
    table: Table, start: int, stop: int, draft: FormDraft, lines: LineContext, hrows: list[int]
) -> None:
    funds: list[_Funds] = []
    block_labels: list[Cell] = []
    wan: bool | None = None
    for c in table.cells:
        if not (start <= c.row < stop):
            continue
        draft.pages.add(c.page)
        draft.methods.add(table.method)
        if not c.text.strip() or (hrows and c.row + c.rowspan > stop):
            continue  # empty, or a side label running down into the indicator block
        k = key(c.text)
        in_wan = common.money_unit_of(c.text)
        if in_wan is not None:
            wan = in_wan or bool(wan)  # 万元 wins over a 元 printed elsewhere in the block
        right = table.right_of(c)
        right_text = right.text if right is not None else ""
        if (lab := common.label_in(c.text, ENVELOPE)) is not None:
            name = ENVELOPE[lab]
            value = common.strip_code(right_text) if name in _CODED else fields.one_line(right_text)
            if value:
                draft.header.setdefault(name, value)
                if right is not None:
                    draft.field_cells.setdefault(name, (right.page, right.bbox))
        elif (lab := common.label_in(c.text, vocab.FUNDS_LABELS_FAMILY)) is not None:
            block, part = vocab.FUNDS_LABELS_FAMILY[lab]
            if right is not None and _is_label(right.text):
                right_text = _column_value(table, c, stop)  # a column head: its value is below
            funds.append(_Funds(c.row, c.col, block, part, common.amount_text(right_text), right))
        elif (goal := goal_label(c.text)) is not None:
            _goal(table, c, goal, draft)
        elif vocab.FUNDS_BLOCK_WORD in k and common.is_short(c.text):
            block_labels.append(c)
    if not funds:
        return  # no funds here (a continuation's goal): the unit read with them stands
    _resolve_funds(funds, block_labels, draft)
    if wan is None:
        wan = lines.money_unit(draft)
    if wan is None:
        draft.warn("no_money_unit", "no money unit printed: funds taken as 元")
    draft.funds_in_wan = bool(wan)


def _is_label(text: str) -> bool:
    """A cell that is itself a label (funds, envelope, goal, a score header), not a value."""
    return bool(
        common.label_in(text, vocab.FUNDS_LABELS_FAMILY)
        or _is_envelope_label(text)
        or (common.is_short(text) and any(w in key(text) for w in vocab.FUNDS_NOT_VALUE_WORDS))
    )


def _column_value(table: Table, head: Cell, stop: int) -> str:
    """The value of a funds column head (总额 | 财政拨款 | 其他资金 over rows of
    amounts): on the row of a 合计 label, else the one amount below it."""
    below = [c for c in table.cells if c.col == head.col and head.row + head.rowspan <= c.row < stop]
    totals = {c.row for c in table.cells if head.row < c.row < stop and key(c.text).endswith(vocab.TOTAL_ROW_SUFFIXES)}
    for c in below:
        if c.row in totals:
            return c.text
    amounts = [c for c in below if common.amount_text(c.text) and common.number(c.text) is not None]
    return amounts[0].text if len(amounts) == 1 else ""


def _goal(table: Table, c: Cell, goal: str, draft: FormDraft) -> None:
    right = table.right_of(c)
    if right is not None and goal_label(right.text):
        if c.rowspan > 1:
            return  # "总体目标" over its sub-labels (中期目标 / 年度目标)
        target = table.below(c)  # a column head: its text is below
    else:
        target = right if right is not None else table.below(c)
    text = target.text.strip() if target is not None else ""
    if goal_label(text) or _is_envelope_label(text):
        text = ""  # the cell holds another label: no goal printed here
    if vocab.GOAL_LABELS[goal] == "overall":
        draft.overall_goal = draft.overall_goal or text or None
        draft.goal_header = draft.goal_header or c.text
    else:
        draft.annual_goal = draft.annual_goal or text or None


def _fallbacks(draft: FormDraft, lines: LineContext) -> None:
    """What the envelope does not print, from the lines around the form and the document."""
    if not draft.header.get("department") and lines.department:
        draft.header["department"] = lines.department
    if not draft.header.get("implementing_unit") and lines.unit_name:
        draft.header["implementing_unit"] = lines.unit_name
    if not draft.header.get("project_name"):
        common.name_from_title(draft, lines.title or draft.title)


def _read_grid(table: Table, hrows: list[int], stop: int, draft: FormDraft) -> Columns | None:
    cols = None
    for i, h in enumerate(hrows):
        h_stop = hrows[i + 1] if i + 1 < len(hrows) else stop
        cols = common.read_columns(table, h, h_stop)
        read_rows(table, cols, h + 1, h_stop, draft)
    return cols


def _head_for(side: _Funds, heads: list[_Funds]) -> _Funds | None:
    """The head label a side label (其中：财政拨款, 其他资金) belongs to: the head in the
    nearest column at or left of it, and of those the nearest row at or above it
    (blocks side by side, as in Shanghai, or stacked)."""
    left = [h for h in heads if h.col <= side.col and h.row <= side.row]
    if not left:
        return None
    col = max(h.col for h in left)
    return max((h for h in left if h.col == col), key=lambda h: h.row)


def _resolve_funds(funds: list[_Funds], block_labels: list[Cell], draft: FormDraft) -> None:
    annual_heads = any(f.block == "annual" for f in funds)
    for f in funds:
        if f.block == "bare":
            # Another head names the year: the bare one is the total; else its block decides.
            f.block = "total" if annual_heads or _total_block(f, block_labels) else "annual"
    heads = [f for f in funds if f.block in ("annual", "total")]
    for f in funds:
        block = f.block
        if block == "side":
            head = _head_for(f, heads)
            block = head.block if head is not None else ("total" if heads and all(h.block == "total" for h in heads) else "annual")
        name = _FUNDS_FIELD[(block, f.part)]
        draft.funds.setdefault(name, f.text)
        if f.cell is not None:
            draft.field_cells.setdefault(f"funds.{name}", (f.cell.page, f.cell.bbox))


def _total_block(f: _Funds, block_labels: list[Cell]) -> bool:
    """Is the block label over this funds label a multi-year one (实施期资金)?"""
    for c in block_labels:
        if c.row <= f.row < c.row + c.rowspan and c.col < f.col:
            return any(w in key(c.text) for w in vocab.FUNDS_TOTAL_BLOCK_WORDS)
    return False


def side_horizon(table: Table, row: int, cols: Columns) -> str | None:
    """A side label left of the indicator columns ('长期绩效指标', '年度绩效指标')."""
    first = cols.first_indicator_col
    if first is None:
        return None
    last = None
    for col in range(first):  # the cells covering the row left of the grid, left to right
        c = table.cell_at(row, col)
        if c is None or c is last:
            continue
        last = c
        horizon = _side_label_horizon(c.text)
        if horizon is not None:
            return horizon
    return None


@lru_cache(maxsize=1 << 12)  # asked for every indicator row of every form
def _side_label_horizon(text: str) -> str | None:
    k = key(text)
    if not common.is_short(text) or not any(w in k for w in vocab.SIDE_LABEL_WORDS):
        return None  # not a side label (a wide table's name, funds or goal)
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
    if cols.weight_total is not None and draft.weight_total is None:
        draft.weight_total = cols.weight_total
    values: list[tuple[int | None, str | None]] = [*cols.values] or [(None, None)]
    for r in range(start, stop):
        c3 = table.cell_at(r, cols.level3)
        if c3 is None or c3.row != r:
            continue
        side = side_horizon(table, r, cols)
        op_text = _text(table, r, cols.operator)
        for vcol, vh in values:
            if cols.split:
                raw = common.compose_value(op_text, _text(table, r, vcol), _text(table, r, cols.unit))
            else:
                raw = fields.one_line(_text(table, r, vcol))
            if not c3.text.strip() and not raw:
                continue  # a blank ruled row
            if table.method == "ocr" and not c3.text.strip() and not any(ch.isalnum() for ch in raw):
                continue  # a blank ruled row with a fax's speck in its value cell ("°", ".")
            horizon = (vh if len(values) > 1 else None) or side or vh or "annual"
            draft.pages.add(c3.page)
            draft.methods.add(table.method)
            cells = [table.cell_at(r, c) for c in (cols.level1, cols.level2, vcol) if c is not None]
            confs = [c.confidence for c in [c3, *cells] if c is not None and c.confidence is not None]
            vcell = table.cell_at(r, vcol) if vcol is not None else None
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
                    qualitative=common.is_qualitative_operator(op_text),
                    value_bbox=vcell.bbox if vcell is not None and vcell.page == c3.page else None,
                    level_cells=(_cell_id(table, r, cols.level1), _cell_id(table, r, cols.level2)),
                )
            )


def _cell_id(table: Table, r: int, col: int | None) -> tuple[int, float] | None:
    c = table.cell_at(r, col) if col is not None else None
    return (c.page, c.bbox[1]) if c is not None else None


def _looks_like_rows(table: Table) -> bool:
    """Cells that print targets ("≥95%", "≤10分钟"): rows of a grid, not prose."""
    ops = tuple(vocab.SPLIT_OPERATORS)
    return sum(1 for c in table.cells if c.text.strip().startswith(ops)) >= vocab.ROWS_LIKE_MIN


def _continuation(table: Table, st: _State, lines: LineContext) -> bool:
    """A table without labels after a form: more indicator rows of that form
    (or its first, when the form's first table held only the envelope; a goal
    it repeats or adds above the grid is read too)."""
    draft = st.current
    assert draft is not None
    hrows = common.indicator_header_rows(table)
    if hrows:
        if hrows[0] > 0:
            _envelope(table, 0, hrows[0], draft, lines, hrows)
        cols = _read_grid(table, hrows, table.nrows, draft)
        if cols is not None:
            st.last = (table, cols)
        return True
    if st.last is None:
        return False
    prev_table, prev = st.last
    mapped = common.map_columns(prev_table, prev, table)
    if mapped is None:
        return False
    common.carry_levels_over(draft, lambda: read_rows(table, mapped, 0, table.nrows, draft), prev.level1 is not None)
    return True
