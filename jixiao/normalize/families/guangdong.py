"""Guangdong: a wide table whose 绩效指标 column holds every indicator of a
project in one serialized cell:

    1.1－产出指标，11－数量指标，<名称>；实施周期指标值：≦…，年度指标值：≦…；2、2－效益指标，22－社会效益，…

Each item is "<n>、<一级 code>－<一级>，<二级 code>－<二级>，<三级>；" followed by
one value per horizon ("实施周期指标值" -> period, "年度指标值" -> annual); the
item numbers restart at will, so items are split where a number is followed by
a level code. One row per indicator and horizon, in printed order.
"""

from __future__ import annotations

import regex

from .. import vocab
from . import common

_DIGITS_DOTS_BLANKS = regex.compile(r"[\d.\s]")

_D = regex.escape(vocab.SERIAL_CODE_DASHES)
_F = regex.escape(vocab.SERIAL_FIELD_SEPARATORS)
_S = regex.escape(vocab.SERIAL_SEPARATORS)
_M = regex.escape(vocab.SERIAL_ITEM_MARKS)
# An item starts at "<n>、" (or "<n>.") right before "<code>－<name>，<code>－": after
# a separator as a rule, but also straight after a marker whose value the form
# left empty ("年度指标值：7、2－效益指标，…").
_ITEM_START = common.SERIAL_ITEM_START
_ITEM = regex.compile(
    rf"^(\d)\s*[{_D}]\s*([^{_F}]*?)\s*[{_F}]\s*(\d{{2}})\s*[{_D}]\s*([^{_F}]*?)\s*[{_F}]\s*(.*)$", regex.S
)
# "实施周期指标值：" -- the colon is sometimes left out ("年度指标值》90%"), and the
# subscript of a name printed before it (PM₂.₅) may land inside the word when
# the text layer is read ("实施周期指标2.5 值"): such a fragment is skipped.
_OUT_OF_LINE = r"(?:[\d.]+\s?)?"
_MARKER = regex.compile(
    "("
    + "|".join(
        _OUT_OF_LINE.join(regex.escape(ch) for ch in m)
        for m in sorted(vocab.SERIAL_HORIZON_MARKERS, key=len, reverse=True)
    )
    + r")\s*[:：]?"
)


def _marker_horizon(text: str) -> str:
    word = _DIGITS_DOTS_BLANKS.sub("", text)
    return vocab.SERIAL_HORIZON_MARKERS[word]


_TRAIL_NAME = f" \t{vocab.SERIAL_SEPARATORS}{vocab.SERIAL_FIELD_SEPARATORS}。"
_TRAIL_VALUE = f" \t{vocab.SERIAL_SEPARATORS}{vocab.SERIAL_FIELD_SEPARATORS}"


def parse_serialized(text: str) -> list[tuple[str, str, str, str, str]]:
    """The serialized cell -> (level1, level2, level3, horizon, value_raw) per indicator and horizon."""
    t = "".join(text.split("\n")).strip()
    starts = list(_ITEM_START.finditer(t))
    out: list[tuple[str, str, str, str, str]] = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(t)
        item = t[m.end() : end].strip().rstrip(vocab.SERIAL_SEPARATORS)
        im = _ITEM.match(item)
        if im is None:
            out.append(("", "", item.strip(), "annual", ""))
            continue
        level1, level2, rest = im.group(2).strip(), im.group(4).strip(), im.group(5)
        markers = list(_MARKER.finditer(rest))
        if not markers:
            out.append((level1, level2, rest.strip(_TRAIL_NAME), "annual", ""))
            continue
        name = rest[: markers[0].start()].strip(_TRAIL_NAME)
        for j, mk in enumerate(markers):
            stop = markers[j + 1].start() if j + 1 < len(markers) else len(rest)
            value = rest[mk.end() : stop].strip().rstrip(_TRAIL_VALUE).strip()
            out.append((level1, level2, name, _marker_horizon(mk.group(1)), value))
    return out
