"""Per-page decision: is the text layer sound, garbled or absent?

Signals, cheapest first (a clean page costs a few regex passes over its text,
well under a millisecond):

* absent: no visible character, or a handful of characters on a page that is
  one big image (a scan with a stamped page number);
* garbled: many characters that no form prints: U+FFFD, private-use and
  control characters, and letters from scripts these documents never use
  (a font without /ToUnicode decodes through a Latin encoding: "œæÑ‡");
* garbled: no CJK at all but runs of Latin letters longer than any word
  (CJK codes that a font's encoding turns into letters);
* garbled: CJK text made mostly of rare ideographs (a wrong CMap maps codes
  onto arbitrary ideographs; real text is made of the common ones);
* borderline pages (some odd characters, or no CJK at all) ask pdfium which
  characters it could not map to Unicode (fonts without /ToUnicode whose codes
  happen to decode as plain letters).

Kangxi radicals and CJK compatibility ideographs count as ideographs
(``text.clean`` maps them).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .source import PdfSource

# What these documents print: CJK ideographs (with radicals and compatibility
# forms), ASCII, CJK and full-width punctuation, general punctuation, the
# Latin-1 signs used in units (° ± ² ³ µ · × ÷ ¥ §), Greek letters (Ω, μ),
# letterlike and number forms (℃ № Ⅲ), arrows, maths (≥ ≤), enclosed numbers
# (①), box drawing and geometric shapes (□ ■ ○ ●), misc symbols (★ ☆),
# CJK compatibility units (㎡) and enclosed CJK (㈠).
_EXPECTED = (
    "\u0009\u000a\u000d\u0020-\u007e"
    "\u00a0\u00a5\u00a7\u00b0\u00b1\u00b2\u00b3\u00b5\u00b7\u00b9\u00bc\u00bd\u00be\u00d7\u00f7"
    "\u0391-\u03c9"
    "\u2000-\u206f\u2100-\u218f\u2190-\u21ff\u2200-\u22ff\u2300-\u23ff\u2460-\u24ff"
    "\u2500-\u257f\u25a0-\u25ff\u2600-\u26ff\u2700-\u27bf"
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3200-\u32ff\u3300-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0002fa1f"
)
_UNEXPECTED = re.compile(f"[^{_EXPECTED}]")
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u2e80-\u2fdf\U00020000-\U0002fa1f"
_NOT_CJK = re.compile(f"[^{_CJK_CHARS}]+")

BAD_SHARE = 0.2  # at least this share of unexpected characters: garbled
SUSPECT_SHARE = 0.03  # from here up, ask pdfium about unmapped characters
MAP_ERROR_SHARE = 0.1  # ... and this share of those is garbled
RARE_MIN_CJK = 30  # judge ideograph frequency only on this many CJK characters
COMMON_SHARE = 0.6  # real text: > 90 % common ideographs; arbitrary ones: ~ 35 %
WORD_RUN = 25  # letters in a row with no space: no language writes words this long
_LETTER_RUN = re.compile(f"[A-Za-z]{{{WORD_RUN},}}")
IMAGE_PAGE_MAX_CHARS = 10  # an image page with no more text than this is a scan
IMAGE_PAGE_COVER = 0.8


@lru_cache(maxsize=1)
def common_ideographs() -> frozenset[str]:
    """The frequent ideographs: GB 2312 level 1 (3755, simplified) and Big5
    level 1 (5401, traditional).

    Each code decoded on its own (an undefined one gives U+FFFD), all in one
    decode call: the codes joined by a newline, which neither codec reads as
    part of a two-byte code, and split again."""
    chars: set[str] = set()
    for codec, his, los in (
        ("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),  # GB 2312 level 1
        ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),  # Big5 level 1
    ):
        codes = [bytes((hi, lo)) for hi in his for lo in los]
        decoded = b"\n".join(codes).decode(codec, errors="replace").split("\n")
        if len(decoded) != len(codes):  # a codec that reads past a newline: one code at a time
            decoded = [code.decode(codec, errors="replace") for code in codes]
        chars.update(c for c in decoded if c != "\ufffd")
    return frozenset(c for c in chars if len(c) == 1)


@lru_cache(maxsize=1)
def _not_rare() -> frozenset[str]:
    """The common ideographs, and the radicals and compatibility forms, which
    count as common (``text.clean`` maps them)."""
    mapped = (chr(c) for block in (range(0x2E80, 0x2FE0), range(0xF900, 0xFB00)) for c in block)
    return common_ideographs() | frozenset(mapped)


def triage_page(source: PdfSource, index: int, text: str) -> tuple[str, str]:
    """("sound" | "garbled" | "absent", reason)."""
    # The characters that are not white space (re's \S, str.isspace: the same
    # test), counted without a list of them.
    visible = len("".join(text.split()))
    if visible == 0:
        return "absent", "no text layer"
    if visible <= IMAGE_PAGE_MAX_CHARS and _image_cover(source, index) >= IMAGE_PAGE_COVER:
        return "absent", f"image page with {visible} text characters"
    bad = _UNEXPECTED.findall(text)
    share = len(bad) / visible
    if share >= BAD_SHARE and len(bad) >= 3:
        sample = "".join(dict.fromkeys(bad))[:8]
        return "garbled", f"{len(bad)} of {visible} characters undecodable or out of place ({sample!r})"
    cjk = _NOT_CJK.sub("", text)  # the ideographs, in one string
    if len(cjk) >= RARE_MIN_CJK:
        rare = len(cjk) - sum(map(_not_rare().__contains__, cjk))
        if 1 - rare / len(cjk) < COMMON_SHARE:
            return "garbled", f"{rare} of {len(cjk)} ideographs are rare ones: codes mapped to the wrong characters"
    if not cjk and _LETTER_RUN.search(text):
        return "garbled", "letters with no words: CJK codes decoded as Latin letters"
    if share >= SUSPECT_SHARE or (not cjk and visible >= 20):
        errors, total = _map_errors(source, index)
        if total and errors / total >= MAP_ERROR_SHARE:
            return "garbled", f"{errors} of {total} characters have no Unicode mapping"
    return "sound", ""


def _map_errors(source: PdfSource, index: int) -> tuple[int, int]:
    """Characters pdfium could not map to Unicode (no /ToUnicode, no usable
    encoding or cmap), and all characters."""
    from pypdfium2 import raw

    tp = source.text_page(index)[1]  # the text page the text came from: not loaded again
    n = tp.count_chars()
    check = getattr(raw, "FPDFText_HasUnicodeMapError", None)
    if check is None:
        return 0, n
    return sum(1 for i in range(n) if check(tp, i) == 1), n


def _image_cover(source: PdfSource, index: int) -> float:
    """Share of the page covered by its largest image."""
    from .raster import page_images

    page = source.pdfium[index]
    try:
        images = page_images(page)
        return images[0].cover if images else 0.0
    finally:
        page.close()
