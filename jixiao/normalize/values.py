"""Indicator values (指标值) -> ParsedValue: operator, number(s), unit or label.

The grammar (see shared/gold/README.md, "Value rules"): a value is numeric when
its text holds exactly one quantity -- an optional operator, a number (or a
range), an optional unit -- whatever words surround it. No quantity, several
quantities, or a date/deadline make it a qualitative label. The Chinese words
all come from ``vocab.values``; this module only assembles them into patterns.

Matching runs on a *compacted* copy of the text: white space removed (PDF
extraction splits "9 0 %" and "≥95 (%)") and full-width digits folded. Folding
is one character for one character, so a unit is sliced from the compacted but
unfolded text and keeps its printed form (台（套）, ％).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import regex

from .vocab import values as V

_DIGIT = regex.compile(r"\d")  # compiled once: a pattern string is looked up on every call

WARN_NAME_UNIT = "unit taken from the indicator name"
WARN_APPROX = "approximate value (约); kept without an operator"
WARN_SEVERAL = "more than one quantity; kept as label"
WARN_UNREAD = "digits but no readable quantity; kept as label"
WARN_REVERSED = "range bounds in reverse order"


@dataclass(frozen=True)
class ParsedValue:
    kind: str  # "numeric" | "qualitative" | "empty"
    operator: str | None  # ">=", "<=", "=", ">", "<", "range", or None
    value: float | None  # number (lower bound of a range)
    value_max: float | None  # upper bound of a range, else None
    unit: str | None  # unit as printed
    label: str | None  # qualitative text, else None
    warnings: tuple[str, ...] = ()


EMPTY = ParsedValue("empty", None, None, None, None, None)


def _alt(words) -> str:
    """Alternation of literal words, longest first so 不低于 beats 低于."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


# Full-width digits and decimal point -> ASCII. Length-preserving on purpose.
_FOLD = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"．": "."})

# --- units ---------------------------------------------------------------------
_BASE = rf"(?:{_alt(V.UNITS)}|(?:{_alt(V.LATIN_UNITS)})(?![A-Za-z]))"
_PFX = rf"(?:{_alt(V.UNIT_PREFIXES)})"
# (?:PFX??BASE|PFX) is (?:BASE|PFX BASE|PFX) with BASE (the unit words)
# written once: the lazy ?? tries BASE alone first, then each prefix before
# it, then a prefix alone: the same choices in the same order. Written out,
# BASE was 16 times in QUANTITY_RE (7 KB, compiled at every start).
# tests/test_values_patterns.py compares the two on the fixtures' strings.
_ONE_UNIT = rf"(?:{_PFX}??{_BASE}|{_PFX})"
_UNIT = rf"{_ONE_UNIT}(?:[{''.join(V.UNIT_JOINERS)}]{_ONE_UNIT})*"
# A glued unit may carry a bracketed qualifier that is itself a unit (台（套）,
# 万（条）); a unit printed only in brackets is taken as printed ("(人数)").
# "§" in the token templates below is replaced by the side ("lo"/"hi") of a range.
_OPEN, _CLOSE = f"[{V.OPEN_BRACKETS}]", f"[{V.CLOSE_BRACKETS}]"
_NOT_BRACKET = f"[^{V.OPEN_BRACKETS}{V.CLOSE_BRACKETS}"
_UNIT_FULL = rf"{_UNIT}(?:{_OPEN}{_UNIT}{_CLOSE})?"
_UNIT_SPEC = rf"(?:(?P<§_g>{_UNIT_FULL})|{_OPEN}(?P<§_b>{_NOT_BRACKET}\d]{{1,8}}){_CLOSE})"
UNIT_RE = regex.compile(_UNIT_FULL)

# --- numbers --------------------------------------------------------------------
_CN_CHARS = "".join(V.CN_DIGITS) + "".join(V.CN_MULTIPLIERS)
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# A number glued to Latin letters is part of a name (PM2.5, O3, 5G), not a quantity.
_ARABIC = rf"(?<![A-Za-z\d.{V.ORDINAL_PREFIX}])(?P<§_n>{_NUM})"
_PCT = rf"{V.CN_PERCENT}(?P<§_p>[{_CN_CHARS}]+(?:{V.CN_DECIMAL_POINT}[{_CN_CHARS}]+)?|{_NUM})"
_CN = (
    rf"(?<![{V.ORDINAL_PREFIX}])(?P<§_c>[{_CN_CHARS}]+)"
    rf"(?=(?:{_alt(V.CN_MEASURE_WORDS)})(?![{V.CN_MEASURE_FALSE_FOLLOWERS}]))"
)
_TOKEN = rf"(?:{_PCT}|{_ARABIC}|{_CN})(?:{_UNIT_SPEC})?"
_RANGE_SEP = rf"(?:{_alt(V.RANGE_SEPARATORS)})"
QUANTITY_RE = regex.compile(_TOKEN.replace("§", "lo") + rf"(?:{_RANGE_SEP}" + _TOKEN.replace("§", "hi") + ")?")

# --- operators ------------------------------------------------------------------
_SYMBOL_BEFORE_RE = regex.compile(rf"(?:{_alt(V.OPERATOR_SYMBOLS)})\Z")
_WORD_BEFORE_RE = regex.compile(
    rf"(?P<op>{_alt(V.OPERATOR_WORDS_BEFORE)})\p{{Han}}{{0,{V.OPERATOR_WORD_GAP}}}\Z"
)
# A one-character trailing word (内) counts only at the end of a phrase, so 内容 is no operator.
_WORD_AFTER_RE = regex.compile(
    "|".join(
        regex.escape(w) + (r"(?!\p{Han})" if len(w) == 1 else "")
        for w in sorted(V.OPERATOR_WORDS_AFTER, key=len, reverse=True)
    )
)
_APPROX_RE = regex.compile(rf"(?:{_alt(V.APPROX_WORDS)})\Z")

# --- dates -------------------------------------------------------------------------
_DSEP = f"[{regex.escape(''.join(V.DATE_SEPARATORS))}]"
_DAY = f"[{''.join(V.DAY_WORDS)}]"
_YEAR = r"(?<![\d.,])(?:19|20)\d{2}"  # year-like: 19xx/20xx, not inside a longer number
_DATE_FOLLOW = rf"(?:\Z|{_RANGE_SEP}|[{regex.escape(V.DATE_FOLLOWERS)}])"
DATE_RE = regex.compile(
    "|".join(
        (
            # 2026年, 2024年11月底前
            rf"{_YEAR}{V.YEAR_WORD}",
            # 2023.07-2024.01, 2026/6/1, 2023-12-31
            rf"{_YEAR}{_DSEP}(?:0?[1-9]|1[0-2])(?:{_DSEP}(?:0?[1-9]|[12]\d|3[01]))?(?!\d)(?={_DATE_FOLLOW})",
            # 12月31日, 12月底, 3月份
            rf"(?<![\d.])\d{{1,2}}{V.MONTH_WORD}(?:\d{{1,2}}{_DAY}|{_alt(V.MONTH_SUFFIXES)})",
            # 每月10日前
            rf"(?<![\d.])\d{{1,2}}{_DAY}(?:{_alt(V.DEADLINE_SUFFIXES)})",
            # 二〇二三年
            rf"[{V.CN_YEAR_DIGITS}]{{4}}{V.YEAR_WORD}",
        )
    )
)


def _cn_number(text: str) -> float:
    """Simple Chinese numerals: 十二 -> 12, 一百零五 -> 105, 二〇二三 -> 2023, 九十五点五 -> 95.5."""
    whole, _, frac = text.partition(V.CN_DECIMAL_POINT)
    if not any(ch in V.CN_MULTIPLIERS for ch in whole):
        # Digit by digit, as in 二〇二三.
        n = int("".join(str(V.CN_DIGITS[ch]) for ch in whole) or "0")
    else:
        n = current = 0
        for ch in whole:
            if ch in V.CN_MULTIPLIERS:
                n += (current or 1) * V.CN_MULTIPLIERS[ch]
                current = 0
            else:
                current = V.CN_DIGITS[ch]
        n += current
    if frac:
        return float(f"{n}.{''.join(str(V.CN_DIGITS.get(ch, 0)) for ch in frac)}")
    return float(n)


def _float(digits: str) -> float:
    """A matched number as a float; NaN (read as "no quantity" by the caller)
    for digits of a script newer than Python's Unicode tables, which ``\\d``
    matches but ``float`` cannot convert."""
    try:
        return float(digits.replace(",", ""))
    except ValueError:
        return math.nan


def _number(m: regex.Match, side: str) -> tuple[float, str | None]:
    """(value, implied unit) of one side of a quantity match."""
    if m.group(f"{side}_n") is not None:
        return _float(m.group(f"{side}_n")), None
    pct = m.group(f"{side}_p")
    if pct is not None:
        value = _float(pct) if pct[0].isdigit() else _cn_number(pct)
        return value, V.CN_PERCENT_UNIT
    return _cn_number(m.group(f"{side}_c")), None


def _unit(m: regex.Match, side: str, printed: str) -> str | None:
    """The unit of one side, sliced from the unfolded text to keep its printed form."""
    for kind in "gb":
        if m.group(f"{side}_{kind}") is not None:
            start, end = m.span(f"{side}_{kind}")
            return printed[start:end]
    return None


def _infix(after: str) -> str | None:
    """10余次: a word between the number and its unit that makes it a lower bound."""
    for w in V.OPERATOR_WORDS_INFIX:
        if after.startswith(w) and len(after) > len(w):
            return w
    return None


def _open_unit(unit: str | None, tail: str) -> str | None:
    """Units are an open set: a short tail at the end of the value, after the
    number or carrying a known unit on, is (part of) the unit: ≥5亿美元,
    ≤100元/人.天, ≥90百分比, =365天数. A tail that reads as words is not."""
    if any(ch.isdigit() for ch in tail) or any(ch in V.OPEN_UNIT_BREAKS for ch in tail):
        return unit
    if any(tail.startswith(w) for w in V.OPEN_UNIT_STOP_WORDS) or any(ch.isspace() for ch in tail):
        return unit
    if tail[-1] in V.OPEN_UNIT_JOINERS:
        return unit  # "95%." : a full stop, not a unit
    if unit is None:
        return tail if len(tail) <= V.OPEN_UNIT_MAX else None
    carried = tail[0] in V.OPEN_UNIT_JOINERS or unit in V.UNIT_PREFIXES or len(tail) == 1
    return unit + tail if carried and len(tail) <= V.OPEN_UNIT_MAX + 2 else unit


def _name_unit(indicator_name: str) -> str | None:
    """A unit printed in brackets at the end of the indicator name (调解补贴（元/件）)."""
    m = regex.search(rf"{_OPEN}\s*({_NOT_BRACKET}]{{1,12}}?)\s*{_CLOSE}\s*\Z", indicator_name or "")
    if m and UNIT_RE.fullmatch(_SPACE_RE.sub("", m.group(1))):
        return m.group(1)
    return None


_SPACE_RE = regex.compile(r"\s+")
_NUMBER_RUN_RE = regex.compile(r"[\d.,]+")


def _compact(text: str) -> str:
    """Drop white space, except between two numbers that cannot be one.

    Extraction splits digits ("9 0 %" is 90 %), so spaces between digits go too,
    unless joining would give a number with two decimal points (a row of
    amounts, "13.40 0.00 13.40"): there one space stays, as a separator.
    The digit runs around each space come from one pass over the text (looking
    back from every space would make a long cell quadratic).
    """
    ends: dict[int, str] = {}
    starts: dict[int, str] = {}
    for run in _NUMBER_RUN_RE.finditer(text):
        ends[run.end()] = starts[run.start()] = run.group()

    def space(m: regex.Match) -> str:
        left, right = ends.get(m.start(), ""), starts.get(m.end(), "")
        return " " if left and right and (left + right).count(".") > 1 else ""

    return _SPACE_RE.sub(space, text)


def _qualitative(label: str, *warnings: str) -> ParsedValue:
    return ParsedValue("qualitative", None, None, None, None, label, tuple(warnings))


def _operator(before: str, after: str) -> tuple[str | None, list[str]]:
    """Operator from the text right before / right after the quantity."""
    m = _SYMBOL_BEFORE_RE.search(before)
    opening = V.SYMBOL_CLOSING_MARKS.get(m.group()) if m else None
    if m and not (opening and opening in before):
        return V.OPERATOR_SYMBOLS[m.group()], []
    m = _WORD_BEFORE_RE.search(before)
    if m:
        return V.OPERATOR_WORDS_BEFORE[m.group("op")], []
    if _APPROX_RE.search(before):
        return None, [WARN_APPROX]
    m = _WORD_AFTER_RE.match(after)
    if m:
        return V.OPERATOR_WORDS_AFTER[m.group()], []
    return None, []


def parse_value(raw: str, indicator_name: str = "") -> ParsedValue:
    """Parse one printed indicator value; anything unreadable stays a label.

    No exception is swallowed here: the grammar itself must handle every text
    (the property tests feed it arbitrary text), and a bug must show.
    """
    if not isinstance(raw, str):
        return EMPTY
    return _parse(raw, indicator_name if isinstance(indicator_name, str) else "")


def _parse(raw: str, indicator_name: str) -> ParsedValue:
    label = (raw or "").strip()
    if not label:
        return EMPTY
    printed = _compact(label)
    work = printed.translate(_FOLD)
    has_digits = bool(_DIGIT.search(work))

    if DATE_RE.search(work):
        return _qualitative(label)
    quantities = list(QUANTITY_RE.finditer(work))
    if len(quantities) != 1:
        if len(quantities) > 1:
            return _qualitative(label, WARN_SEVERAL)
        return _qualitative(label, *([WARN_UNREAD] if has_digits else []))

    m = quantities[0]
    warnings: list[str] = []
    value, implied = _number(m, "lo")
    unit = _unit(m, "lo", printed) or implied
    value_max = None
    if m.group("hi_n") is not None or m.group("hi_p") is not None or m.group("hi_c") is not None:
        value_max, hi_implied = _number(m, "hi")
        # 90-95%: the unit printed once, after the upper bound, belongs to both.
        unit = _unit(m, "hi", printed) or hi_implied or unit
        operator: str | None = "range"
        if value_max < value:
            warnings.append(WARN_REVERSED)
    else:
        before = work[: m.start()]
        if before[-1:] in V.MINUS_SIGNS and (len(before) == 1 or _SYMBOL_BEFORE_RE.search(before[:-1])):
            value, before = -value, before[:-1]
        after = printed[m.end() :]
        infix = _infix(after) if unit is None else None
        if infix is not None:
            operator, after = V.OPERATOR_WORDS_INFIX[infix], after[len(infix) :]
            known = UNIT_RE.match(after)
            unit = after[: known.end()] if known else None
            after = after[known.end() :] if known else after
        else:
            operator, op_warnings = _operator(before, work[m.end():])
            warnings += op_warnings
        if after and (operator is None or infix is not None or not _WORD_AFTER_RE.match(after)):
            unit = _open_unit(unit, after)

    if not all(math.isfinite(v) for v in (value, value_max) if v is not None):
        return _qualitative(label, WARN_UNREAD)  # hundreds of digits: not a target value
    if unit is None:
        unit = _name_unit(indicator_name)
        if unit is not None:
            warnings.append(WARN_NAME_UNIT)
    return ParsedValue("numeric", operator, value, value_max, unit, None, tuple(warnings))

