"""Document-level facts: its title, budget year and publishing unit.

A cover often prints the year, the unit and the words 部门预算 on separate
lines ("2026 年度 / 福州市商务局 / 部门预算"): consecutive short lines are read
as one title. The year is never taken from the file name (file names lie).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..extract.model import Document, TextLine
from . import fields, vocab
from .families.common import line_fields, strip_code

_MAX_JOIN = 3  # cover lines read as one title
_SHORT_LINE = 30  # characters: a cover line, not a paragraph


@dataclass(frozen=True)
class DocumentFacts:
    title: str | None
    year: int | None
    publisher: str | None


FIRST_LINES = 5  # the document's first free lines read for its title


def _candidates(first: list[str], cover_text: str) -> list[str]:
    cover = [ln.strip() for ln in cover_text.splitlines() if ln.strip()][:15]
    out: list[str] = []
    for group in (first, cover):
        lines = ["".join(t.split()) for t in group]
        for i in range(len(lines)):
            for n in range(1, _MAX_JOIN + 1):
                window = lines[i : i + n]
                if len(window) < n or any(len(w) > _SHORT_LINE for w in window[1:]):
                    break
                out.append("".join(window))
    return out


def _is_title(line: str) -> bool:
    return fields.year_of(line) is not None and any(w in line for w in vocab.DOCUMENT_TITLE_WORDS)


def clean_unit(name: str) -> str:
    """A unit named by a cover or title: no code, margin marks or level suffix.
    ".长春市信访局（本级）" -> "长春市信访局"."""
    t = strip_code(name)
    t = regex.sub(vocab.MARGIN_MARKS, "", t)
    t = regex.sub(vocab.UNIT_LEVEL_SUFFIX, "", t)
    return t.strip()


def publisher_of(lines: list[str]) -> str:
    """The unit that publishes the document: '2026年烟台市民政局部门预算' -> '烟台市民政局';
    '长沙市信访局 / 2026 年部门预算公开' -> '长沙市信访局'."""
    for line in lines:  # "预算主管部门：…" printed on the cover says it outright
        for label, value in line_fields(line).items():
            if label in vocab.DEPARTMENT_LINE_LABELS and value:
                return clean_unit(value)
    for i, line in enumerate(lines):
        span = fields.year_span(line)
        if not span or not any(w in line for w in vocab.COVER_TITLE_WORDS):
            continue
        before, after = line[: span[0]], line[span[1] :]
        before = regex.sub(vocab.TABLE_NUMBER, "", regex.sub(vocab.MARGIN_MARKS, "", before))
        if line_fields(before):
            continue  # "单位名称：…单位：万元" before a title: labelled fields, said above if at all
        if before.strip("—-－ 　"):
            return clean_unit(before)
        cut = min((after.find(w) for w in vocab.PUBLISHER_STOP_WORDS if w in after), default=-1)
        name = after[:cut] if cut > 0 else ""
        if name and any(w in line for w in vocab.FORM_TITLE_WORDS) and not name.strip().endswith(vocab.UNIT_NAME_ENDINGS):
            continue  # a form's title names its kind after the year (市级一般性项目), not always a unit
        if name:
            return clean_unit(name)
        above = lines[i - 1] if i > 0 else ""
        if regex.sub(vocab.TABLE_NUMBER, "", above).strip() and not fields.year_span(above) and not line_fields(above):
            return clean_unit(above)  # the unit on the line above the title; a table number ("表十") is none
    return ""


def document_facts(doc: Document) -> DocumentFacts:
    first = [it.text for it in doc.items if isinstance(it, TextLine)][:FIRST_LINES]
    return facts_from(first, doc.cover_text)


def facts_from(first: list[str], cover_text: str) -> DocumentFacts:
    """The facts from the document's first free lines (``FIRST_LINES`` of them,
    fewer if it prints fewer) and its cover text."""
    candidates = _candidates(first, cover_text)
    title = next((c for c in candidates if _is_title(c)), None)
    cover = ["".join(ln.split()) for ln in cover_text.splitlines() if ln.strip()][:15]
    publisher = publisher_of(cover) or publisher_of([c for c in candidates if fields.year_span(c)])
    return DocumentFacts(
        title=title,
        year=fields.year_of(title) if title else None,
        publisher=publisher or None,
    )
