"""Characters -> the text a reader reads in a cell.

Lines are grouped by the characters' vertical middle (digits and CJK from
different fonts sit at different baselines), ordered left to right; a line
break is kept only where the line ends short of the cell's wrap width (a hard
break), otherwise the lines are joined with nothing between them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from operator import attrgetter, itemgetter
from typing import NamedTuple

try:  # the per-glyph loops of glyphs_text and group_lines, compiled (pdfium_layer's helper)
    from . import _pdfium_fast as _native
except ImportError:  # installed without a C compiler: the loops here
    _native = None  # type: ignore[assignment]

# CJK Radicals Supplement look-alikes that NFKC leaves alone (the Kangxi block
# U+2F00-2FD5 and compatibility ideographs do decompose under NFKC).
RADICAL_LOOKALIKES = {
    "⺁": "厂", "⺇": "几", "⺌": "小", "⺍": "小", "⺎": "兀", "⺏": "尢", "⺐": "尢",
    "⺑": "尢", "⺒": "巳", "⺓": "幺", "⺔": "彑", "⺕": "彐", "⺖": "忄", "⺗": "心",
    "⺘": "扌", "⺙": "攵", "⺛": "旡", "⺜": "日", "⺝": "月", "⺞": "歺", "⺟": "母",
    "⺠": "民", "⺡": "氵", "⺢": "氺", "⺣": "灬", "⺤": "爫", "⺥": "爫", "⺦": "丬",
    "⺧": "牛", "⺨": "犭", "⺩": "王", "⺪": "疋", "⺫": "目", "⺬": "示", "⺭": "礻",
    "⺮": "竹", "⺯": "糸", "⺰": "纟", "⺱": "罒", "⺲": "罒", "⺳": "网", "⺴": "网",
    "⺵": "网", "⺶": "羊", "⺷": "羊", "⺸": "羊", "⺹": "耂", "⺺": "聿", "⺻": "聿",
    "⺼": "月", "⺽": "臼", "⺾": "艹", "⺿": "艹", "⻀": "艹", "⻁": "虎", "⻂": "衤",
    "⻃": "覀", "⻄": "西", "⻅": "见", "⻆": "角", "⻇": "角", "⻈": "讠", "⻉": "贝",
    "⻊": "足", "⻋": "车", "⻌": "辶", "⻍": "辶", "⻎": "辶", "⻏": "阝", "⻐": "金",
    "⻑": "長", "⻒": "镸", "⻓": "长", "⻔": "门", "⻕": "阝", "⻖": "阝", "⻗": "雨",
    "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻞": "食",
    "⻟": "食", "⻠": "饣", "⻡": "首", "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼",
    "⻦": "鸟", "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻪": "黾", "⻫": "齐", "⻬": "齐",
    "⻭": "齿", "⻮": "齿", "⻯": "龙", "⻰": "龙", "⻱": "龟", "⻲": "龟", "⻳": "龟",
}


def clean_char(ch: str) -> str:
    """Ideograph look-alikes -> the ideograph; everything else as printed.

    Full NFKC would also fold the full-width punctuation (，；：（）) that the
    forms print and that readers expect back, so it is applied only to the
    blocks of look-alikes.
    """
    if ch in RADICAL_LOOKALIKES:
        return RADICAL_LOOKALIKES[ch]
    cp = ord(ch)
    if 0x2F00 <= cp <= 0x2FDF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F:
        return unicodedata.normalize("NFKC", ch)
    if ch in "\u00a0\u3000":
        return " "
    return ch


@cache
def _clean_table() -> dict[int, str]:
    """clean_char for every character it changes, as a str.translate table."""
    blocks = [range(0x2F00, 0x2FE0), range(0xF900, 0xFB00), range(0x2F800, 0x2FA20), map(ord, RADICAL_LOOKALIKES)]
    table = {}
    for cp in (cp for block in blocks for cp in block):
        mapped = clean_char(chr(cp))
        if mapped != chr(cp):
            table[cp] = mapped
    table.update({0xA0: " ", 0x3000: " "})
    return table


def clean(text: str) -> str:
    return text.translate(_clean_table())


class Glyph(NamedTuple):
    """A character and its box (a tuple: pages hold thousands of them)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def size(self) -> float:
        return self.bottom - self.top


_X0 = attrgetter("x0")


@dataclass
class Line:
    glyphs: list[Glyph]
    mid_sum: float = 0.0  # running sum of the glyphs' middles (for `mid`)

    def __post_init__(self) -> None:
        self.mid_sum = sum(g.mid for g in self.glyphs)

    @classmethod
    def _summed(cls, glyphs: list[Glyph], mid_sum: float) -> Line:
        """A line whose middles' sum is known (the sum __post_init__ would make)."""
        line = cls.__new__(cls)
        line.glyphs, line.mid_sum = glyphs, mid_sum
        return line

    def add(self, g: Glyph, mid: float | None = None) -> None:
        self.glyphs.append(g)
        self.mid_sum += g.mid if mid is None else mid

    @property
    def x0(self) -> float:
        return min(g.x0 for g in self.glyphs)

    @property
    def x1(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)

    @property
    def mid(self) -> float:
        return self.mid_sum / len(self.glyphs)

    def text(self) -> str:
        return "".join([g.text for g in sorted(self.glyphs, key=_X0)])


def group_lines(glyphs: Iterable[Glyph], compiled: bool | None = None) -> list[Line]:
    """Glyphs -> lines, top to bottom, by vertical middle (in the compiled
    helper where built, or as ``compiled`` asks; the loop here is the
    reference)."""
    glyphs = glyphs if isinstance(glyphs, list) else list(glyphs)
    if _native is not None and compiled is not False:
        done = _native.glyph_lines(glyphs, False)  # never one line's text: join_one is False
        if done is not None and not isinstance(done, str):  # else a value the loop below must see
            return [Line._summed(members, total) for members, total in done]
    groups: list[tuple[list[Glyph], float]] = []  # each line's glyphs and the sum of their middles
    members: list[Glyph] = []
    total = 0.0
    count = 0
    line_mid = 0.0
    # Line.add and max(size, 1.0), inlined, the line's sum and count kept
    # in locals: pages hold thousands of glyphs.
    for mid, _, g in sorted([((g[2] + g[4]) / 2, g[1], g) for g in glyphs], key=_MID_X0):
        size = g[4] - g[2]
        if count and abs(mid - line_mid) <= 0.45 * (1.0 if 1.0 > size else size):  # noqa: FURB136
            members.append(g)
            total += mid
            count += 1
        else:
            if count:
                groups.append((members, total))
            members, total, count = [g], 0 + mid, 1  # 0 + mid: the sum Line starts with
        line_mid = total / count
    if count:
        groups.append((members, total))
    lines = [Line._summed(members, total) for members, total in groups]
    lines.sort(key=_MID)
    return lines


_MID_X0 = itemgetter(0, 1)
_MID = attrgetter("mid")


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isprintable() and not ch.isspace()


# A line that ends one of these may end a paragraph; a wrapped line may end
# anywhere, so a short line alone is not enough (justified and Latin-heavy
# lines end short too).
PARAGRAPH_END = set("。；;！!？?：:")
# A sentence end followed by a numbered item ("6.", "2)", "（三）", "四、") is
# a paragraph break even when the sentence happened to fill its line.
LIST_MARKER = re.compile(
    r"\s*(?:\d{1,2}[.、)）](?!\d)|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]|[一二三四五六七八九十]{1,3}、"
    r"|[\u4e00-\u9fff]{1,3}\s*\d{1,2}\s*[：:])"  # 目标2：, 指标 3:
)
# Characters that cannot start a line (kinsoku): they travel with the glyph
# before them when a line wraps.
NO_LINE_START = set("，。、；：！？）》」』”’,.;:!?)%")


def _first_word_width(glyphs: list[Glyph]) -> float:
    """Width the next line's first unbreakable run would have needed (its
    glyphs left to right)."""
    end = 1
    if glyphs[0].text.isascii() and not glyphs[0].text.isspace():
        while end < len(glyphs) and glyphs[end].text.isascii() and not glyphs[end].text.isspace():
            end += 1
    while end < len(glyphs) and glyphs[end].text in NO_LINE_START:
        end += 1
    return glyphs[end - 1].x1 - glyphs[0].x0


def join_lines(lines: Sequence[Line]) -> str:
    """Wrap-only breaks vanish; a line that ends a sentence short of the wrap
    width, where the next line's first word would have fit, is a hard break."""
    if len(lines) == 1:  # most cells
        return lines[0].text().strip()
    # Each line's glyphs left to right, its text and its right end, made once
    # (Line.text, Line.x1 and _first_word_width each sort or scan again).
    pairs = []
    for ln in lines:
        ordered = sorted(ln.glyphs, key=_X0)
        text = "".join([g[0] for g in ordered])
        if text.strip():
            pairs.append((ln, text, ordered, max([g[3] for g in ln.glyphs])))
    if not pairs:
        return ""
    wrap_right = max([p[3] for p in pairs])
    out = pairs[0][1].strip()
    for (_, ptext, _, prev_x1), (nxt, t, ordered, _) in pairwise(pairs):
        size = max([g[4] - g[2] for g in nxt.glyphs])
        fits = wrap_right - prev_x1 > _first_word_width(ordered) + 0.3 * size
        ends_sentence = ptext.rstrip()[-1] in PARAGRAPH_END
        marker = LIST_MARKER.match(t)
        # A numbered item starts a paragraph after a sentence end, or after a
        # line that stopped short of the wrap width ("目标1：建成公租房户数" / "目标2：…").
        if (ends_sentence and (fits or marker)) or (fits and marker):
            out += "\n" + t.strip()
        elif ptext[-1].isspace() or t[0].isspace() or (fits and _is_latin(ptext[-1])):
            # The line wrapped at a printed space (a Latin line that ends
            # while the next word would still have fit ended at one too).
            out += " " + t.strip()  # the line wrapped at a printed space
        else:
            out = join_fragments(out, t.strip())
    return out


def join_fragments(a: str, b: str) -> str:
    """Two pieces of one wrapped text. CJK wraps anywhere, Latin text only at
    a space (which generators often drop at the line end): so a space goes back
    only between two Latin characters."""
    if not a:
        return b
    if not b:
        return a
    if _is_latin(a[-1]) and _is_latin(b[0]) and a[-1] not in "-/":
        return a + " " + b
    if len(a) >= 2 and a[-1] == "." and a[-2].isdigit() and not b[0].isascii():
        return a + " " + b  # a list marker "3." wrapped at the space after it
    return a + b


def glyphs_text(glyphs: Sequence[Glyph], compiled: bool | None = None) -> str:
    if not glyphs:  # an empty cell: most of a form's grid
        return ""
    if _native is not None and compiled is not False and isinstance(glyphs, list):
        done = _native.glyph_lines(glyphs, True)  # what the lines below make, their loops in C
        if isinstance(done, str):
            return clean(done.strip())
        if done is not None:
            return clean(join_lines([Line._summed(members, total) for members, total in done]))
    if len({g[2] + g[4] for g in glyphs}) == 1:
        # One middle for all: one line (what group_lines and join_lines make of
        # it, without their objects; most filled cells of a form).
        return clean("".join([g[0] for g in sorted(glyphs, key=_X0)]).strip())
    return clean(join_lines(group_lines(glyphs, compiled)))
