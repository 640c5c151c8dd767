"""values.py writes a unit as (?:PFX??BASE|PFX), the unit words once, where
it wrote (?:BASE|PFX BASE|PFX): QUANTITY_RE and UNIT_RE match what the
written-out patterns (built here as values.py built them) matched, on every
string of the gold and expected fixtures (values, names, labels), folded and
unspaced as parse_value sees them, and on strings of the patterns' own words."""

from __future__ import annotations

import json
import random
from pathlib import Path

import regex

from jixiao.normalize import values
from jixiao.normalize.vocab import values as V

FIXTURES = Path(__file__).parent / "fixtures"


def _written_out() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    one = rf"(?:{values._BASE}|{values._PFX}{values._BASE}|{values._PFX})"
    unit = rf"{one}(?:[{''.join(V.UNIT_JOINERS)}]{one})*"
    full = rf"{unit}(?:{values._OPEN}{unit}{values._CLOSE})?"
    spec = rf"(?:(?P<§_g>{full})|{values._OPEN}(?P<§_b>{values._NOT_BRACKET}\d]{{1,8}}){values._CLOSE})"
    token = rf"(?:{values._PCT}|{values._ARABIC}|{values._CN})(?:{spec})?"
    quantity = token.replace("§", "lo") + rf"(?:{values._RANGE_SEP}" + token.replace("§", "hi") + ")?"
    return regex.compile(quantity), regex.compile(full)


def _strings() -> set[str]:
    found: set[str] = set()

    def walk(v: object) -> None:
        if isinstance(v, str):
            found.add(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for f in sorted([*FIXTURES.glob("gold/*.json"), *FIXTURES.glob("expected/*.json")]):
        walk(json.loads(f.read_text(encoding="utf-8")))
    return found | {s.translate(values._FOLD) for s in found} | {values._SPACE_RE.sub("", s) for s in found}


def _made_up(n: int) -> list[str]:
    """Strings of numbers, units, prefixes, joiners, brackets and separators."""
    rng = random.Random(13)
    words = [*V.UNITS, *V.LATIN_UNITS, *V.UNIT_PREFIXES, *V.UNIT_JOINERS, *V.RANGE_SEPARATORS, *V.CN_MEASURE_WORDS,
             *V.OPEN_BRACKETS, *V.CLOSE_BRACKETS, *V.CN_DIGITS, "95", "1,000", "3.5", "%", "≥", "x", "A", " "]  # fmt: skip
    return ["".join(rng.choice(words) for _ in range(rng.randint(1, 7))) for _ in range(n)]


def test_patterns_match_what_the_written_out_ones_matched() -> None:
    quantity, unit = _written_out()
    assert len(values.QUANTITY_RE.pattern) * 3 < len(quantity.pattern) * 2  # the point: smaller to compile
    names = list(quantity.groupindex)
    assert names == list(values.QUANTITY_RE.groupindex)
    strings = sorted(_strings()) + _made_up(20000)
    assert len(strings) > 23000  # 3,000 from the fixtures
    for s in strings:
        got = [(m.span(), m.groups()) for m in values.QUANTITY_RE.finditer(s)]
        assert got == [(m.span(), m.groups()) for m in quantity.finditer(s)], s
        for i in range(len(s)):
            a, b = values.UNIT_RE.match(s, i), unit.match(s, i)
            assert (a and a.span()) == (b and b.span()), (s, i)
            if len(s) - i <= 12:
                assert bool(values.UNIT_RE.fullmatch(s, i)) == bool(unit.fullmatch(s, i)), (s, i)


def test_prefix_then_unit_order_is_kept() -> None:
    """Where the order of the choices shows: a prefix that starts a longer
    one (千, 千万) and a unit that begins with the rest (万元), words made up.
    The lazy form takes what the written-out one takes; the tempting
    (?:BASE|PFX(?:BASE)?) does not (it tries 千万 alone before 千 + 万元)."""
    base, pfx = "(?:万元)", "(?:千万|千)"
    written = regex.compile(rf"(?:{base}|{pfx}{base}|{pfx})")
    lazy = regex.compile(rf"(?:{pfx}??{base}|{pfx})")
    tempting = regex.compile(rf"(?:{base}|{pfx}(?:{base})?)")
    spans = [[(m and m.span()) for m in (p.match(s) for s in ("千万元", "千万万元", "千万", "千", "万元", "元"))]
             for p in (written, lazy, tempting)]  # fmt: skip
    assert spans[0] == spans[1] != spans[2]
    assert spans[0][0] == (0, 3) and spans[2][0] == (0, 2)
