"""normalize: grids -> records. Never opens a PDF: it reads extract's items.

It reads a whole ``Document`` or one being read page by page (extract's
``PdfStream``): the items are taken one at a time and each form becomes a
Project once it is closed, so only the open form (its last table) and the
document's facts are held, never the document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from ..extract.model import BBox, PageInfo, Table, TextLine
from . import families, vocab
from .document import FIRST_LINES, DocumentFacts, facts_from
from .forms import form_year, to_project
from .model import FormDraft
from .records import DocumentResult, Funds, Indicator, Project

__all__ = [
    "DocumentResult",
    "Funds",
    "Indicator",
    "Leftovers",
    "Project",
    "normalize",
    "page_wanted",
    "read_projects",
]


def page_wanted(text: str) -> bool:
    """Could this page hold (part of) a target form? Cheap, on raw page text."""
    compact = "".join(text.split())
    return any(m in compact for m in vocab.PAGE_MARKERS)


class Items(Protocol):
    """What normalize reads: extract's Document, or a PdfStream (its
    ``cover_text`` is final once its first item is out)."""

    @property
    def items(self) -> Iterable[Table | TextLine]: ...

    @property
    def cover_text(self) -> str: ...

    @property
    def pages(self) -> Sequence[PageInfo]: ...


@dataclass
class Leftovers:
    """What normalize says besides the projects: complete once they are all read."""

    facts: DocumentFacts = field(default_factory=lambda: DocumentFacts(None, None, None))
    skipped: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # of skipped, what may hold targets


def _blank(d: FormDraft) -> bool:
    """A blank template: no name cell filled in and no value printed (not a form)."""
    named = bool(d.header.get("project_name")) and not d.named_by_title
    printed = any(i.value_raw.strip() for i in d.indicators) or any(t.strip() for t in d.funds.values())
    return not named and not printed


def _year_from_forms(facts: DocumentFacts, drafts: list[FormDraft]) -> DocumentFacts:
    """No title or cover names the year: the year most forms print (their year
    label or title) is the document's, for the forms that print none."""
    years = Counter(y for d in drafts if (y := form_year(d)))
    return replace(facts, year=years.most_common(1)[0][0]) if years else facts


def normalize(doc: Items) -> DocumentResult:
    left = Leftovers()
    projects = tuple(read_projects(doc, left))
    return DocumentResult(
        projects=projects,
        title=left.facts.title,
        year=left.facts.year,
        publisher=left.facts.publisher,
        skipped=tuple(left.skipped),
        unread=tuple(left.unread),
    )


def read_projects(doc: Items, left: Leftovers) -> Iterator[Project]:
    """The document's projects, in order, each as soon as its form is closed
    and the document's facts are known (its first free lines and cover are
    read); ``left`` is filled as the document is read.

    A document whose title and cover name no year takes the year most forms
    print: its forms wait, as drafts, until the last one is read."""
    first: list[str] = []  # the document's first free lines

    def watch(items: Iterable[Table | TextLine]) -> Iterator[Table | TextLine]:
        for it in items:
            if isinstance(it, TextLine) and len(first) < FIRST_LINES:
                first.append(it.text)
            yield it

    facts: DocumentFacts | None = None
    waiting: list[FormDraft] = []
    blanks: list[str] = []  # reported after the tables left out
    seq = 0
    stamps: dict[int, tuple[BBox, ...]] = {}  # seals on the pages read so far (extract's PageInfo.stamps)
    looked = 0  # pages whose seals are in ``stamps``
    for d in families.read_document(watch(doc.items), left.skipped, left.unread):
        for info in doc.pages[looked:]:
            if info.stamps:
                stamps[info.number] = info.stamps
        looked = len(doc.pages)
        d.stamps = {n: stamps[n] for n in d.pages if n in stamps}  # provenance: seals on its pages
        if _blank(d):
            page = min(d.pages) if d.pages else 0
            blanks.append(f"p.{page}: {families.BLANK_TEMPLATE} (no name, no values){' ' + d.title if d.title else ''}")
            continue
        waiting.append(d)
        if facts is None and len(first) >= FIRST_LINES:
            facts = facts_from(first, doc.cover_text)
        if facts is not None and facts.year is not None:
            for w in waiting:
                seq += 1
                yield to_project(w, seq, facts)
            waiting.clear()
    if facts is None:
        facts = facts_from(first, doc.cover_text)
    if facts.year is None:
        facts = _year_from_forms(facts, waiting)
    left.facts = facts
    left.skipped += blanks
    for w in waiting:
        seq += 1
        yield to_project(w, seq, facts)
