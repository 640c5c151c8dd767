"""normalize: grids -> records. Never opens a PDF: it reads extract's Document."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..extract.model import Document
from . import families, vocab
from .document import DocumentFacts, document_facts
from .forms import form_year, to_project
from .model import FormDraft
from .records import DocumentResult, Funds, Indicator, Project

__all__ = ["DocumentResult", "Funds", "Indicator", "Project", "normalize", "page_wanted"]


def page_wanted(text: str) -> bool:
    """Could this page hold (part of) a target form? Cheap, on raw page text."""
    compact = "".join(text.split())
    return any(m in compact for m in vocab.PAGE_MARKERS)


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


def normalize(doc: Document) -> DocumentResult:
    facts: DocumentFacts = document_facts(doc)
    drafts, skipped, unread = families.read_document(doc)
    kept = []
    for d in drafts:
        if _blank(d):
            page = min(d.pages) if d.pages else 0
            skipped.append(f"p.{page}: {families.BLANK_TEMPLATE} (no name, no values){' ' + d.title if d.title else ''}")
        else:
            kept.append(d)
    if facts.year is None:
        facts = _year_from_forms(facts, kept)
    projects = tuple(to_project(d, i, facts) for i, d in enumerate(kept, start=1))
    return DocumentResult(
        projects=projects,
        title=facts.title,
        year=facts.year,
        publisher=facts.publisher,
        skipped=tuple(skipped),
        unread=tuple(unread),
    )
