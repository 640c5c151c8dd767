"""normalize: grids -> records. Never opens a PDF: it reads extract's Document."""

from __future__ import annotations

from ..extract.model import Document, TextLine
from . import families, fields, shanghai, vocab
from .forms import to_project
from .records import DocumentResult, Funds, Indicator, Project

__all__ = ["DocumentResult", "Funds", "Indicator", "Project", "normalize", "page_wanted"]


def page_wanted(text: str) -> bool:
    """Could this page hold (part of) a target form? Cheap, on raw page text."""
    compact = "".join(text.split())
    return any(m in compact for m in vocab.PAGE_MARKERS)


def document_title(doc: Document) -> tuple[str | None, int | None]:
    """The document's title and budget year, from its first lines or cover."""
    candidates = [it.text for it in doc.items if isinstance(it, TextLine)][:5]
    candidates += [ln.strip() for ln in doc.cover_text.splitlines() if ln.strip()][:15]
    for line in candidates:
        y = fields.year_of(line)
        if y and any(w in line for w in vocab.DOCUMENT_TITLE_WORDS):
            return "".join(line.split()), y
    return None, None


def normalize(doc: Document) -> DocumentResult:
    title, year = document_title(doc)
    drafts, skipped = families.read_document(doc)
    projects = tuple(to_project(d, i, year, d.layout or shanghai.LAYOUT) for i, d in enumerate(drafts, start=1))
    return DocumentResult(projects=projects, title=title, year=year, skipped=tuple(skipped))
