"""Target-table families: which reader reads which table.

Every table is classified by its own header words and content:
  - a self-evaluation table (自评表: 实际完成值, 得分 …) is left out and reported;
  - a table that starts a form is claimed by the first family whose ``match``
    accepts it (``FAMILIES`` order: the most specific first);
  - a table with an indicator header but no form labels carries on the form
    before it (a page break), else it is reported as of no known family;
  - any other table goes with the run it is in (the reader ignores it).
Consecutive tables of one family (and the free lines before them) form a run,
read by that family's ``read_forms``; drafts keep document order.

Each family module exposes ``LAYOUT`` (recorded as ``Project.layout``),
``match(table)`` and ``read_forms(items, ctx)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

from ...extract.model import Document, Table, TextLine
from .. import vocab
from ..shanghai import FormDraft
from ..vocab import key
from . import central, chongqing, common, guangdong, hunan, shandong, shanghai, splitcol, template2015
from .common import DocContext

FAMILIES: tuple[ModuleType, ...] = (
    guangdong,
    shanghai,
    hunan,
    chongqing,
    splitcol,
    template2015,
    central,
    shandong,
)
LAYOUTS = tuple(f.LAYOUT for f in FAMILIES)


@dataclass
class Verdict:
    kind: str  # "form" | "skip" | "continuation" | "other"
    family: ModuleType | None = None
    reason: str = ""


@dataclass
class _Run:
    family: ModuleType
    items: list[Table | TextLine] = field(default_factory=list)


def _header_words(table: Table, row: int) -> list[str]:
    return [key(c.text) for c in common.covering(table, row) if common.is_short(c.text)]


def self_evaluation(table: Table, lines: list[TextLine]) -> str:
    """'自评表 (实际完成值, 得分)' when the table is a self-evaluation, else ''."""
    hrows = common.indicator_header_rows(table)
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


def classify(table: Table, lines: list[TextLine]) -> Verdict:
    page = table.pages[0]
    hrows = common.indicator_header_rows(table)
    why = self_evaluation(table, lines) if hrows else ""
    if why:
        return Verdict("skip", reason=f"p.{page}: {why}")
    for family in FAMILIES:
        if family.match(table):
            return Verdict("form", family)
    if hrows:
        from . import labelform

        if not labelform.has_labels(table, hrows[0]) and not any(
            c for c in common.covering(table, hrows[0]) if vocab.NAME_WORD in key(c.text) and vocab.INDICATOR_WORD not in key(c.text)
        ):
            return Verdict(
                "continuation",
                reason=f"p.{page}: target-like table of no known family (headers: {', '.join(_header_words(table, hrows[0]))})",
            )
        return Verdict(
            "skip",
            reason=f"p.{page}: target-like table of no known family (headers: {', '.join(_header_words(table, hrows[0]))})",
        )
    return Verdict("other")


def read_document(doc: Document) -> tuple[list[FormDraft], list[str]]:
    """Every form of every family in the document, in order, and what was left out."""
    ctx = DocContext(publisher=common.publisher_of(doc.cover_text))
    runs: list[_Run] = []
    skipped: list[str] = []
    current: _Run | None = None
    pending: list[Table | TextLine] = []
    for item in doc.items:
        if isinstance(item, TextLine):
            pending.append(item)
            continue
        lines = [it for it in pending if isinstance(it, TextLine)]
        verdict = classify(item, lines)
        if verdict.kind == "form":
            assert verdict.family is not None
            if current is None or current.family is not verdict.family:
                current = _Run(verdict.family)
                runs.append(current)
            current.items += [*pending, item]
        elif verdict.kind == "skip":
            skipped.append(verdict.reason)
            current = None
        elif current is not None:
            current.items += [*pending, item]
        elif verdict.kind == "continuation":
            skipped.append(verdict.reason)
        pending = []
    if current is not None:
        current.items += pending
    drafts: list[FormDraft] = []
    for run in runs:
        for d in run.family.read_forms(run.items, ctx):
            d.layout = d.layout or run.family.LAYOUT
            drafts.append(d)
    return drafts, skipped
