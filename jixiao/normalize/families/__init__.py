"""Which structure reads which table, and which family name it gets.

A target table is one of two structures, read by one reader each:
  - a label form (``labelform``): one form per table (or per name label),
    labels whose value is to their right or below, an indicator grid;
  - a wide table (``wide``): one band of rows per project, every column
    named by the header row (name, funds, goal, indicator columns or one
    column of serialized indicator lists).
Families are data on top: ``FAMILIES`` names the layout of a form by what its
table shows (``TableFacts``), most specific first. A new province's variant
needs new words in ``vocab``, not a new reader.

Every table is classified once, by its own header words and content:
  - a self-evaluation table (自评表: 实际完成值, 得分 …) is left out and reported;
  - a table that starts a form goes to the first family that accepts it;
  - a table with an indicator header but no form labels carries on the form
    before it (a page break), else it is reported as left unread;
  - any other table goes with the run it is in (the reader ignores it).
Consecutive tables of one structure and family form a run, read by the
structure's reader; forms keep document order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby

from ...extract.model import Table, TextLine
from .. import vocab
from ..model import FormDraft
from ..ocrfix import snap_grid_headers, snap_labels
from ..vocab import key
from . import common, guangdong, labelform, wide
from .common import Columns


@dataclass
class TableFacts:
    """What a table shows, computed once and shared by every family's rule."""

    table: Table
    titled: bool  # a form title line stands right above it

    @cached_property
    def header_rows(self) -> list[int]:
        return common.indicator_header_rows(self.table)

    @cached_property
    def label_columns(self) -> Columns | None:
        return labelform.form_columns(self.table, titled=self.titled)

    @cached_property
    def wide_columns(self) -> Columns | None:
        return wide.wide_columns(self.table)

    @cached_property
    def serialized(self) -> bool:
        return common.serialized_header(self.table) is not None

    @cached_property
    def shanghai(self) -> bool:
        return _shanghai(self.table)


def _shanghai(table: Table) -> bool:
    """Labels only the Shanghai 申报表 prints (项目性质, 项目类别, 计划开始日期 …),
    each with a value on its right."""
    own = {key(w) for w in vocab.SHANGHAI_OWN_LABELS}
    labels = own | {key(w) for w in labelform.ENVELOPE} | {key(w) for w in vocab.FUNDS_LABELS_FAMILY}

    def labelled(c) -> bool:
        right = table.cell_at(c.row, c.col + c.colspan)
        return right is not None and key(right.text) not in labels

    cells = [c for c in table.cells if labelled(c)]
    return any(common.label_in(c.text, vocab.PROJECT_NAME_LABELS) for c in cells) and any(
        key(c.text) in own for c in cells
    )


# (items, layout) -> forms, each given when it starts: it is closed once the
# next is given or the items end.
Reader = Callable[[Iterable[Table | TextLine], str], Iterator[FormDraft]]


def _serial_reader(items: Iterable[Table | TextLine], layout: str) -> Iterator[FormDraft]:
    return wide.read_forms(items, layout, serial=guangdong.parse_serialized)


def _label(cols: Columns | None, split: bool | None = None) -> bool:
    return cols is not None and cols.level3 is not None and bool(cols.values) and (split is None or cols.split == split)


def _template_2015(f: TableFacts) -> bool:
    cols = f.label_columns
    if not _label(cols, split=False):
        return False
    assert cols is not None
    own = {key(w) for w in vocab.TEMPLATE_2015_HEADERS}
    if any(h in own for h in cols.headers) or len(cols.values) > 1:
        return True
    first = cols.first_indicator_col
    return any(
        common.is_short(c.text) and any(w in key(c.text) for w in vocab.PERIOD_WORDS)
        for c in f.table.cells
        if first is not None and c.col < first
    )


@dataclass(frozen=True)
class Family:
    layout: str  # recorded as Project.layout
    reader: Reader
    accepts: Callable[[TableFacts], bool]
    doc: str = ""


# Most specific first.
FAMILIES: tuple[Family, ...] = (
    Family("guangdong-serialized", _serial_reader, lambda f: f.serialized, "one serialized 绩效指标 cell per project"),
    Family("sh-declaration", labelform.read_forms, lambda f: f.shanghai, "Shanghai 申报表/填报表"),
    Family(
        "hunan-wide",
        wide.read_forms,
        lambda f: f.wide_columns is not None and f.wide_columns.level1 is not None,
        "wide table with levels, split values",
    ),
    Family(
        "chongqing-list",
        wide.read_forms,
        lambda f: f.wide_columns is not None and f.wide_columns.level1 is None and f.wide_columns.level3 is not None,
        "wide list without levels",
    ),
    Family("split-column", labelform.read_forms, lambda f: _label(f.label_columns, split=True), "operator/unit columns"),
    Family("template-2015", labelform.read_forms, _template_2015, "指标内容/目标值, 长期 and 年度 blocks"),
    Family(
        "central",
        labelform.read_forms,
        lambda f: _label(f.label_columns, split=False) and f.label_columns.weight is not None,  # type: ignore[union-attr]
        "score column",
    ),
    Family("shandong", labelform.read_forms, lambda f: _label(f.label_columns, split=False), "label form, no score"),
)
# A form whose envelope stands in a table of its own and whose grid never came.
ENVELOPE_ONLY = Family("label-form", labelform.read_forms, lambda f: False, "envelope without a grid")
LAYOUTS = tuple(f.layout for f in FAMILIES)


BLANK_TEMPLATE = "blank template"


@dataclass
class Verdict:
    kind: str  # "form" | "envelope" | "skip" | "continuation" | "other"
    family: Family | None = None
    reason: str = ""
    unread: bool = False  # a skipped table that may hold targets (not a self-evaluation or blank template)


def _header_words(table: Table, row: int) -> list[str]:
    return [key(c.text) for c in common.covering(table, row) if common.is_short(c.text)]


def self_evaluation(table: Table, hrows: list[int], lines: list[TextLine]) -> str:
    """'自评表 (实际完成值, 得分)' when the table is a self-evaluation, else ''."""
    words: list[str] = []
    for h in hrows[:1]:
        for k in _header_words(table, h):
            for w in vocab.SELF_EVALUATION_HEADERS:
                if w in k and not any(w in x for x in words):
                    words.append(w)
    titles = [ln.text for ln in lines if any(w in "".join(ln.text.split()) for w in vocab.SELF_EVALUATION_TITLE_WORDS)]
    if titles and not words:
        words = ["title: " + "".join(titles[-1].split())]
    if not words:
        return ""
    return f"自评表 ({', '.join(words)})"


def _titled(lines: list[TextLine]) -> bool:
    return any(any(w in "".join(ln.text.split()) for w in vocab.FORM_TITLE_WORDS) for ln in lines)


def classify(table: Table, lines: list[TextLine]) -> Verdict:
    facts = TableFacts(table, titled=_titled(lines))
    page = table.pages[0]
    hrows = facts.header_rows
    why = self_evaluation(table, hrows, lines) if hrows else ""
    if why:
        return Verdict("skip", reason=f"p.{page}: {why}")
    for family in FAMILIES:
        if family.accepts(facts):
            return Verdict("form", family)
    if not hrows and labelform.is_envelope(table):
        return Verdict("envelope")  # a form's labels; its grid may follow on the next page
    if hrows and labelform.blank_envelope(table):
        return Verdict("skip", reason=f"p.{page}: {BLANK_TEMPLATE} (no name, no values)")
    if hrows:
        reason = f"p.{page}: target-like table of no known family (headers: {', '.join(_header_words(table, hrows[0]))})"
        named = any(
            vocab.NAME_WORD in key(c.text) and vocab.INDICATOR_WORD not in key(c.text)
            for c in common.covering(table, hrows[0])
        )
        if not labelform.has_labels(table, hrows[0]) and not named:
            return Verdict("continuation", reason=reason, unread=True)
        return Verdict("skip", reason=reason, unread=True)
    return Verdict("other")


def _grid_family(table: Table) -> Family | None:
    """The family of a grid that carries on an envelope printed in a table of its own."""
    facts = TableFacts(table, titled=True)
    return next((f for f in FAMILIES if f.accepts(facts)), None)


def read_document(
    items: Iterable[Table | TextLine], skipped: list[str], unread: list[str]
) -> Iterator[FormDraft]:
    """Every form of every family in the document, in order, each yielded once
    it is closed (no later item can add to it); what was left out goes to
    ``skipped`` and, of that, what may hold targets to ``unread``.

    Runs are read as they come: a run's reader takes its items one by one and
    gives each form when it starts; only the last form it gave is still open."""
    tagged = _runs(items, skipped, unread)
    for (_, family), group in groupby(tagged, key=lambda t: (t[0], t[1])):
        draft: FormDraft | None = None
        for d in family.reader((item for _, _, item in group), family.layout):
            if draft is not None:
                yield draft
            d.layout = d.layout or family.layout
            draft = d
        if draft is not None:
            yield draft


def _runs(
    items: Iterable[Table | TextLine], skipped: list[str], unread: list[str]
) -> Iterator[tuple[int, Family, Table | TextLine]]:
    """Each item that goes to a run, tagged with the run (its number and
    family), in order: a run's items are consecutive."""
    runs = 0
    current: Family | None = None  # the family of the open run (number ``runs``)
    pending: list[Table | TextLine] = []
    held: list[Table | TextLine] = []  # an envelope table waiting for its grid

    for item in items:
        if isinstance(item, TextLine):
            pending.append(item)
            continue
        item = snap_grid_headers(snap_labels(item))  # OCR'd labels: one edit off the vocabulary, or by their place
        lines = [it for it in pending if isinstance(it, TextLine)]
        verdict = classify(item, lines)
        if verdict.kind == "envelope":
            if held:
                runs += 1
                yield from _tag(runs, ENVELOPE_ONLY, held)
            held, pending, current = [*pending, item], [], None
            continue
        if verdict.kind == "continuation" and held:
            family = _grid_family(item)
            if family is not None:
                verdict = Verdict("form", family)
        if held and verdict.kind == "form":
            pending = [*held, *pending]
        elif held:
            runs += 1
            yield from _tag(runs, ENVELOPE_ONLY, held)
        held = []
        if verdict.kind == "form":
            assert verdict.family is not None
            if current is None or current is not verdict.family:
                runs += 1
                current = verdict.family
            yield from _tag(runs, current, [*pending, item])
        elif verdict.kind == "skip":
            skipped.append(verdict.reason)
            unread += [verdict.reason] if verdict.unread else []
            current = None
        elif current is not None:
            yield from _tag(runs, current, [*pending, item])
        elif verdict.kind == "continuation":
            skipped.append(verdict.reason)
            unread.append(verdict.reason)
        pending = []
    if held:
        runs += 1
        yield from _tag(runs, ENVELOPE_ONLY, held)
    elif current is not None:
        yield from _tag(runs, current, pending)


def _tag(run: int, family: Family, items: list[Table | TextLine]) -> list[tuple[int, Family, Table | TextLine]]:
    return [(run, family, it) for it in items]
