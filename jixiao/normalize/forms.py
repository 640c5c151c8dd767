"""Form drafts (text as printed) -> typed Project records, with warnings."""

from __future__ import annotations

from collections import Counter

from . import fields, vocab
from .ocrfix import correct, looks_doubtful, money_text, reconcile_funds
from .records import Funds, Indicator, Project
from .shanghai import FormDraft
from .values import parse_value

WAN = 10_000.0
TOLERANCE = 0.01  # yuan: sums are printed to the fen


def _funds(draft: FormDraft, warnings: list[str]) -> Funds:
    scale = WAN if draft.funds_in_wan else 1.0
    values: dict[str, float | None] = {}
    ocr = "ocr" in draft.methods
    for name, text in draft.funds.items():
        if ocr:  # ocrfix: separators back where the money format has them
            text, note = money_text(text)
            warnings.extend([note] if note else [])
        v = fields.amount(text)
        if v is None and text.strip():
            warnings.append(f"funds {name}: '{text}' is not an amount")
        values[name] = None if v is None else round(v * scale, 2)
    if ocr:  # ocrfix: an amount the funds identities pin down
        values, notes = reconcile_funds(values, draft.funds)
        warnings.extend(notes)
    funds = Funds(**values)
    _check_sum(funds.total, [funds.total_fiscal, funds.total_other], "项目资金总额 ≠ 财政资金 + 其他资金", warnings)
    _check_sum(
        funds.annual_request,
        [funds.annual_appropriation, funds.annual_carryover, funds.annual_other],
        "年度资金申请总额 ≠ 当年财政拨款 + 上年结转资金 + 其他资金",
        warnings,
    )
    return funds


def _check_sum(total: float | None, parts: list[float | None], what: str, warnings: list[str]) -> None:
    if total is None or all(p is None for p in parts):
        return
    s = sum(p or 0.0 for p in parts)
    if abs(total - s) > TOLERANCE:
        warnings.append(f"funds do not add up: {what} ({total:,.2f} vs {s:,.2f})")


def _ocr_label(text: str, names: tuple[str, ...], confidence: float | None, warnings: list[str]) -> str:
    """Snap an OCR'd 一级/二级 label to the vocabulary where unambiguous."""
    if confidence is None or not text:
        return text
    fixed, note = correct(text, names)
    if note:
        warnings.append(note)
    return fixed


def _weight(text: str | None, i: int, name: str, warnings: list[str]) -> float | None:
    """分值/权重 as printed -> float ('20', '20%', '8.5')."""
    if text is None or not text.strip():
        return None
    t = "".join(text.split()).rstrip("%％")
    v = fields.amount(t)
    if v is None:
        warnings.append(f"indicator {i} '{name}': weight '{text}' is not a number")
    return v


def to_project(draft: FormDraft, seq: int, doc_year: int | None, layout: str) -> Project:
    warnings = list(draft.warnings)
    h = {k: fields.one_line(v) for k, v in draft.header.items()}
    form_year = fields.year_of(draft.year_label) if draft.year_label else None
    if form_year and doc_year and form_year != doc_year:
        warnings.append(f"form year {form_year} differs from the document's {doc_year}")
    indicators = []
    for i, d in enumerate(draft.indicators, start=1):
        level1 = _ocr_label(d.level1, vocab.LEVEL1_NAMES, d.confidence, warnings)
        level2 = _ocr_label(d.level2, vocab.LEVEL2_NAMES, d.confidence, warnings)
        parsed = parse_value(d.value_raw, d.level3)
        for w in parsed.warnings:
            warnings.append(f"indicator {i} '{d.level3}': {w}")
        if parsed.kind == "empty":
            warnings.append(f"indicator {i} '{d.level3}': empty value cell")
        if looks_doubtful(d.confidence):
            warnings.append(f"indicator {i} '{d.level3}': low OCR confidence {d.confidence:.2f}")
        if level1 and level1 not in vocab.LEVEL1_NAMES:
            warnings.append(f"indicator {i} '{d.level3}': 一级指标 '{level1}' outside the known vocabulary")
        if level2 and level2 not in vocab.LEVEL2_NAMES and level2 not in vocab.LEVEL2_SHORT_NAMES:
            warnings.append(f"indicator {i} '{d.level3}': 二级指标 '{level2}' outside the known vocabulary")
        indicators.append(
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
                weight=_weight(d.weight, i, d.level3, warnings),
                horizon=d.horizon,
                confidence=d.confidence,
            )
        )
    for name, n in Counter((d.level3, d.horizon) for d in draft.indicators).items():
        if n > 1:
            warnings.append(f"三级指标 '{name[0]}' appears {n} times")
    if not draft.indicators:
        warnings.append("form has no indicator table")
    pages = sorted(draft.pages) or [0]
    return Project(
        seq=seq,
        year=form_year or doc_year,
        department=h.get("department", ""),
        implementing_unit=h.get("implementing_unit", ""),
        project_name=h.get("project_name", ""),
        project_nature=h.get("project_nature", ""),
        project_category=h.get("project_category", ""),
        start_date=fields.date(h.get("start_date", "")),
        end_date=fields.date(h.get("end_date", "")),
        funds=_funds(draft, warnings),
        goal_period=fields.period(draft.goal_header) if draft.goal_header else None,
        overall_goal=draft.overall_goal,
        annual_goal=draft.annual_goal,
        indicators=tuple(indicators),
        first_page=pages[0],
        last_page=pages[-1],
        layout=draft.layout or layout,
        extraction_method="ocr" if "ocr" in draft.methods else "text",
        warnings=tuple(warnings),
        form_title=draft.title,
    )
