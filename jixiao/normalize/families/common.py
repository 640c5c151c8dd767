"""What the family readers share: header analysis, split values, context lines.

Columns are found by their header words (and, where a header word is loose,
by what the column holds), never by position. All words come from ``vocab``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from ...extract.model import Cell, Table, TextLine
from .. import fields, vocab
from ..model import FormDraft
from ..vocab import key

_DIGIT = regex.compile(r"\d")  # compiled once: a pattern string is looked up on every call
_LEADING_YEAR = regex.compile(r"^(?:19|20)\d{2}年度?")
_UP_TO_YEAR = regex.compile(r"^.*?\d{4}\s*年度?")


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
@lru_cache(maxsize=1 << 16)  # the same cell texts against every vocabulary
def base_label(text: str) -> tuple[str, bool | None]:
    """A label's key without a money unit suffix, and that unit: True for 万元,
    False for 元, None when the label prints none."""
    k = key(text)
    if k.endswith(vocab.MONEY_WAN):
        return k[: -len(vocab.MONEY_WAN)], True
    if k.endswith(vocab.MONEY_YUAN) and len(k) > 2:
        return k[: -len(vocab.MONEY_YUAN)], False
    return k, None


def money_unit_of(text: str) -> bool | None:
    """A label's money unit: True for "(万元)" / "单位：万元" / "…万元", False for
    "(元)", None when it prints none (a number with a unit is a value, not a label)."""
    t = "".join(text.split())
    if not t or len(key(t)) > vocab.HEADER_MAX_CHARS or _DIGIT.search(t):
        return None
    if vocab.MONEY_WAN in t:
        return True
    k = key(t)
    if k.endswith(vocab.MONEY_YUAN) and len(k) > 2:
        return False
    return None


def label_in(text: str, labels: tuple[str, ...] | dict) -> str | None:
    """The vocabulary label ``text`` is (exactly, up to a money unit), or None."""
    return _keyed(labels).get(base_label(text)[0])


_KEYED: dict[int, tuple[object, dict[str, str]]] = {}


def _keyed(labels: tuple[str, ...] | dict) -> dict[str, str]:
    """A vocabulary by its keys (the first label of each key): asked for every
    cell of every table, many times over. Kept by identity: the vocabularies
    are module constants (the entry holds them, so an id is never reused)."""
    entry = _KEYED.get(id(labels))
    if entry is None or entry[0] is not labels:
        keyed: dict[str, str] = {}
        for lab in labels:
            keyed.setdefault(key(lab), lab)
        entry = _KEYED[id(labels)] = (labels, keyed)
    return entry[1]


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
    if m and not _DIGIT.match(t[m.end() :]):
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
    # "(万元)" / "(元)" printed in a funds column's header (or a parent header).
    money_wan: bool | None = None
    # The total the weight column's header prints: 分值（90） -> 90, 指标权重(%) -> 100.
    weight_total: float | None = None

    @property
    def first_indicator_col(self) -> int | None:
        cols = [c for c in (self.level1, self.level2, self.level3) if c is not None]
        return min(cols) if cols else None

    @property
    def split(self) -> bool:
        return self.operator is not None or self.unit is not None


@lru_cache(maxsize=1 << 14)  # every cell's key, for every table's header rows
def level_header(k: str) -> str | None:
    """The indicator-grid header a key is: "一级指标", "三级指标名称" (a header word
    with a qualifier after it), "计量。单位" cleaned; None for any other text."""
    k = _header_key(k)
    for w in _HEADER_WORDS:
        if k == w or (k.startswith(w) and len(k) <= len(w) + vocab.HEADER_QUALIFIER_MAX and k[len(w):] in _QUALIFIERS):
            return w
    return None


def indicator_header_rows(table: Table, start: int = 0, stop: int | None = None) -> list[int]:
    stop = table.nrows if stop is None else stop
    return sorted({c.row for c in table.cells if start <= c.row < stop and level_header(key(c.text))})


_DASH = regex.escape(vocab.SERIAL_CODE_DASHES)
_FSEP = regex.escape(vocab.SERIAL_FIELD_SEPARATORS)
SERIAL_ITEM = regex.compile(rf"\d\s*[{_DASH}]\s*[^{_FSEP}]{{1,12}}[{_FSEP}]\s*\d{{2}}\s*[{_DASH}]")
_MARK = regex.escape(vocab.SERIAL_ITEM_MARKS)
# An item starts at "<n>、" (or "<n>.") right before "<code>－<name>，<code>－": after
# a separator as a rule, but also straight after a marker whose value the form
# left empty ("年度指标值：7、2－效益指标，…").
SERIAL_ITEM_START = regex.compile(
    rf"(?<![\d.．])\s*\d{{1,3}}\s*[{_MARK}]\s*(?=\d\s*[{_DASH}]\s*[^{_FSEP}]{{1,12}}[{_FSEP}]\s*\d{{2}}\s*[{_DASH}])"
)


def before_serial_items(text: str) -> str:
    """The text of a serialized cell before its first indicator item (a goal
    printed in the same cell), without a trailing label ("绩效指标：")."""
    t = "".join(text.split("\n")).strip()
    m = SERIAL_ITEM_START.search(t)
    head = t[: m.start()] if m else ""
    for w in vocab.SERIAL_HEADERS:
        head = head.rstrip(" :：").removesuffix(w)
    return head.strip(" :：;；，,")


def _serialized(text: str) -> bool:
    return bool(SERIAL_ITEM.search(text)) and any(m in text for m in vocab.SERIAL_HORIZON_MARKERS)


def serialized_header(table: Table) -> tuple[int, int] | None:
    """(row, col) of the header over the column that holds serialized indicator
    lists, whatever its words (绩效指标, 绩效目标 …); None when the table has no
    such column, or prints no header over it (a page that repeats none)."""
    for b in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if not _serialized(b.text):
            continue
        r = b.row - 1
        while r >= 0:
            h = table.cell_at(r, b.col)
            if h is not None and is_short(h.text):
                return h.row + h.rowspan - 1, h.col
            r = h.row - 1 if h is not None else r - 1
        return None
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
        if any(_serialized(b.text) for b in body):
            cols.serial = c.col  # serialized indicator lists, under whatever header
            continue
        k = level_header(k) or _header_key(k)
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
            cols.weight, cols.weight_total = c.col, weight_total(c.text)
        elif any(k == key(h) for h in vocab.WEIGHT_BY_CONTENT_HEADERS):
            if _all_weights(body):
                cols.weight = c.col
        elif vocab.is_value_header(k):
            cols.values.append((c.col, _horizon_of(c.text)))
        elif is_name_header(k):
            cols.name = c.col
        elif vocab.GOAL_HEADER_WORD in k:
            cols.goal = c.col
        else:
            path = header_path(table, hrow, c.col)
            f = _funds_field(path)
            if f:
                cols.funds.append((c.col, f))
                for p in path:
                    unit = money_unit_of(p)
                    if unit is not None:
                        cols.money_wan = unit or bool(cols.money_wan)
    return cols


_ROLES = ("level1", "level2", "level3", "operator", "unit", "weight", "serial", "name", "goal")


def map_columns(prev_table: Table, prev: Columns, table: Table) -> Columns | None:
    """The columns of a header-less ``table`` that carries on ``prev_table`` (a
    page break that repeats no header): every column ``prev`` uses must have
    both its edges among the new table's edges (within 2 pt), or lie wholly
    outside the new table (a merged 一级/二级 cell that draws no rules on the new
    page: None, its label carries over); None when the tables do not match."""
    edges = table.col_edges
    left, right = edges[0] + 2, edges[-1] - 2  # a column ending at the new table's edge is outside it

    def same(col: int | None) -> int | None | bool:
        if col is None:
            return None
        head = prev_table.cell_at(prev.header_row, col) if prev.header_row >= 0 else None
        x0, x1 = (
            prev_table.x_range(head) if head is not None else (prev_table.col_edges[col], prev_table.col_edges[col + 1])
        )
        if x1 <= left or x0 >= right:
            return None  # not on this page
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
    if prev.level3 is not None and mapped.level3 is None:
        return None  # the indicator names must be on the page
    return mapped


_WIDE_NAMES = {key(h) for h in vocab.WIDE_NAME_HEADERS}
_HEADER_WORDS = sorted({key(w) for w in vocab.INDICATOR_HEADER_WORDS}, key=len, reverse=True)
_QUALIFIERS = {key(q) for q in vocab.HEADER_QUALIFIERS}


def is_name_header(k: str) -> bool:
    """Is this key the header of a wide table's name column (单位（项目）名称, 项目)?"""
    return (vocab.NAME_WORD in k and any(w in k for w in vocab.WIDE_NAME_WORDS)) or k in _WIDE_NAMES


@lru_cache(maxsize=1 << 14)  # every header cell of every table, many times over
def _header_key(k: str) -> str:
    """A header key without stray punctuation glyphs ("计量。单位" -> "计量单位")."""
    return "".join(ch for ch in k if ch not in vocab.HEADER_STRAY_GLYPHS)


def _funds_field(path: list[str]) -> str | None:
    """A wide table's funds column: its header (and parents) name the part and block;
    the block is the year's budget unless a header says it is the multi-year total."""
    if not path:
        return None
    k = path[-1]
    annual = not any(w in p for p in path for w in vocab.FUNDS_TOTAL_BLOCK_WORDS)
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


_WEIGHT_TOTAL = regex.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]")


def weight_total(header: str) -> float | None:
    """分值（90） / 分值权重（90分） -> 90.0; 指标权重(%) -> 100.0; else None."""
    m = _WEIGHT_TOTAL.search(header)
    if m:
        return float(m.group(1))
    return 100.0 if "%" in header or "％" in header else None


def is_qualitative_operator(text: str) -> bool:
    """The operator column marks the value 定性: qualitative whatever it holds."""
    return key(text) in {key(w) for w in vocab.QUALITATIVE_OPERATORS}


def weight_text(text: str) -> str | None:
    t = fields.one_line(text).strip()
    return t or None


# --- lines around tables ----------------------------------------------------------------
_LINE_LABELS = sorted(
    {*vocab.DEPARTMENT_LINE_LABELS, *vocab.UNIT_LINE_LABELS, *vocab.MONEY_LINE}, key=len, reverse=True
)
_LINE_RE = regex.compile(rf"({'|'.join(map(regex.escape, _LINE_LABELS))})\s*[:：]\s*")


# A line opening with a long label says it even where its colon is lost (a
# fax: "单位名称重庆市气象局"); a short one (单位) opens other words too (单位职能).
_LINE_START_RE = regex.compile(rf"^\s*({'|'.join(map(regex.escape, (k for k in _LINE_LABELS if len(k) >= 4)))})(?=[^:：\s])")


def line_fields(text: str) -> dict[str, str]:
    """'部门名称：长沙市信访局单位：万元' -> {'部门名称': '长沙市信访局', '单位': '万元'}."""
    t = _LINE_START_RE.sub(r"\1：", fields.one_line(text), count=1)
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

    def money_unit(self, draft: FormDraft) -> bool | None:
        """万元 (True) or 元 (False) for a table under these lines; a page that
        prints no unit takes the one printed last on an earlier page, with a warning."""
        if self.money_wan is not None:
            return self.money_wan
        if self.earlier_money_wan is not None:
            unit = vocab.MONEY_WAN if self.earlier_money_wan else vocab.MONEY_YUAN
            draft.warn(
                "money_unit_elsewhere",
                f"no money unit printed on the form's page: {unit} as printed on p.{self.earlier_money_page}",
            )
            return self.earlier_money_wan
        return None


# --- forms -----------------------------------------------------------------------------
def title_stem(title: str) -> str:
    """A title without numbering, year and form words: the name it gives the form.
    "表3 2026年市行政中心保安服务项目绩效目标表" -> "市行政中心保安服务"."""
    t = "".join(fields.one_line(title).split())
    t = regex.sub(vocab.TITLE_NUMBERING, "", t)
    t = _LEADING_YEAR.sub("", t)
    for w in sorted(vocab.TITLE_FORM_SUFFIXES, key=len, reverse=True):
        if w in t:
            t = t[: t.index(w)]
            break
    return t.strip("（）()：: -—")


def name_from_title(draft: FormDraft, title: str) -> None:
    """A form that prints no name cell is named by its title; a department-wide
    table (部门整体支出绩效目标表) is a form of kind "department"."""
    wide = department_wide_name(title)
    if wide:
        draft.form_kind = "department"
        draft.header["project_name"] = wide
        draft.warn("name_from_title", f"department-wide target table: project name '{wide}' taken from its title")
        return
    stem = title_stem(title)
    if stem:
        draft.header["project_name"] = stem
        draft.named_by_title = True
        draft.warn("name_from_title", f"no 项目名称 printed: project name '{stem}' taken from the title")


def department_wide_name(title: str) -> str:
    """'2026年部门整体支出绩效目标表' -> '部门整体支出' (a form about the whole department)."""
    if not any(w in title for w in vocab.DEPARTMENT_WIDE_WORDS):
        return ""
    t = title
    for w in vocab.FORM_TITLE_WORDS:
        t = t.split(w)[0]
    t = _UP_TO_YEAR.sub("", t)
    return t.strip("（）() ")


def carry_levels_over(draft: FormDraft, read: Callable[[], None], has_level1: bool) -> None:
    """Rows across a page break the tables were not joined over. A merged
    一级/二级 cell prints its label once, in its middle, so it may be empty on
    one of its pages: the rows of the new page's top cell, empty, take the
    label printed above the break; the rows of the old page's bottom cell,
    empty, take the label the new page's first row prints. Rows of another
    cell (one that starts below the top of the page) are left alone.
    ``read`` appends the new page's rows to ``draft``."""
    before = len(draft.indicators)
    read()
    rows = draft.indicators
    if not before or len(rows) == before or rows[before - 1].page == rows[before].page:
        return
    levels = (0, 1) if has_level1 else (1,)
    changed: dict[int, list[str]] = {}
    for lv in levels:
        _carry(rows, before, lv, forward=True, changed=changed)
        _carry(rows, before, lv, forward=False, changed=changed)
    for k in sorted(changed):
        where = "back over" if k < before else "over"
        names = "/".join(changed[k])
        draft.warn(
            "carried_over_break", f"p.{rows[k].page}: {names}指标 of '{rows[k].level3}' carried {where} the page break", k + 1
        )


_LEVEL_FIELDS = ("level1", "level2")
_LEVEL_NAMES = ("一级", "二级")


def _carry(rows: list, first: int, lv: int, forward: bool, changed: dict[int, list[str]]) -> None:
    """One level's label across the break before ``rows[first]``: forward into
    the new page's top cell, or back into the old page's bottom cell."""
    field = _LEVEL_FIELDS[lv]
    source = rows[first - 1] if forward else rows[first]
    label = getattr(source, field)
    if not label:
        return
    span = range(first, len(rows)) if forward else range(first - 1, -1, -1)
    edge = rows[span[0]]
    cell = edge.level_cells[lv]
    for k in span:
        ind = rows[k]
        if getattr(ind, field) or ind.page != edge.page or (cell is not None and ind.level_cells[lv] != cell):
            break
        if lv == 1 and ind.level1 and ind.level1 != source.level1:
            break  # a 二级 under another 一级 is another cell
        setattr(ind, field, label)
        changed.setdefault(k, []).append(_LEVEL_NAMES[lv])
