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

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache

import regex

from ..extract.model import Table
from . import vocab
from .vocab import key
from .vocab.values import OPERATOR_SYMBOLS, RATE_NAME_ENDINGS

DOUBTFUL_BELOW = 0.9  # mean character probability of the worst line in a cell
MIN_LENGTH = 3  # shorter labels are never changed: one edit would be a third of them
LONG_LABEL = 8  # from this length on, two edits may be corrected
CLEAR_FROM = 5  # a label this long, one edit nearer to an entry than to any other, is that entry
CONFIRMED_LONG_LABEL = 6  # ... or this, when the form around the label confirms the reading


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


def correct(
    text: str, vocabulary: Sequence[str], meaning: Mapping[str, str] | None = None
) -> tuple[str, str | None]:
    """``text`` snapped to the one vocabulary entry it unambiguously misspells
    (entries of the same ``meaning``, synonyms such as 主管部门/主管单位, do
    not make it ambiguous: the nearest of them is taken).

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
    # Unambiguous: any other reading must be further away, by two edits for a
    # short label (one edit is a large share of it), by one from CLEAR_FROM on.
    margin = 1 if len(k) >= CLEAR_FROM else 2
    sense = meaning.get(entry, entry) if meaning else entry
    rivals = [v for d, v in scored[1:] if d < best + margin and (meaning.get(v, v) if meaning else v) != sense]
    if rivals:
        return text, None
    return entry, f"OCR text {text!r} read as {entry!r} ({best} character{'s' if best > 1 else ''} differ)"


def near_entries(text: str, vocabulary: Sequence[str], long_label: int = LONG_LABEL) -> tuple[str, ...]:
    """The entries ``text`` may misspell: those within the edits ``correct``
    allows (two from ``long_label`` characters on) and no more than one edit
    further than the nearest."""
    k = key(text)
    if len(k) < MIN_LENGTH:
        return ()
    allowed = 2 if len(k) >= long_label else 1
    scored = [(edit_distance(k, key(v), allowed + 1), v) for v in vocabulary]
    best = min((d for d, _ in scored), default=allowed + 1)
    return tuple(v for d, v in scored if d <= allowed and d < best + 2) if best <= allowed else ()


def snap_levels(rows: Sequence[tuple[str, str, int, bool]]) -> list[tuple[str, str, list[str]]]:
    """A form's OCR'd 一级/二级 labels, each row (level1, level2, page, read by
    OCR), snapped to the vocabulary: alone where that is unambiguous
    (``correct``, looking past specks); else by the form around them. A 二级
    stands under one 一级 (``vocab.LEVEL2_PARENTS``): 欢益指标 over 社会效益指标
    is 效益指标, not 成本指标. And of two 二级 names equally near under the same
    一级 (效量指标: 数量 or 质量), one that another cell of that 一级 prints on
    the same page is not it: one cell gives one text, so a different text on
    the same page is another cell, another 二级. Returns (level1, level2,
    notes) per row; rows not read by OCR come back as they are."""
    names = (vocab.LEVEL1_NAMES, vocab.LEVEL2_NAMES)
    out = [[l1, l2] for l1, l2, _, _ in rows]  # per row: level1, level2
    notes: list[list[str]] = [[] for _ in rows]
    open_: list[tuple[int, int]] = []  # (row, level) left ambiguous alone
    for i, (l1, l2, _, ocr) in enumerate(rows):
        if not ocr:
            continue
        for lv, text in enumerate((l1, l2)):
            fixed, note = _alone(text, names[lv])
            out[i][lv] = fixed
            if note:
                notes[i].append(note)
            elif text and fixed not in names[lv]:
                open_.append((i, lv))
    for _ in range(2):  # a 一级 resolved by its 二级 may resolve another row's 二级
        for i, lv in list(open_):
            text = out[i][lv]
            # The form confirms the reading: two edits are allowed a label shorter than LONG_LABEL.
            # What strip_marks takes off may be a misread glyph of the label, not a
            # speck (经济化本指ト: its ト is 标): the text as read is weighed too.
            near = [e for e in near_entries(strip_marks(text), names[lv], CONFIRMED_LONG_LABEL) if e != text]
            near = near or [e for e in near_entries(text, names[lv], CONFIRMED_LONG_LABEL) if e != text]
            other = out[i][1 - lv]
            if lv == 0 and other in vocab.LEVEL2_PARENTS:
                near = [e for e in near if e in vocab.LEVEL2_PARENTS[other]]
            elif lv == 1 and other in names[0]:
                near = [e for e in near if other in vocab.LEVEL2_PARENTS.get(e, ())]
                page = rows[i][2]
                printed = {
                    out[j][1] for j in range(len(rows)) if rows[j][2] == page and out[j][0] == other and rows[j][1] != rows[i][1]
                }
                near = [e for e in near if e not in printed] if len(near) > 1 else near
            else:
                continue
            if len(near) == 1:
                out[i][lv] = near[0]
                notes[i].append(f"OCR text {text!r} read as {near[0]!r} (the 一级/二级 it stands with)")
                open_.remove((i, lv))
    return [(a, b, n) for (a, b), n in zip(out, notes)]


def _alone(text: str, vocabulary: Sequence[str]) -> tuple[str, str | None]:
    fixed, note = correct(text, vocabulary)
    if fixed not in vocabulary:  # specks read around the words ("n,产出指标")
        bare, bare_note = correct(strip_marks(text), vocabulary)
        if bare in vocabulary:
            return bare, bare_note or f"OCR text {text!r} read as {bare!r} (marks around it dropped)"
    return fixed, note


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
        *vocab.WEIGHT_HEADERS, *vocab.TEMPLATE_2015_HEADERS,
        # Headers read and left aside are words of the form all the same: a
        # printed 指标值内容 is not a misread 指标内容.
        *vocab.WIDE_IGNORED_HEADERS,
    }
    return tuple(sorted(words))


@cache
def label_meanings() -> dict[str, str]:
    """What each label of ``form_labels`` stands for: synonyms (主管部门,
    主管单位, 部门名称) share one meaning, so that a misread one is not
    ambiguous between them."""
    out: dict[str, str] = {}
    groups = {"department": vocab.DEPARTMENT_LABELS, "unit": vocab.UNIT_LABELS, "name": vocab.PROJECT_NAME_LABELS}
    for sense, words in groups.items():
        out.update((w, sense) for w in words)
    for name, table in (("header", vocab.HEADER_LABELS), ("goal", vocab.GOAL_LABELS)):
        for w, field in table.items():
            out.setdefault(w, f"{name}:{field}")
    return out


def snap_labels(table: Table) -> Table:
    """An OCR'd table with its label cells snapped to the form vocabulary
    (``correct``: one edit, two for long labels, unambiguous), so that a
    form whose 项目资金总额 read as 项目资金总静 still finds its amounts. A
    label is no value: the change carries no warning. Text-layer tables
    come back unchanged."""
    if table.method != "ocr":
        return table
    labels, meanings = form_labels(), label_meanings()
    cells = []
    changed = False
    for c in table.cells:
        fixed, note = snap_label(c.text, labels, meanings) if c.confidence is not None and c.text else (c.text, None)
        if note:
            c = replace(c, text=fixed)
            changed = True
        cells.append(c)
    return replace(table, cells=tuple(cells)) if changed else table


_BARS = set("一二三-—－_~")  # 一/二/三 as a fax breaks them ("--级指你" is 一级指标)


def snap_grid_headers(table: Table) -> Table:
    """An OCR'd indicator header row whose level headers came out garbled
    ("--级指你 | --板指标 | 二级指标", "一级指标 | 二级指标 | 一"), named by
    their places: the grid prints 一级 | 二级 | 三级 left of its value header,
    one cell each. Taken only when exactly three cells of that row left of a
    value header look like level headers (级 or 指标 in them, or bars), one
    of them reads as a level header already (or each reads 级指标, its
    numeral lost, one of them perhaps one edit off), and none runs down into the
    grid (a side label such as 年度绩效指标 does). Text-layer tables come back
    unchanged."""
    if table.method != "ocr":
        return table
    want = (vocab.LEVEL1_HEADER, vocab.LEVEL2_HEADER, vocab.LEVEL3_HEADERS[0])
    levels = {key(vocab.LEVEL1_HEADER), key(vocab.LEVEL2_HEADER), *map(key, vocab.LEVEL3_HEADERS)}
    values = {key(v) for v in vocab.VALUE_HEADERS}
    others = {key(v) for v in (*vocab.SIDE_LABELS, *vocab.OPERATOR_HEADERS, *vocab.UNIT_HEADERS, *vocab.WEIGHT_HEADERS)}
    renamed: dict[tuple[int, int], str] = {}
    for r in range(table.nrows):
        row = table.row_cells(r)
        value = next((c for c in row if key(c.text) in values), None)
        if value is None:
            continue
        cands = [c for c in row if c.col < value.col and c.rowspan == 1 and key(c.text) not in others]
        cands = [c for c in cands if _level_like(key(c.text))]
        lost = [_numeral_lost(key(c.text)) for c in cands]
        if len(cands) != 3 or not (
            any(key(c.text) in levels for c in cands)
            or all(lost)
            # two of them 级指标 and the third one edit from it (级指市)
            or (sum(lost) == 2 and all(_numeral_lost(key(c.text), edits=1) for c in cands))
        ):
            continue
        for c, name in zip(cands, want):
            k = key(c.text)
            if k != key(name) and not (name == want[2] and k in levels - {key(want[0]), key(want[1])}):
                renamed[(c.row, c.col)] = name
    if not renamed:
        return table
    cells = tuple(replace(c, text=renamed[(c.row, c.col)]) if (c.row, c.col) in renamed else c for c in table.cells)
    return replace(table, cells=cells)


def _numeral_lost(k: str, edits: int = 0) -> bool:
    """级指标 (``edits`` off) with at most a mark before it: a level header
    whose 一/二/三 a fax's threshold erased (thin bars), three of them side by side."""
    rest = k.lstrip("".join(_BARS) + ".·,'`")
    return len(k) <= 4 and edit_distance(rest, "级指标", edits + 1) <= edits


def _level_like(k: str) -> bool:
    # 级 or 指标 in it, bars, or a numeral and what is left of 级指标 (三行地).
    return bool(k) and ("级" in k or "指标" in k or (len(k) <= 3 and set(k) <= _BARS) or (k[0] in "一二三" and len(k) <= 4))


# What a fax's specks and rule stubs read as: dots, strokes, a stray letter.
# Not digits, brackets or units, which a label's own text may hold ("(元)").
_BRACKET_TAIL = regex.compile(r"^(.*?)\s*[(（][^)）]*[)）]?\s*\S?$", regex.S)
_SPECKS = regex.compile(r"^[\s.,:;·•'\"`\-_|!！，。：；、~^*a-zA-Z]*$")


def snap_label(text: str, labels: Sequence[str], meaning: Mapping[str, str] | None = None) -> tuple[str, str | None]:
    """``correct``, looking past specks read around a label on a fax
    (". :\n项目资金总静" is 项目资金总额). Digits, brackets and units around
    it are no specks: "项目资金(元)" keeps its unit."""
    fixed, note = correct(text, labels, meaning)
    if note or fixed in labels:
        return fixed, note
    head = _BRACKET_TAIL.match(text)
    if head and head[1].strip():  # "项目总自标 (2023年-2023年)": the label before its bracket
        fixed, note = snap_label(head[1], labels, meaning)
        return (fixed + text[head.end(1):], note) if note else (text, None)
    bare = strip_marks(text)
    marks = text.replace(bare, "", 1)
    if bare in labels and len(marks.strip()) == 1:  # "计划完成日期8": one stray mark, a speck
        return bare, f"OCR text {text!r} read as {bare!r} (a mark beside it dropped)"
    if bare == text or not _SPECKS.match(marks):
        return text, None
    if bare in labels:
        return bare, f"OCR text {text!r} read as {bare!r} (marks around it dropped)"
    fixed, note = correct(bare, labels, meaning)
    return (fixed, note) if note else (text, None)


# Letters OCR reads for digits ("2Q23"), taken as digits only in a cell that is
# otherwise digits and separators (a date or an amount by its label).
_DIGIT_LOOKALIKES = str.maketrans("OoQDIl|!SZB", "00001111528")
_LOOKS_NUMERIC = regex.compile(r"^[\s\d.,，:·\-/OoQDIl|!SZB\"'`]*$")
_DIGIT_GAP = regex.compile(r"(?<=\d) (?=\d)")
_DIGIT = regex.compile(r"\d")
# The marks specks read as at the ends of a cell (blanks included).
_MARKS = r"\s.·•,，:：;；'\"`_|~^*。、"
_TRAILING_MARKS = regex.compile(rf"[{_MARKS}]+$")
_LEADING_MARKS = regex.compile(rf"^[{_MARKS}]+")
# Specks read at the ends of a one-line cell ("·有效保障", "及时.", "=100.00(%) :",
# "=100.00(%) 8 8"): marks before the words, marks after them, lone digits after
# a closing bracket. A leading "-" before a number is a sign, and stays.
_SPECKS_BEFORE = regex.compile(rf"^[{_MARKS}\-]+(?=\p{{Han}})")
_SPECKS_AFTER = regex.compile(rf"(?<=[\p{{Han}})）%\d])[{_MARKS}]+$")
_DIGITS_AFTER_BRACKET = regex.compile(r"(?<=[)）])(?:\s+\d)+$")
# "(%)" as a fax reads it after a number: "(9%)", "(96)", "(9)", "%)", "±%)".
_PERCENT_TAIL = regex.compile(r"(?<=\d\s*)(?:[(（](?:9?%6?|96?)[)）]?|±?%[)）])$")


def _as_digits(text: str) -> str:
    """A cell of digits and separators with the letters OCR reads for digits
    made digits ("2Q23" -> "2023"); any other text as it is."""
    return text.translate(_DIGIT_LOOKALIKES) if _LOOKS_NUMERIC.match(text) else text


def trim_specks(text: str) -> str:
    """A one-line OCR'd cell without the specks read at its ends."""
    t = _DIGITS_AFTER_BRACKET.sub("", _SPECKS_AFTER.sub("", _SPECKS_BEFORE.sub("", text)))
    return t if t.strip() else text


# A unit's name (主管部门, 实施单位) holds no comma or colon between its words:
# one read there is a speck ("上，海市住房和城乡建设管理委员会").
_MARK_IN_NAME = regex.compile(r"(?<=\p{Han})\s*[,，.:：;；'\"`]\s*(?=\p{Han})")
UNIT_NAME_FIELDS = ("department", "implementing_unit")


def header_text(field: str, text: str) -> str:
    """An OCR'd one-line envelope field without the specks read into it."""
    t = trim_specks(text)
    return _MARK_IN_NAME.sub("", t) if field in UNIT_NAME_FIELDS else t


def value_text(text: str) -> tuple[str, str | None]:
    """An OCR'd target value with its specks trimmed and a misread percent
    bracket put back. Returns (text, note or None)."""
    t = trim_specks(text)
    m = _PERCENT_TAIL.search(t)
    if m and m[0] != "(%)":
        t = t[: m.start()] + "(%)"
        return t, f"OCR value {text!r} read as {t!r} (the percent unit's brackets)"
    return t, None


# A form prints its targets operator first ("=12.00(月)", "≥95(%)"). On a fax
# the top bar of "=" may be lost, leaving "-": no target value in the corpus
# starts with a minus sign (0 of 9,226), so on a form whose values mostly open
# with an operator, a dash before a number is that form's "=".
_OPERATOR_FIRST = regex.compile("|".join(regex.escape(s) for s in sorted(OPERATOR_SYMBOLS, key=len, reverse=True)))
_DASH_BEFORE_NUMBER = regex.compile(r"^[-－—–―]\s*(?=\d)")
OPERATOR_FORM_SHARE = 0.5  # of a form's values with a number, at least this share open with an operator


def dashes_as_equals(values: Sequence[str]) -> list[tuple[str, str | None]]:
    """A form's OCR'd values, each with a lone dash before its number read as
    "=" where the form's values open with operators. Returns (text, note or None)."""
    numeric = [v.strip() for v in values if _DIGIT.search(v)]
    opened = sum(1 for v in numeric if _OPERATOR_FIRST.match(v))
    if not numeric or opened < OPERATOR_FORM_SHARE * len(numeric):
        return [(v, None) for v in values]
    out: list[tuple[str, str | None]] = []
    for v in values:
        t = _DASH_BEFORE_NUMBER.sub("=", v.strip(), count=1)
        out.append((t, f"OCR value {v!r} read as {t!r} (an operator-first form's '=' without its top bar)") if t != v.strip() else (v, None))
    return out


# On a fax a small "%" after a number reads as a digit: 90% as "908", "904",
# 100% as "1008". A rate's target (完成率 ≥90%) is at most 100: a number over
# 100 that is a rate of 10..100 and one digit more, the digits a "%" is taken
# for, with no unit, is that rate in percent.
_PERCENT_AS_DIGIT = regex.compile(r"^(\D{0,2}?)\s*(\d{2,3})\s*([345689])\s*$")


def percent_as_digit(value: str, name: str) -> tuple[str, str | None]:
    """An OCR'd rate's target whose "%" was read as a digit, put back.
    Returns (text, note or None)."""
    m = _PERCENT_AS_DIGIT.match(value)
    if m is None or not name.strip().endswith(RATE_NAME_ENDINGS) or (m[1] and m[1].strip() not in OPERATOR_SYMBOLS):
        return value, None
    rate = int(m[2])
    if not 10 <= rate <= 100:
        return value, None
    t = f"{m[1].strip()}{m[2]}%"
    return t, f"OCR value {value!r} read as {t!r} (a rate over 100: its '%' taken for a digit)"


# On a fax the closing bracket of a name's unit, thin and last on its line,
# is lost: "提交审计报告和信息（篇". A bracket opened near the end and never
# closed is closed (the unit the value takes from the name is read again).
_UNCLOSED_TAIL = regex.compile(r"([(（])([^()（）]{1,8})$")
_CLOSING = {"(": ")", "（": "）"}


def close_unit_bracket(name: str) -> tuple[str, str | None]:
    """An OCR'd indicator name whose last bracket was never closed, closed.
    Returns (text, note or None)."""
    t = name.rstrip()
    m = _UNCLOSED_TAIL.search(t)
    if m is None:
        return name, None
    fixed = t + _CLOSING[m[1]]
    return fixed, f"OCR name {name!r} read as {fixed!r} (its unit's closing bracket lost)"


_DATE_CHARS = regex.compile(r"^\s*(\d{4})[^\d]{0,2}(\d{1,2})[^\d]{0,2}(\d{1,2})\s*$")
_DATE_RUN = regex.compile(r"^\s*(\d{4})[^\d]{0,2}(\d{2})(\d{2})\s*$")


def date_text(text: str) -> tuple[str, str | None]:
    """An OCR'd date cell as yyyy-mm-dd when its digits say so: on a fax a
    hyphen reads as "·" or ":" or is lost ("2023-12·31", "2023-1231").
    Returns (text, note or None)."""
    t = _TRAILING_MARKS.sub("", _DIGIT_GAP.sub("", _as_digits(text)))
    m = _DATE_CHARS.match(t) or _DATE_RUN.match(t)
    if not m:
        return text, None
    fixed = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if not (1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31):
        return text, None
    if "".join(text.split()) == fixed:
        return fixed, None  # the date, with a blank in it
    return fixed, f"OCR date {text!r} read as {fixed}"


# --- amounts: the printed money format and the funds identities -----------------
#
# Funds are printed as money, "1,234,567.89": thousands groups and two decimals.
# OCR confuses the separators (a decimal point under a seal read as a comma,
# a faint comma read as a blank or a dot), which changes the number by a factor
# of 100 or drops it. And a form's funds obey identities: 项目资金总额 =
# 财政资金 + 其他资金, 年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金.

_MONEY_CHARS = regex.compile(r"^\d[\d,，.·:\s]*$")
_LONE_DIGIT_AFTER = regex.compile(r"(?<=[.,·:]\d\d)\s+\d$")
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
    t = _LEADING_MARKS.sub("", _TRAILING_MARKS.sub("", _as_digits(text)))
    t = _LONE_DIGIT_AFTER.sub("", t)  # "720,000.00 4": a speck beside the amount read as a digit
    if not t or not _MONEY_CHARS.match(t):
        return text, None
    groups = _GROUPS.findall(t)
    if len(groups) < 2 or len(groups[-1]) != 2:
        return text, None
    head, *middle = groups[:-1]
    if middle and (len(head) > 3 or any(len(g) != 3 for g in middle)):
        return text, None
    fixed = ",".join([head, *middle]) + "." + groups[-1]
    if fixed == text.strip():
        return text, None
    if _plain(text) == fixed.replace(",", ""):
        return fixed, None  # the same number, printed with blanks: no warning
    return fixed, f"OCR amount {text!r} read as {fixed!r} (money format: thousands groups, two decimals)"


def digit_gaps(text: str) -> bool:
    """Blanks between an amount's digits where the money format puts no
    separator: '12 1 60' (a lost point?), not '720 000.00' (thousands)."""
    t = text.strip()
    return bool(_DIGIT_GAP.search(t)) and money_text(t)[0] == t


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
