"""Wide tables: many projects in one table, one band of rows per project.

The header row names every column: the project (or unit) name, funds, goal,
and the indicator columns (levels, split value parts, weight) or one column of
serialized indicator lists. A project is the band of rows its merged name cell
covers. A band with a name but neither goal nor indicators is a unit row: it
names the 实施单位 of the projects after it; 合计 rows are totals. A table on
the next page whose first band carries the same name as the last project goes
on with that project (the forms print the name again on every page). On an
OCR'd page the copies differ by reading errors: there the band's own cells
(code, name, funds, goal) are weighed against the last band's (``_same_band``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ...extract.model import Cell, Table, TextLine
from .. import fields, vocab
from ..model import FormDraft, IndicatorDraft
from ..ocrfix import edit_distance, looks_doubtful
from ..vocab import key
from . import common, labelform
from .common import Columns, LineContext

# A serialized 绩效指标 cell -> (level1, level2, level3, horizon, value_raw) per indicator.
SerialParser = Callable[[str], list[tuple[str, str, str, str, str]]]


@dataclass
class _Band:
    name_cell: Cell
    rows: list[int] = field(default_factory=list)


def header_row(table: Table) -> int | None:
    """The row that names the indicator columns (or the serialized column)."""
    rows = common.indicator_header_rows(table)
    if rows:
        return rows[0]
    serial = common.serialized_header(table)
    return serial[0] if serial else None


def wide_columns(table: Table) -> Columns | None:
    """The columns of a wide table: a name column in the header band and no
    form labels above it; None for any other table."""
    hrow = header_row(table)
    if hrow is None or labelform.has_labels(table, hrow):
        return None
    cols = common.read_columns(table, hrow)
    return cols if cols.name is not None else None


def read_forms(
    items: Iterable[Table | TextLine], layout: str, serial: SerialParser | None = None
) -> Iterator[FormDraft]:
    """The projects of a run of wide tables, each given when it starts (only
    the last one given is still read into)."""
    lines = LineContext()
    unit = ""  # the unit row above the projects
    last: FormDraft | None = None  # the last project of the previous table
    last_key: tuple[str, str] | None = None
    last_ids: list[tuple[tuple[float, float], Cell]] = []  # the last band's own cells, by x range
    last_cols: tuple[Table, Columns] | None = None  # the table and columns the last band was read with
    prev: tuple[Table, Columns] | None = None  # the last table with a header, and its columns
    for item in items:
        if isinstance(item, TextLine):
            lines.see(item)
            continue
        hrow = header_row(item)
        if hrow is not None:
            cols = common.read_columns(item, hrow)
            start = hrow + 1
        else:
            # A page break that repeats no header: the same columns go on.
            mapped = common.map_columns(*prev, item) if prev is not None else None
            if mapped is None:
                last, last_key, prev = None, None, None
                continue
            cols, start = mapped, 0
        if cols.name is None:
            last, last_key, prev = None, None, None
            continue
        prev = (item, cols) if hrow is not None else prev
        first = True
        for band in _bands(item, cols, start):
            name = fields.one_line(band.name_cell.text)
            funds_key = _funds_text(item, cols, band)
            has_ind = any(_has_indicator(item, cols, r) for r in band.rows)
            goal = _goal(item, cols, band)
            if not name and has_ind and last is not None:
                last.warn(
                    "rows_without_name",
                    f"p.{band.name_cell.page}: indicator rows without a project name, "
                    f"read as more of '{last.header.get('project_name', '')}'",
                )
                _read_indicators(item, cols, band, last, serial)
                continue
            if key(name).rstrip(":") in {key(w) for w in vocab.TOTAL_ROW_NAMES}:
                continue
            if common.is_name_header(key(name)):
                continue  # a page's header printed again, read past recognising (单位（项Ⅱ）名称)
            if not has_ind and not goal:
                if name and not key(name).startswith(vocab.NOTE_PREFIX):
                    unit = name
                continue
            ids = _own_cells(item, cols, band)
            if first and last is not None and last_key == (key(name), funds_key):
                _money_unit_from_copy(cols, lines, band, last)
                _read_indicators(item, cols, band, last, serial)
                first = False
                continue
            if (
                first
                and last is not None
                and item.method == "ocr"
                and last_cols is not None
                and (last_cols[0] is item or common.map_columns(*last_cols, item) is not None)
                and _same_band(last_ids, ids)
            ):
                last.warn(
                    "continued_as_read",
                    f"p.{band.name_cell.page}: '{name}' read as more of '{last.header.get('project_name', '')}' "
                    "(the name printed again on the next page, read differently)",
                )
                _fill_funds(item, cols, band, last)
                _surer_copies(item, cols, band, last, last_ids)
                _money_unit_from_copy(cols, lines, band, last)
                _read_indicators(item, cols, band, last, serial)
                last_ids, last_cols, first = ids, (item, cols), False
                continue
            first = False
            draft = FormDraft(layout=layout, title=lines.title, year_label=lines.form_year_text)
            _header(item, cols, band, draft, name, unit, goal, lines)
            _read_indicators(item, cols, band, draft, serial)
            last, last_key, last_ids, last_cols = draft, (key(name), funds_key), ids, (item, cols)
            yield draft
        lines.used()


def _bands(table: Table, cols: Columns, start: int) -> list[_Band]:
    bands: list[_Band] = []
    assert cols.name is not None
    for r in range(start, table.nrows):
        c = table.cell_at(r, cols.name)
        if c is None:
            continue
        if not bands or bands[-1].name_cell is not c:
            bands.append(_Band(c))
        bands[-1].rows.append(r)
    return bands


def _own_cells(table: Table, cols: Columns, band: _Band) -> list[tuple[tuple[float, float], Cell]]:
    """The cells that are the band's own, with their x ranges: those left of the
    indicator block that span all its rows (code, name, funds, goal)."""
    starts = [c for c in (cols.first_indicator_col, cols.serial, *(v for v, _ in cols.values)) if c is not None]
    end = min(starts) if starts else table.ncols
    top, bottom = band.rows[0], band.rows[-1]
    out = []
    for col in range(end):
        c = table.cell_at(top, col)
        if c is not None and c.col == col and c.row <= top and c.row + c.rowspan > bottom:
            out.append((table.x_range(c), c))
    return out


NEAR_TEXT = 0.5  # two readings of one printed text: at most this share of characters edited


def _pair_verdict(a: Cell, b: Cell) -> int:
    """+1: two readings of the same text; -1: of different texts; 0: no telling.

    Amounts are compared as amounts (one misread digit apart is the same one);
    an amount against a reading that is none is no evidence (its digits lost to
    the scan). Other texts are the same when at most half their characters
    differ, and different otherwise only when one of them was read surely: a
    doubtful reading of a small name can share no character with the print."""
    ta, tb = fields.one_line(a.text).strip(), fields.one_line(b.text).strip()
    ka, kb = key(ta), key(tb)
    if not ka or not kb:
        return 0
    na, nb = fields.amount(common.amount_text(ta)), fields.amount(common.amount_text(tb))
    if na is not None and nb is not None:
        return 1 if na == nb or edit_distance(_digits(ka), _digits(kb), 1) <= 1 else -1
    if na is not None or nb is not None:
        return 0
    if edit_distance(ka, kb) <= NEAR_TEXT * max(len(ka), len(kb)):
        return 1
    return -1 if not (looks_doubtful(a.confidence) and looks_doubtful(b.confidence)) else 0


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _same_band(prev: list[tuple[tuple[float, float], Cell]], cur: list[tuple[tuple[float, float], Cell]]) -> bool:
    """Is an OCR'd page's first band the last band of the page before, printed
    again? Its own cells are paired with the last band's by position (each
    one's middle inside the other's x range: a column split by a broken rule
    pairs with nothing); the same when two pairs read alike (one could be the
    unit's code, which every project of the unit prints) and none differs."""
    votes = [_pair_verdict(p, c) for xc, c in cur for xp, p in prev if _same_column(xc, xp)]
    return votes.count(1) >= 2 and -1 not in votes


def _same_column(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Two cells' x ranges on two pages are one column: each one's middle inside the other."""
    return a[0] <= (b[0] + b[1]) / 2 <= a[1] and b[0] <= (a[0] + a[1]) / 2 <= b[1]


def _fill_funds(table: Table, cols: Columns, band: _Band, draft: FormDraft) -> None:
    """A funds amount unreadable on the band's first page, read on the next."""
    for col, name_ in cols.funds:
        text = common.amount_text(_cell_text(table, band.rows[0], col))
        before = draft.funds.get(name_, "")
        if before and fields.amount(before) is None and fields.amount(text) is not None:
            draft.funds[name_] = text


def _surer_copies(
    table: Table, cols: Columns, band: _Band, draft: FormDraft, prev: list[tuple[tuple[float, float], Cell]]
) -> None:
    """The name and goal a page break prints twice are read twice: the surer
    reading is kept (保障基地正常运转 read 化向基地止常运转 at 0.51 on the
    first page, right at 0.82 on the next)."""
    for col, field_ in ((cols.name, "name"), (cols.goal, "goal")):
        cur = table.cell_at(band.rows[0], col) if col is not None else None
        if cur is None or cur.confidence is None or not cur.text.strip():
            continue
        here = table.x_range(cur)
        old = next((c for there, c in prev if _same_column(here, there)), None)
        if old is None or old.confidence is None or cur.confidence <= old.confidence:
            continue
        text = fields.one_line(cur.text) if field_ == "name" else cur.text.strip()
        if field_ == "goal" and draft.annual_goal == old.text.strip():
            draft.annual_goal = text
        elif field_ == "name":
            label = "implementing_unit" if draft.form_kind == "department" else "project_name"
            if draft.header.get(label) == fields.one_line(old.text):
                draft.header[label] = text


def _money_unit_from_copy(cols: Columns, lines: LineContext, band: _Band, draft: FormDraft) -> None:
    """A form whose first page printed no money unit that could be read (a
    fax's 万元 read 力儿) takes the one its next page prints over the same
    funds columns."""
    if not cols.funds or not any(n.code == "no_money_unit" for n in draft.notes):
        return
    wan = cols.money_wan if cols.money_wan is not None else lines.money_wan
    if wan is None:
        return
    draft.funds_in_wan = wan
    draft.notes = [n for n in draft.notes if n.code != "no_money_unit"]
    unit = vocab.MONEY_WAN if wan else vocab.MONEY_YUAN
    draft.warn(
        "money_unit_elsewhere",
        f"no money unit read on the form's first page: {unit} as printed on p.{band.name_cell.page}",
    )


def _funds_text(table: Table, cols: Columns, band: _Band) -> str:
    return "|".join(_cell_text(table, band.rows[0], col) for col, _ in cols.funds)


def _cell_text(table: Table, row: int, col: int | None) -> str:
    if col is None:
        return ""
    c = table.cell_at(row, col)
    return c.text if c is not None else ""


def _has_indicator(table: Table, cols: Columns, row: int) -> bool:
    texts = []
    for col in (cols.level3, cols.serial, *(v for v, _ in cols.values)):
        c = table.cell_at(row, col) if col is not None else None
        if c is not None and c.row == row and c.text.strip():
            texts.append(c.text.strip())
    if table.method == "ocr" and texts and all(len(t) == 1 for t in texts):
        name = table.cell_at(row, cols.level3) if cols.level3 is not None else None
        if name is None or not name.text.strip():
            return False  # a speck read in a value cell of a row without a name (a fax's unit row)
    return bool(texts)


def _goal(table: Table, cols: Columns, band: _Band) -> str:
    if cols.goal is None and cols.serial is not None:
        # The goal printed in the serialized cell, before its first indicator.
        return common.before_serial_items(_cell_text(table, band.rows[0], cols.serial))
    return _cell_text(table, band.rows[0], cols.goal).strip()


def _header(
    table: Table,
    cols: Columns,
    band: _Band,
    draft: FormDraft,
    name: str,
    unit: str,
    goal: str,
    lines: LineContext,
) -> None:
    wide_name = common.department_wide_name(lines.title)
    if wide_name:
        draft.form_kind = "department"
        draft.header["project_name"] = wide_name
        draft.header["implementing_unit"] = name
        draft.warn("name_from_title", f"department-wide target table: project name '{wide_name}' taken from its title")
    else:
        draft.header["project_name"] = name
        if unit or lines.unit_name:
            draft.header["implementing_unit"] = unit or lines.unit_name
    if lines.department:
        draft.header["department"] = lines.department
    for col, name_ in cols.funds:
        text = common.amount_text(_cell_text(table, band.rows[0], col))
        before = draft.funds.get(name_, "")
        if before and text:
            # Several columns of one part (一般公共预算 + 政府性基金拨款 …): their sum.
            a, b = fields.amount(before), fields.amount(text)
            text = f"{a + b:.2f}" if a is not None and b is not None else before
        draft.funds[name_] = text or before
    wan = cols.money_wan if cols.money_wan is not None else (lines.money_unit(draft) if cols.funds else None)
    if wan is None and cols.funds:
        draft.warn("no_money_unit", "no money unit printed: funds taken as 元")
    draft.funds_in_wan = bool(wan)
    draft.annual_goal = goal or None
    draft.pages.add(band.name_cell.page)
    draft.methods.add(table.method)


def _read_indicators(table: Table, cols: Columns, band: _Band, draft: FormDraft, serial: SerialParser | None) -> None:
    if cols.serial is not None and serial is not None:
        seen: set[int] = set()
        for r in band.rows:
            c = table.cell_at(r, cols.serial)
            if c is None or id(c) in seen or not c.text.strip():
                continue
            seen.add(id(c))
            draft.pages.add(c.page)
            for l1, l2, l3, horizon, raw in serial(c.text):
                draft.indicators.append(
                    IndicatorDraft(
                        level1=l1,
                        level2=l2,
                        level3=l3,
                        value_raw=raw,
                        page=c.page,
                        bbox=c.bbox,
                        confidence=c.confidence,
                        horizon=horizon,
                    )
                )
        return
    labelform.read_rows(table, cols, band.rows[0], band.rows[-1] + 1, draft)
