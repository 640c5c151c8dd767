"""What the family readers share: header analysis, split values, context lines.

Columns are found by their header words (and, where a header word is loose,
by what the column holds), never by position. All words come from ``vocab``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import regex

from ...extract.model import Cell, Table, TextLine
from .. import fields, vocab
from ..vocab import key


# --- cells -------------------------------------------------------------------------
def covering(table: Table, row: int) -> list[Cell]:
    """Cells that cover ``row`` (started in it or merged down into it), left to right."""
    seen: dict[int, Cell] = {}
    for col in range(table.ncols):
        c = table.cell_at(row, col)
        if c is not None:
            seen.setdefault(id(c), c)
    return sorted(seen.values(), key=lambda c: c.col)


def is_short(text: str) -> bool:
    return 0 < len(key(text)) <= vocab.HEADER_MAX_CHARS


def number(text: str) -> float | None:
    """'20' / '20.5' / '20%' -> float; anything else -> None."""
    t = key(text).rstrip("%")
    return fields.amount(t) if t else None


# --- labels ---------------------------------------------------------------------------
def base_label(text: str) -> tuple[str, bool | None]:
    """A label's key without a money unit suffix, and that unit: True for 万元,
    False for 元, None when the label prints none."""
    k = key(text)
    if k.endswith(vocab.MONEY_WAN):
        return k[: -len(vocab.MONEY_WAN)], True
    if k.endswith(vocab.MONEY_YUAN) and len(k) > 2:
        return k[: -len(vocab.MONEY_YUAN)], False
    return k, None


def label_in(text: str, labels: tuple[str, ...] | dict) -> str | None:
    """The vocabulary label ``text`` is (exactly, up to a money unit), or None."""
    base, _ = base_label(text)
    for lab in labels:
        if base == key(lab):
            return lab
    return None


def label_prefix(text: str, labels: tuple[str, ...] | dict) -> str | None:
    """The vocabulary label ``text`` starts with ("中期目标（2015年-2017年）"), longest first."""
    base, _ = base_label(text)
    for lab in sorted(labels, key=len, reverse=True):
        if base.startswith(key(lab)):
            return lab
    return None


# A code before a name: "[292]", "（292）", "233_", "233-", "233 ".
_CODE_PREFIX = regex.compile(r"^\s*(?:[\[［【(（]\s*\d{2,}\s*[\]］】)）]\s*|\d{2,}(?:\s*[_＿\-－—:：]\s*|\s+))(?=\S)")


def strip_code(text: str) -> str:
    """'[292]国家信访局' / '233_烟台市民政局' -> the name without its code."""
    t = fields.one_line(text)
    m = _CODE_PREFIX.match(t)
    if m and not regex.match(r"\d", t[m.end() :]):
        return t[m.end() :]
    return t


def amount_text(text: str) -> str:
    """A funds cell: '-' / '—' / '/' print "nothing here"."""
    t = fields.one_line(text).strip()
    return "" if t in ("-", "—", "－", "/", "／", "——") else t


# --- indicator block columns ----------------------------------------------------------
@dataclass
class Columns:
    """Roles of a target table's columns, read from one header row."""

    header_row: int
    level1: int | None = None
    level2: int | None = None
    level3: int | None = None
    values: list[tuple[int, str | None]] = field(default_factory=list)  # (col, horizon from header)
    operator: int | None = None
    unit: int | None = None
    weight: int | None = None
    serial: int | None = None
    # wide tables
    name: int | None = None
    goal: int | None = None
    funds: list[tuple[int, str]] = field(default_factory=list)  # (col, Funds field)
    headers: list[str] = field(default_factory=list)  # header words, for reports

    @property
    def first_indicator_col(self) -> int | None:
        cols = [c for c in (self.level1, self.level2, self.level3) if c is not None]
        return min(cols) if cols else None

    @property
    def split(self) -> bool:
        return self.operator is not None or self.unit is not None


def indicator_header_rows(table: Table, start: int = 0, stop: int | None = None) -> list[int]:
    stop = table.nrows if stop is None else stop
    words = {key(w) for w in vocab.INDICATOR_HEADER_WORDS}
    return sorted({c.row for c in table.cells if start <= c.row < stop and key(c.text) in words})


_DASH = regex.escape(vocab.SERIAL_CODE_DASHES)
_FSEP = regex.escape(vocab.SERIAL_FIELD_SEPARATORS)
SERIAL_ITEM = regex.compile(rf"\d\s*[{_DASH}]\s*[^{_FSEP}]{{1,12}}[{_FSEP}]\s*\d{{2}}\s*[{_DASH}]")


def serialized_header(table: Table) -> tuple[int, int] | None:
    """(row, col) of a 绩效指标 header whose column holds serialized indicator lists."""
    heads = {key(h) for h in vocab.SERIAL_HEADERS}
    markers = tuple(vocab.SERIAL_HORIZON_MARKERS)
    for c in table.cells:
        if key(c.text) not in heads:
            continue
        body = [b for b in table.cells if b.col == c.col and b.row >= c.row + c.rowspan and b.text.strip()]
        if any(SERIAL_ITEM.search(b.text) and any(m in b.text for m in markers) for b in body):
            return c.row + c.rowspan - 1, c.col
    return None


def _horizon_of(text: str) -> str | None:
    k = key(text)
    if any(w in k for w in vocab.PERIOD_WORDS):
        return "period"
    if any(w in k for w in vocab.FUNDS_ANNUAL_WORDS):
        return "annual"
    return None


def _body_cells(table: Table, col: int, start: int, stop: int) -> list[Cell]:
    return [c for c in table.cells if c.col == col and start <= c.row < stop]


def _all_operators(cells: list[Cell]) -> bool:
    ops = {key(o) for o in vocab.SPLIT_OPERATORS} | {key(o) for o in vocab.SPLIT_NO_OPERATOR}
    filled = [key(c.text) for c in cells if key(c.text)]
    return bool(filled) and all(k in ops for k in filled)


def _all_weights(cells: list[Cell]) -> bool:
    """Every filled cell a number that can be a weight (0-100)."""
    filled = [number(c.text) for c in cells if key(c.text)]
    return bool(filled) and all(v is not None and 0 <= v <= 100 for v in filled)


def header_path(table: Table, row: int, col: int) -> list[str]:
    """Header keys over column ``col`` from the top of the header band down to ``row``."""
    out: list[str] = []
    r = row
    while r >= 0:
        c = table.cell_at(r, col)
        if c is None or not is_short(c.text):
            break
        out.insert(0, key(c.text))
        r = c.row - 1
    return out


def read_columns(table: Table, hrow: int, stop: int | None = None) -> Columns:
    """Column roles from the header cells covering ``hrow``; ``stop`` ends the body
    used for content checks."""
    stop = table.nrows if stop is None else stop
    cols = Columns(header_row=hrow)
    body_start = hrow + 1
    l3_words = {key(w) for w in vocab.LEVEL3_HEADERS}
    for c in covering(table, hrow):
        k = key(c.text)
        if not k:
            continue
        body = _body_cells(table, c.col, body_start, stop)
        cols.headers.append(k)
        if k == key(vocab.LEVEL1_HEADER):
            cols.level1 = c.col
        elif k == key(vocab.LEVEL2_HEADER):
            cols.level2 = c.col
        elif k in l3_words:
            cols.level3 = c.col
        elif any(k == key(h) for h in vocab.WIDE_IGNORED_HEADERS):
            continue
        elif any(k == key(h) for h in vocab.OPERATOR_HEADERS):
            if _all_operators(body):
                cols.operator = c.col
        elif any(k == key(h) for h in vocab.UNIT_HEADERS):
            cols.unit = c.col
        elif any(k.startswith(key(h)) for h in vocab.WEIGHT_HEADERS):
            cols.weight = c.col
        elif any(k == key(h) for h in vocab.WEIGHT_BY_CONTENT_HEADERS):
            if _all_weights(body):
                cols.weight = c.col
        elif vocab.is_value_header(k):
            cols.values.append((c.col, _horizon_of(c.text)))
        elif k in {key(h) for h in vocab.SERIAL_HEADERS}:
            if any(SERIAL_ITEM.search(b.text) for b in body):
                cols.serial = c.col
        elif vocab.NAME_WORD in k and any(w in k for w in vocab.WIDE_NAME_WORDS):
            cols.name = c.col
        elif vocab.GOAL_HEADER_WORD in k:
            cols.goal = c.col
        else:
            f = _funds_field(header_path(table, hrow, c.col))
            if f:
                cols.funds.append((c.col, f))
    return cols


_ROLES = ("level1", "level2", "level3", "operator", "unit", "weight", "serial", "name", "goal")


def map_columns(prev_table: Table, prev: Columns, table: Table) -> Columns | None:
    """The columns of a header-less ``table`` that carries on ``prev_table`` (a
    page break that repeats no header): every column ``prev`` uses must have
    both its edges among the new table's edges (within 2 pt); None otherwise."""
    edges = table.col_edges

    def same(col: int | None) -> int | None | bool:
        if col is None:
            return None
        head = prev_table.cell_at(prev.header_row, col) if prev.header_row >= 0 else None
        x0, x1 = (
            prev_table.x_range(head) if head is not None else (prev_table.col_edges[col], prev_table.col_edges[col + 1])
        )
        if not any(abs(e - x0) <= 2 for e in edges) or not any(abs(e - x1) <= 2 for e in edges):
            return False
        return table.col_at((x0 + x1) / 2)

    mapped = Columns(header_row=-1, headers=list(prev.headers))
    for role in _ROLES:
        got = same(getattr(prev, role))
        if got is False:
            return None
        setattr(mapped, role, got)
    for vcol, horizon in prev.values:
        got = same(vcol)
        if got is False or got is None:
            return None
        mapped.values.append((got, horizon))
    for fcol, name in prev.funds:
        got = same(fcol)
        if got is False or got is None:
            return None
        mapped.funds.append((got, name))
    return mapped


def _funds_field(path: list[str]) -> str | None:
    """A wide table's funds column: its header (and parents) name the part and block."""
    if not path:
        return None
    k = path[-1]
    annual = any(w in p for p in path for w in vocab.FUNDS_ANNUAL_WORDS)
    if any(w in k for w in vocab.FUNDS_FISCAL_WORDS):
        return "annual_appropriation" if annual else "total_fiscal"
    if any(w in k for w in vocab.FUNDS_OTHER_WORDS):
        return "annual_other" if annual else "total_other"
    if any(w in k for w in vocab.FUNDS_TOTAL_WORDS):
        return "annual_request" if annual else "total"
    return None


# --- values ---------------------------------------------------------------------------
_OPS = sorted({key(o) for o in vocab.SPLIT_OPERATORS}, key=len, reverse=True)


def compose_value(op_text: str, value_text: str, unit_text: str) -> str:
    """The printed parts of a split-column value as one text: '≥' '95' '%' -> '≥95%'.

    The operator is printed as the form prints it; a 定性 operator adds
    nothing; the unit is added only after a number (not after a text value).
    """
    v = fields.one_line(value_text).strip()
    if not v:
        return ""
    op = fields.one_line(op_text).strip()
    unit = fields.one_line(unit_text).strip()
    if op and key(op) in _OPS and not any(key(v).startswith(o) for o in _OPS):
        v = op + v
    if unit and re.search(r"\d$", v) and not v.endswith(unit):
        v = v + unit
    return v


def weight_text(text: str) -> str | None:
    t = fields.one_line(text).strip()
    return t or None


# --- lines around tables ----------------------------------------------------------------
_LINE_LABELS = sorted(
    {*vocab.DEPARTMENT_LINE_LABELS, *vocab.UNIT_LINE_LABELS, *vocab.MONEY_LINE}, key=len, reverse=True
)
_LINE_RE = regex.compile(rf"({'|'.join(map(regex.escape, _LINE_LABELS))})\s*[:：]\s*")


def line_fields(text: str) -> dict[str, str]:
    """'部门名称：长沙市信访局单位：万元' -> {'部门名称': '长沙市信访局', '单位': '万元'}."""
    t = fields.one_line(text)
    ms = list(_LINE_RE.finditer(t))
    out: dict[str, str] = {}
    for i, m in enumerate(ms):
        end = ms[i + 1].start() if i + 1 < len(ms) else len(t)
        out.setdefault(m.group(1), t[m.end() : end].strip())
    return out


@dataclass
class LineContext:
    """What the free lines above a table said: title, year label, department, units."""

    title: str = ""
    year_label: str = ""
    department: str = ""
    unit_name: str = ""
    money_wan: bool | None = None
    page: int = 0
    # The money unit last printed on an earlier page, and where.
    earlier_money_wan: bool | None = None
    earlier_money_page: int = 0

    @property
    def form_year_text(self) -> str:
        """The form's own year: its year label, else a year in its title."""
        if self.year_label:
            return self.year_label
        return self.title if fields.year_of(self.title) else ""

    def used(self) -> None:
        """A table has taken the title and year label: the next form prints its own."""
        self.title = self.year_label = ""

    def see(self, line: TextLine) -> None:
        t = line.text.strip()
        compact = "".join(t.split())
        if line.page != self.page:
            # Page heads are printed again on every page: start afresh.
            self.page = line.page
            self.department = self.unit_name = ""
            self.money_wan = None
        if any(w in compact for w in vocab.FORM_TITLE_WORDS):
            self.title = compact
        elif fields.is_year_label(t):
            self.year_label = t
        for label, value in line_fields(t).items():
            if label in vocab.DEPARTMENT_LINE_LABELS and value:
                self.department = strip_code(value)
            elif label in vocab.UNIT_LINE_LABELS and value:
                self.unit_name = strip_code(value)
            elif label in vocab.MONEY_LINE:
                self.money_wan = vocab.MONEY_WAN in value
                self.earlier_money_wan, self.earlier_money_page = self.money_wan, line.page

    def money_unit(self, warnings: list[str]) -> bool | None:
        """万元 (True) or 元 (False) for a table under these lines; a page that
        prints no unit takes the one printed last on an earlier page, with a warning."""
        if self.money_wan is not None:
            return self.money_wan
        if self.earlier_money_wan is not None:
            unit = vocab.MONEY_WAN if self.earlier_money_wan else vocab.MONEY_YUAN
            warnings.append(
                f"no money unit printed on the form's page: {unit} as printed on p.{self.earlier_money_page}"
            )
            return self.earlier_money_wan
        return None


@dataclass
class DocContext:
    """Document-level facts the readers may fall back on."""

    publisher: str = ""  # the publishing unit, from the cover/title
    year: int | None = None




def publisher_of(cover_text: str) -> str:
    """The unit that publishes a 部门预算: '2026年烟台市民政局部门预算' -> '烟台市民政局';
    '长沙市信访局 / 2026 年部门预算公开' -> '长沙市信访局'."""
    lines = ["".join(ln.split()) for ln in cover_text.splitlines() if ln.strip()]
    for line in lines[:15]:  # "预算主管部门：…" printed on the cover says it outright
        for label, value in line_fields(line).items():
            if label in vocab.DEPARTMENT_LINE_LABELS and value:
                return strip_code(value)
    for i, line in enumerate(lines[:15]):
        span = fields.year_span(line)
        if not span or not any(w in line for w in vocab.COVER_TITLE_WORDS):
            continue
        before, after = line[: span[0]], line[span[1] :]
        if before.strip("—-－ 　"):
            return before
        cut = min((after.find(w) for w in vocab.PUBLISHER_STOP_WORDS if w in after), default=-1)
        name = after[:cut] if cut > 0 else ""
        if name:
            return name
        if i > 0:
            return lines[i - 1]
    return ""
