"""Help for text that came from OCR: snapping labels to a closed vocabulary,
and telling which cells deserve a warning.

extract stays form-agnostic, so this lives in normalize: the caller knows which
vocabulary a cell's text should come from (level-1 names, level-2 names,
header labels) and calls ``correct`` only for cells whose ``confidence`` is not
None (text read by OCR).

A label is changed only when the match is unambiguous: a small edit distance
(1; 2 for long labels) to exactly one vocabulary entry, every other entry
clearly further away, and the label long enough that one edit is not a large
share of it. Everything is compared after ``vocab.key`` (spaces, colons and
brackets do not count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache

import regex

from ..extract.model import Table
from . import vocab
from .vocab import key

DOUBTFUL_BELOW = 0.9  # mean character probability of the worst line in a cell
MIN_LENGTH = 3  # shorter labels are never changed: one edit would be a third of them
LONG_LABEL = 8  # from this length on, two edits may be corrected


def looks_doubtful(confidence: float | None) -> bool:
    """Should a value read with this OCR confidence carry a warning?

    ``None`` means the text came from the PDF's text layer: never doubtful.
    """
    return confidence is not None and confidence < DOUBTFUL_BELOW


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance (insert, delete, substitute); stops early once every
    path exceeds ``limit`` and then returns ``limit + 1``."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def correct(text: str, vocabulary: Sequence[str]) -> tuple[str, str | None]:
    """``text`` snapped to the one vocabulary entry it unambiguously misspells.

    Returns (text, None) when nothing changed (already in the vocabulary, or no
    unambiguous match), else (entry, warning).
    """
    k = key(text)
    if not k or not vocabulary:
        return text, None
    keys = [(key(v), v) for v in vocabulary]
    if any(k == vk for vk, _ in keys):
        return text, None
    if len(k) < MIN_LENGTH:
        return text, None
    allowed = 2 if len(k) >= LONG_LABEL else 1
    scored = sorted((edit_distance(k, vk, allowed + 1), v) for vk, v in keys if vk)
    best, entry = scored[0]
    if best > allowed or len(key(entry)) < MIN_LENGTH:
        return text, None
    # Unambiguous: the runner-up must be at least two edits further away.
    if len(scored) > 1 and scored[1][0] < best + 2:
        return text, None
    return entry, f"OCR text {text!r} read as {entry!r} ({best} character{'s' if best > 1 else ''} differ)"


_STRAY = regex.compile(r"^[^\p{Han}]+|[^\p{Han}]+$")


def strip_marks(text: str) -> str:
    """A label of CJK words without the specks and stubs OCR read around it
    on a fax ("n,产出指标", "质量指标2" -> the words). Text with no CJK stays."""
    stripped = _STRAY.sub("", text)
    return stripped if stripped else text


SEAL_OVERLAP = 0.15  # a seal over this share of a cell's area has stamped over its text


def under_seal(page: int, bbox: tuple[float, float, float, float] | None, stamps: dict) -> bool:  # type: ignore[type-arg]
    """Does a seal (``FormDraft.stamps``) cover enough of this cell to have
    stamped over its text? The seal's ink was taken out before OCR, and its
    strokes may have taken print along."""
    if bbox is None:
        return False
    x0, top, x1, bottom = bbox
    area = max(1e-6, (x1 - x0) * (bottom - top))
    for sx0, stop, sx1, sbottom in stamps.get(page, ()):
        ox, oy = min(x1, sx1) - max(x0, sx0), min(bottom, sbottom) - max(top, stop)
        if ox > 0 and oy > 0 and ox * oy >= SEAL_OVERLAP * area:
            return True
    return False


@cache
def form_labels() -> tuple[str, ...]:
    """Every label a form prints (header, funds, goal and grid headers), for
    ``snap_labels``. Not the 一级/二级 names: a 三级 name may be one or two
    edits from them ("服务对象满意度" next to "服务对象满意度指标")."""
    words = {
        *vocab.HEADER_LABELS, *vocab.PROJECT_NAME_LABELS, *vocab.DEPARTMENT_LABELS, *vocab.UNIT_LABELS,
        *vocab.ENVELOPE_OTHER_LABELS, *vocab.FUNDS_LABELS, *vocab.FUNDS_LABELS_FAMILY, vocab.FUNDS_OTHER,
        *vocab.GOAL_LABELS, vocab.LEVEL1_HEADER, vocab.LEVEL2_HEADER, *vocab.LEVEL3_HEADERS,
        *vocab.VALUE_HEADERS, *vocab.SIDE_LABELS, *vocab.OPERATOR_HEADERS, *vocab.UNIT_HEADERS,
        *vocab.WEIGHT_HEADERS,
    }
    return tuple(sorted(words))


def snap_labels(table: Table) -> Table:
    """An OCR'd table with its label cells snapped to the form vocabulary
    (``correct``: one edit, two for long labels, unambiguous), so that a
    form whose 项目资金总额 read as 项目资金总静 still finds its amounts. A
    label is no value: the change carries no warning. Text-layer tables
    come back unchanged."""
    if table.method != "ocr":
        return table
    labels = form_labels()
    cells = []
    changed = False
    for c in table.cells:
        fixed, note = correct(c.text, labels) if c.confidence is not None and c.text else (c.text, None)
        if note:
            c = replace(c, text=fixed)
            changed = True
        cells.append(c)
    return replace(table, cells=tuple(cells)) if changed else table


_DATE_CHARS = regex.compile(r"^\s*(\d{4})[^\d]{0,2}(\d{1,2})[^\d]{0,2}(\d{1,2})\s*$")
_DATE_RUN = regex.compile(r"^\s*(\d{4})[^\d]{0,2}(\d{2})(\d{2})\s*$")


def date_text(text: str) -> tuple[str, str | None]:
    """An OCR'd date cell as yyyy-mm-dd when its digits say so: on a fax a
    hyphen reads as "·" or ":" or is lost ("2023-12·31", "2023-1231").
    Returns (text, note or None)."""
    m = _DATE_CHARS.match(text) or _DATE_RUN.match(text)
    if not m:
        return text, None
    fixed = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if "".join(text.split()) == fixed or not (1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31):
        return text, None
    return fixed, f"OCR date {text!r} read as {fixed}"


# --- amounts: the printed money format and the funds identities -----------------
#
# Funds are printed as money, "1,234,567.89": thousands groups and two decimals.
# OCR confuses the separators (a decimal point under a seal read as a comma,
# a faint comma read as a blank or a dot), which changes the number by a factor
# of 100 or drops it. And a form's funds obey identities: 项目资金总额 =
# 财政资金 + 其他资金, 年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金.

_MONEY_CHARS = regex.compile(r"^\d[\d,，.·\s]*$")
_GROUPS = regex.compile(r"\d+")
FUNDS_IDENTITIES = (
    ("total", ("total_fiscal", "total_other")),
    ("annual_request", ("annual_appropriation", "annual_carryover", "annual_other")),
)
PLAUSIBLE_MAX_YUAN = 1e11  # no single project's funds reach 1000 亿元: more is merged digits (a seal's code)
AMOUNT_EDITS = 2  # digits an identity may restore in one amount
TOLERANCE_YUAN = 0.01


def money_text(text: str) -> tuple[str, str | None]:
    """An amount read by OCR, with its separators put back where the money
    format puts them: "473,400,00" / "720 000.00" / "720.000.00" ->
    "473,400.00" / "720,000.00". Changed only when the digits fall into
    thousands groups and two decimals exactly; else (text, None)."""
    t = text.strip()
    if not t or not _MONEY_CHARS.match(t):
        return text, None
    groups = _GROUPS.findall(t)
    if len(groups) < 2 or len(groups[-1]) != 2:
        return text, None
    head, *middle = groups[:-1]
    if middle and (len(head) > 3 or any(len(g) != 3 for g in middle)):
        return text, None
    fixed = ",".join([head, *middle]) + "." + groups[-1]
    if fixed == t:
        return text, None
    if _plain(t) == fixed.replace(",", ""):
        return fixed, None  # the same number, printed with blanks: no warning
    return fixed, f"OCR amount {text!r} read as {fixed!r} (money format: thousands groups, two decimals)"


def _plain(t: str) -> str:
    return "".join(t.split()).replace(",", "").replace("，", "")


def _digits(v: float) -> str:
    return f"{v:.2f}".replace(".", "")


def reconcile_funds(
    values: dict[str, float | None], texts: dict[str, str] | None = None
) -> tuple[dict[str, float | None], list[str]]:
    """Amounts an identity pins down: where a form's funds do not add up and
    exactly one amount, replaced by what the others make it, differs from
    what was read by at most AMOUNT_EDITS digits (or was implausibly large),
    that amount is corrected, with a warning. A tie goes to the value printed
    elsewhere in the form too. An amount printed (``texts``) but unreadable
    is what the others make it, when they are all read. Nothing else changes."""
    out = dict(values)
    notes: list[str] = []
    for total, parts in FUNDS_IDENTITIES:
        names = (total, *parts)
        missing = [n for n in names if out.get(n) is None]
        if len(missing) == 1 and texts and (texts.get(missing[0]) or "").strip() and missing[0] in out:
            name = missing[0]
            known = sum(out[p] or 0.0 for p in parts if p != name)
            implied = round(known if name == total else (out[total] or 0.0) - known, 2)
            if implied >= 0:
                notes.append(f"OCR amount funds.{name} {texts[name]!r} unreadable: taken as {implied:,.2f} (the funds identity)")
                out[name] = implied
            continue
        if missing:
            continue
        t = out[total] or 0.0
        s = sum(out[p] or 0.0 for p in parts)
        if abs(t - s) <= TOLERANCE_YUAN:
            continue
        candidates: list[tuple[int, str, float]] = []
        for name in names:
            read = out[name] or 0.0
            implied = s if name == total else t - (s - read)
            if implied < 0:
                continue
            implied = round(implied, 2)
            near = edit_distance(_digits(read), _digits(implied), AMOUNT_EDITS) <= AMOUNT_EDITS
            if near or read > PLAUSIBLE_MAX_YUAN >= implied:
                elsewhere = sum(1 for k, v in out.items() if k != name and v is not None and abs(v - implied) <= TOLERANCE_YUAN)
                candidates.append((elsewhere, name, implied))
        if not candidates:
            continue
        candidates.sort(reverse=True)
        if len(candidates) > 1 and candidates[1][0] == candidates[0][0]:
            continue  # two amounts could be the misread one: leave both, the sum warning stays
        _, name, implied = candidates[0]
        notes.append(f"OCR amount funds.{name} {out[name]:,.2f} corrected to {implied:,.2f} (the funds identity {total} = {' + '.join(parts)})")
        out[name] = implied
    for name, v in out.items():
        if v is not None and v > PLAUSIBLE_MAX_YUAN:
            notes.append(f"funds.{name} {v:,.2f} is implausibly large (OCR merged digits?)")
    return out, notes
