"""Form drafts (text as printed) -> typed Project records, with warnings.

Contract v2 (shared SCHEMA.md, "Rules that hold for every column"): what the
form does not print is None, never ""; year and department fall back to the
document's title or cover, and only then to the markers of ``vocab``
(``UNKNOWN_YEAR``, ``UNKNOWN_DEPARTMENT``), with a warning.

Warning codes (``Note.code``), for filtering:
  funds_not_amount, funds_sum, no_money_unit, money_unit_elsewhere,
  value_grammar, empty_value, low_ocr_confidence, ocr_corrected, under_seal,
  level1_unknown, level2_unknown, weight_not_number, duplicate_level3,
  carried_over_break, rows_without_name, continued_as_read, rows_not_attached, name_from_title,
  department_from_document, department_from_unit, amount_with_gaps, year_differs, no_indicators,
  no_year, no_department.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

from . import fields, vocab
from .document import DocumentFacts
from .model import FormDraft, Note
from .ocrfix import (
    close_unit_bracket,
    dashes_as_equals,
    date_text,
    digit_gaps,
    header_text,
    looks_doubtful,
    money_text,
    percent_as_digit,
    reconcile_funds,
    snap_levels,
    trim_specks,
    under_seal,
    value_text,
)
from .records import Funds, Indicator, Project
from .values import ParsedValue, parse_value

WAN = 10_000.0
TOLERANCE = 0.01  # yuan: sums are printed to the fen


def _funds(draft: FormDraft, notes: list[Note]) -> Funds:
    scale = WAN if draft.funds_in_wan else 1.0
    values: dict[str, float | None] = {}
    ocr = "ocr" in draft.methods
    for name, text in draft.funds.items():
        if ocr:  # ocrfix: separators back where the money format has them
            text, fixed = money_text(text)
            if fixed:
                notes.append(Note("ocr_corrected", fixed))
        v, own_wan = fields.money(text)  # an amount printing its own unit wins over the block's
        if v is None and text.strip():
            notes.append(Note("funds_not_amount", f"funds {name}: '{text}' is not an amount"))
        elif ocr and v is not None and digit_gaps(text):
            # "12 1 60" for 121.60: a decimal point a fax lost reads as a gap; never guessed
            notes.append(Note("amount_with_gaps", f"funds {name}: OCR amount '{text}' has gaps between its digits, read as {v:,.2f}; check it"))
        s = scale if own_wan is None else (WAN if own_wan else 1.0)
        values[name] = None if v is None else round(v * s, 2)
    if ocr:  # ocrfix: an amount the funds identities pin down
        values, corrected = reconcile_funds(values, draft.funds)
        notes += [Note("ocr_corrected", c) for c in corrected]
    funds = Funds(**values)
    _check_sum(funds.total, [funds.total_fiscal, funds.total_other], "项目资金总额 ≠ 财政资金 + 其他资金", notes)
    _check_sum(
        funds.annual_request,
        [funds.annual_appropriation, funds.annual_carryover, funds.annual_other],
        "年度资金申请总额 ≠ 当年财政拨款 + 上年结转资金 + 其他资金",
        notes,
    )
    return funds


def _check_sum(total: float | None, parts: list[float | None], what: str, notes: list[Note]) -> None:
    if total is None or all(p is None for p in parts):
        return
    s = sum(p or 0.0 for p in parts)
    if abs(total - s) > TOLERANCE:
        notes.append(Note("funds_sum", f"funds do not add up: {what} ({total:,.2f} vs {s:,.2f})"))


def _weight(text: str | None, i: int, name: str, notes: list[Note]) -> float | None:
    """分值/权重 as printed -> float ('20', '20%', '8.5')."""
    if text is None or not text.strip():
        return None
    t = "".join(text.split()).rstrip("%％")
    v = fields.amount(t)
    if v is None:
        notes.append(Note("weight_not_number", f"indicator {i} '{name}': weight '{text}' is not a number", i))
    return v


def _indicators(draft: FormDraft, notes: list[Note]) -> tuple[Indicator, ...]:
    out = []
    levels = snap_levels(
        [(fields.label_text(d.level1), fields.label_text(d.level2), d.page, d.confidence is not None) for d in draft.indicators]
    )
    # ocrfix: specks at a cell's ends, a fax's percent brackets, its "=" read as "-"
    # (by the form's other OCR'd values), a rate's "%" read as a digit, a name's
    # unit bracket left open.
    trimmed = {i: value_text(d.value_raw) for i, d in enumerate(draft.indicators, start=1) if d.confidence is not None}
    dashed = dict(zip(trimmed, dashes_as_equals([t for t, _ in trimmed.values()]), strict=True))
    for i, (d, (level1, level2, snapped)) in enumerate(zip(draft.indicators, levels), start=1):
        notes.extend(Note("ocr_corrected", n, i) for n in snapped)
        if i in trimmed:
            (value_raw, dash_note), trim_note = dashed[i], trimmed[i][1]
            name, name_note = close_unit_bracket(trim_specks(d.level3))
            value_raw, pct_note = percent_as_digit(value_raw, name)
            notes.extend(Note("ocr_corrected", n, i) for n in (trim_note, dash_note, pct_note, name_note) if n)
            d = replace(d, level3=name, value_raw=value_raw)
        tag = f"indicator {i} '{d.level3}'"
        if d.qualitative and d.value_raw.strip():
            # The form marks it 定性: a label whatever it holds ("前三名").
            parsed = ParsedValue("qualitative", None, None, None, None, d.value_raw.strip())
        else:
            parsed = parse_value(d.value_raw, d.level3)
        for w in parsed.warnings:
            notes.append(Note("value_grammar", f"{tag}: {w}", i))
        if parsed.kind == "empty":
            notes.append(Note("empty_value", f"{tag}: empty value cell", i))
        if draft.stamps and any(under_seal(d.page, b, draft.stamps) for b in (d.bbox, d.value_bbox)):
            notes.append(Note("under_seal", f"{tag}: a seal was stamped over the row; check it against the scan", i))
        if looks_doubtful(d.confidence):
            notes.append(Note("low_ocr_confidence", f"{tag}: low OCR confidence {d.confidence:.2f}", i))
        if level1 and level1 not in vocab.LEVEL1_NAMES:
            notes.append(Note("level1_unknown", f"{tag}: 一级指标 '{level1}' outside the known vocabulary", i))
        if level2 and level2 not in vocab.LEVEL2_NAMES and level2 not in vocab.LEVEL2_SHORT_NAMES:
            notes.append(Note("level2_unknown", f"{tag}: 二级指标 '{level2}' outside the known vocabulary", i))
        out.append(
            Indicator(
                seq=i,
                level1=level1 or None,
                level2=level2 or None,
                level3=d.level3,
                value_raw=d.value_raw,
                operator=parsed.operator,
                value=parsed.value,
                value_max=parsed.value_max,
                value_unit=parsed.unit,
                label=parsed.label,
                value_kind=parsed.kind,
                page=d.page,
                bbox=d.bbox,
                weight=_weight(d.weight, i, d.level3, notes),
                horizon=d.horizon,
                confidence=d.confidence,
                value_bbox=d.value_bbox,
            )
        )
    for (name, _), n in Counter((d.level3, d.horizon) for d in draft.indicators).items():
        if n > 1:
            notes.append(Note("duplicate_level3", f"三级指标 '{name}' appears {n} times"))
    return tuple(out)


def form_year(draft: FormDraft) -> int | None:
    """The year the form itself prints: its year label, else its title's year."""
    return fields.year_of(draft.year_label or "") or fields.year_of(draft.title or "")


def _year(draft: FormDraft, doc: DocumentFacts, notes: list[Note]) -> int:
    """The form's own year, else the document's."""
    own = form_year(draft)
    if own and doc.year and own != doc.year:
        notes.append(Note("year_differs", f"form year {own} differs from the document's {doc.year}"))
    year = own or doc.year
    if year is None:
        notes.append(Note("no_year", f"no budget year printed: filed under year={vocab.UNKNOWN_YEAR}"))
        return vocab.UNKNOWN_YEAR
    return year


def _department(printed: str | None, doc: DocumentFacts, notes: list[Note], whole: str | None = None) -> str:
    """The form's 主管部门; else the document's publisher; else, for a form
    about a whole department (``whole``: the unit it names, 单位名称), that unit."""
    if printed:
        return printed
    if doc.publisher:
        notes.append(
            Note(
                "department_from_document",
                f"no 主管部门 printed: the publishing unit '{doc.publisher}' (document title) used",
            )
        )
        return doc.publisher
    if whole:
        notes.append(Note("department_from_unit", f"no 主管部门 printed: the department-wide form's unit '{whole}' used"))
        return whole
    notes.append(Note("no_department", f"no 主管部门 printed: filed under department={vocab.UNKNOWN_DEPARTMENT}"))
    return vocab.UNKNOWN_DEPARTMENT


def _date(text: str | None, draft: FormDraft, notes: list[Note]) -> dt.date | None:
    if text and "ocr" in draft.methods and fields.date(text) is None:  # ocrfix: a fax's lost hyphen
        text, fixed = date_text(text)
        if fixed:
            notes.append(Note("ocr_corrected", fixed))
    return fields.date(text or "")


def _seal_notes(draft: FormDraft) -> list[Note]:
    """A header or funds field whose cell a seal was stamped over: its own
    warning (the text was read once the seal's ink was taken out)."""
    return [
        Note("under_seal", f"{name}: a seal was stamped over its cell; check it against the scan")
        for name, (page, bbox) in sorted(draft.field_cells.items())
        if draft.stamps and under_seal(page, bbox, draft.stamps)
    ]


def to_project(draft: FormDraft, seq: int, doc: DocumentFacts) -> Project:
    notes = list(draft.notes) + _seal_notes(draft)
    h = {k: fields.one_line(v) or None for k, v in draft.header.items()}
    if "ocr" in draft.methods:  # ocrfix: specks at the ends of a one-line field, or inside a unit's name
        h = {k: v and header_text(k, v) for k, v in h.items()}
    indicators = _indicators(draft, notes)
    if not draft.indicators:
        notes.append(Note("no_indicators", "form has no indicator table"))
    pages = sorted(draft.pages) or [0]
    return Project(
        seq=seq,
        year=_year(draft, doc, notes),
        department=_department(
            h.get("department"), doc, notes, h.get("implementing_unit") if draft.form_kind == "department" else None
        ),
        implementing_unit=h.get("implementing_unit"),
        project_name=h.get("project_name"),
        project_nature=h.get("project_nature"),
        project_category=h.get("project_category"),
        start_date=_date(h.get("start_date"), draft, notes),
        end_date=_date(h.get("end_date"), draft, notes),
        funds=_funds(draft, notes),
        goal_period=fields.period(draft.goal_header) if draft.goal_header else None,
        overall_goal=draft.overall_goal or None,
        annual_goal=draft.annual_goal or None,
        indicators=indicators,
        first_page=pages[0],
        last_page=pages[-1],
        layout=draft.layout,
        extraction_method="ocr" if "ocr" in draft.methods else "text",
        warnings=tuple(notes),
        form_title=draft.title or None,
        form_kind=draft.form_kind,
        weight_total=draft.weight_total,
    )
