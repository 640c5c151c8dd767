"""Characters -> the text a reader reads in a cell.

Lines are grouped by the characters' vertical middle (digits and CJK from
different fonts sit at different baselines), ordered left to right; a line
break is kept only where the line ends short of the cell's wrap width (a hard
break), otherwise the lines are joined with nothing between them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


def clean(text: str) -> str:
    return "".join(clean_char(c) for c in text)


@dataclass(frozen=True)
class Glyph:
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


@dataclass
class Line:
    glyphs: list[Glyph]

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
        return sum(g.mid for g in self.glyphs) / len(self.glyphs)

    def text(self) -> str:
        return "".join(g.text for g in sorted(self.glyphs, key=lambda g: g.x0))


def group_lines(glyphs: Iterable[Glyph]) -> list[Line]:
    """Glyphs -> lines, top to bottom, by vertical middle."""
    lines: list[Line] = []
    for g in sorted(glyphs, key=lambda g: (g.mid, g.x0)):
        if lines and abs(g.mid - lines[-1].mid) <= 0.45 * max(g.size, 1.0):
            lines[-1].glyphs.append(g)
        else:
            lines.append(Line([g]))
    lines.sort(key=lambda ln: ln.mid)
    return lines


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_lines(lines: Sequence[Line]) -> str:
    """Wrap-only breaks vanish; a line that ends short of the wrap width breaks."""
    texts = [ln.text().strip() for ln in lines]
    pairs = [(ln, t) for ln, t in zip(lines, texts) if t]
    if not pairs:
        return ""
    wrap_right = max(ln.x1 for ln, _ in pairs)
    out = pairs[0][1]
    for (prev, _), (nxt, t) in zip(pairs, pairs[1:]):
        first = min(nxt.glyphs, key=lambda g: g.x0)
        room = wrap_right - prev.x1
        if room > (first.x1 - first.x0) + 0.5 * first.size:
            out += "\n" + t
        else:
            out = join_fragments(out, t)
    return out


def join_fragments(a: str, b: str) -> str:
    """Two pieces of one wrapped text: a space only between Latin words."""
    if not a:
        return b
    if not b:
        return a
    if _is_word_char(a[-1]) and _is_word_char(b[0]) and not (a[-1].isdigit() and b[0].isdigit()):
        return a + " " + b
    return a + b


def glyphs_text(glyphs: Iterable[Glyph]) -> str:
    return clean(join_lines(group_lines(glyphs)))
