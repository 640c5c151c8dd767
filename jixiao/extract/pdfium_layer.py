"""Characters and ruling lines of a page, read with PDFium (pypdfium2's raw API).

The same chars and rules PLAYA gives (``playa_layer``, the reference), from the
page and text page already loaded for the text check, at a fraction of the
cost (PDFium interprets the content stream in C):

* chars: only those PDFium did not generate (``FPDFText_IsGenerated`` flags
  every space and line break it infers from gaps); each char's box is PLAYA's:
  the advance width along the baseline, and the font's ascent/descent scaled
  by the char's matrix (``FPDFText_GetFontSize`` is only the ``Tf`` operand);
* printed spaces PDFium's text page drops or merges are put back from the text
  objects (see ``_restore_spaces``);
* rules: path objects, form XObjects descended into with their matrices
  composed, filled thin rectangles and stroked axis-aligned edges exactly as
  ``playa_layer`` keeps them.

PDFium stores float32: coordinates are rounded to 1/10000 pt, far below what
any rule or line test looks at.
"""

from __future__ import annotations

import ctypes
from functools import cache
from itertools import pairwise
from typing import Any, NamedTuple

from pypdfium2 import raw

from .geometry import Segment, segments_from_rects
from .text import Glyph

THIN = 3.0  # points: a filled rectangle this thin is a rule (as playa_layer)
DIGITS = 4  # rounding of PDFium's float32 coordinates
# A colour channel at or above this (0-255) is white paper, as PLAYA's 0.98.
WHITE_FROM = 250

Matrix = tuple[float, float, float, float, float, float]


class _Api(NamedTuple):
    """The hot calls, bound once with plain pointer arguments (the generated
    bindings' typed pointers cost a conversion per call)."""

    is_generated: Any
    loose_box: Any
    origin: Any
    text_object: Any


@cache
def _api() -> _Api:
    vp, i = ctypes.c_void_p, ctypes.c_int

    def bind(name: str, restype: Any, *args: Any) -> Any:
        address = ctypes.cast(getattr(raw, name), ctypes.c_void_p).value
        assert address is not None
        return ctypes.CFUNCTYPE(restype, *args)(address)

    return _Api(
        bind("FPDFText_IsGenerated", i, vp, i),
        bind("FPDFText_GetLooseCharBox", i, vp, i, vp),
        bind("FPDFText_GetCharOrigin", i, vp, i, vp, vp),
        bind("FPDFText_GetTextObject", vp, vp, i),
    )


def page_matrix(page: Any) -> Matrix:
    """PDF user space -> PLAYA's "screen" space (top-left origin of the
    MediaBox, /Rotate applied), as ``playa.Page.set_initial_ctm``."""
    x0, y0, x1, y1 = page.get_mediabox()
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    width, height = x1 - x0, y1 - y0
    rotation = page.get_rotation() % 360
    rot: Matrix = {
        90: (0, -1, 1, 0, 0, width),
        180: (-1, 0, 0, -1, width, height),
        270: (0, 1, -1, 0, height, 0),
    }.get(rotation, (1, 0, 0, 1, 0, 0))
    corners = [_apply(rot, x, y) for x in (x0, x1) for y in (y0, y1)]
    bx0 = min(c[0] for c in corners)
    by1 = max(c[1] for c in corners)
    return _mult(rot, (1, 0, 0, -1, -bx0, by1))


class Unreadable(Exception):
    """The text page left out text this reader cannot name (a text object in
    a font that is not embedded, whose substitute has no such glyph): the
    caller reads the page with the reference backend."""


def read_page(page: Any, textpage: Any) -> tuple[list[Glyph], list[Segment]]:
    ctm = page_matrix(page)
    glyphs, used = read_chars(textpage, ctm)
    blanks: list[tuple[Any, Matrix]] = []
    segments = read_rules(page, ctm, used, blanks)
    if blanks:
        glyphs += _restore_spaces(blanks, glyphs, used, ctm)
    return glyphs, segments


def _restore_spaces(blanks: list, glyphs: list[Glyph], used: dict[int, _Font], ctm: Matrix) -> list[Glyph]:
    """Text objects the text page skipped because they print no ink: in an
    embedded font these are printed spaces (Word and LibreOffice write each
    space between runs as an object of its own). Each becomes one space in
    the font, size and matrix of a text object that did give chars; a space's
    advance comes from a printed space in that font, else from the next char
    on its baseline."""
    fonts = {f.key: f for f in used.values()}
    widths: dict[tuple, float] = {}
    out: list[Glyph] = []
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for obj, outer in blanks:
        key, font, _ = _object_key(obj)
        f = fonts.get(key)
        raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        if (
            f is None
            or outer != ctm
            or f.b != 0
            or f.c != 0
            or right.value - left.value > 0.01
            or not raw.FPDFFont_GetIsEmbedded(font)
        ):
            raise Unreadable("a text object the text page left out")
        x, y = left.value, bottom.value
        corners = [_apply(ctm, x, y + f.descent * f.d), _apply(ctm, x, y + f.ascent * f.d)]
        x0 = round(corners[0][0], DIGITS)
        y0 = round(min(c[1] for c in corners), DIGITS)
        y1 = round(max(c[1] for c in corners), DIGITS)
        width = widths.get(key)
        if width is None:
            width = _advance(glyphs, x0, y0, y1, f.size * abs(f.d))
        out.append(Glyph(" ", x0, y0, round(x0 + width, DIGITS), y1))
    return out


def _advance(glyphs: list[Glyph], x0: float, top: float, bottom: float, em: float) -> float:
    """The gap to the next char on the same line (within an em), else half an em."""
    mid = (top + bottom) / 2
    gaps = [g.x0 - x0 for g in glyphs if abs(g.mid - mid) < 0.2 * em and 0 < g.x0 - x0 <= em]
    return min(gaps) if gaps else 0.5 * em


# --- chars ----------------------------------------------------------------


class _Font(NamedTuple):
    """Per text object: the char matrix's linear part, the font's
    ascent/descent in text space (already times the font size), and what
    identifies the same font, size and matrix in a text object no char came
    from."""

    a: float
    b: float
    c: float
    d: float
    ascent: float
    descent: float
    size: float
    key: tuple


def _object_key(handle: Any) -> tuple[tuple, Any, float]:
    m = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(handle, m)
    size = ctypes.c_float()
    raw.FPDFTextObj_GetFontSize(handle, size)
    font = raw.FPDFTextObj_GetFont(handle)
    address = ctypes.cast(font, ctypes.c_void_p).value
    key = (address, size.value, round(m.a, 6), round(m.b, 6), round(m.c, 6), round(m.d, 6))
    return key, font, size.value


def _text_object_font(tp: Any, index: int, obj: int) -> _Font:
    m = raw.FS_MATRIX()
    raw.FPDFText_GetMatrix(tp, index, m)
    key, font, size = _object_key(ctypes.cast(obj, raw.FPDF_PAGEOBJECT))
    asc, desc = ctypes.c_float(), ctypes.c_float()
    raw.FPDFFont_GetAscent(font, size, asc)
    raw.FPDFFont_GetDescent(font, size, desc)
    return _Font(m.a, m.b, m.c, m.d, asc.value, desc.value, size, key)


def page_chars(tp: Any) -> str:
    """The text page's chars, one per char index (generated ones included)."""
    n = raw.FPDFText_CountChars(tp)
    if n <= 0:
        return ""
    buf = (ctypes.c_ushort * (2 * n + 2))()
    written = raw.FPDFText_GetText(tp, 0, n, buf)
    text = bytes(buf)[: 2 * max(written - 1, 0)].decode("utf-16-le", errors="replace")
    if len(text) != n:  # a char beyond the BMP or a merged char: one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, i) or 0xFFFD) for i in range(n))
    return text


def read_chars(textpage: Any, ctm: Matrix) -> tuple[list[Glyph], dict[int, _Font]]:
    """The printed chars, and the text objects they come from."""
    api = _api()
    tp = textpage.raw
    tpv = ctypes.cast(tp, ctypes.c_void_p)
    text = page_chars(tp)
    rect = raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    prect, pox, poy = ctypes.byref(rect), ctypes.byref(ox), ctypes.byref(oy)
    fonts: dict[int, _Font] = {}
    seen: set[tuple[str, int, int]] = set()
    glyphs: list[Glyph] = []
    ca, cb, cc, cd, ce, cf = ctm
    space: tuple[int, float, float] | None = None  # the last char, if a printed space
    blank_runs: set[int] = set()
    for i, ch in enumerate(text):
        if ch in "\r\n\x00" or (ch.isspace() and api.is_generated(tpv, i)):
            continue
        obj = api.text_object(tpv, i)
        if not obj:
            continue
        f = fonts.get(obj)
        if f is None:
            f = fonts[obj] = _text_object_font(tp, i, obj)
        api.loose_box(tpv, i, prect)
        api.origin(tpv, i, pox, poy)
        x, y = ox.value, oy.value
        if f.b == 0 and f.c == 0:
            # The advance along the baseline: PDFium's loose box spans it.
            corners = [(rect.left, y + f.descent * f.d), (rect.right, y + f.ascent * f.d)]
        else:
            corners = _rotated_box(f, x, y, rect)
        dev = [(ca * px + cc * py + ce, cb * px + cd * py + cf) for px, py in corners]
        x0 = round(min(p[0] for p in dev), DIGITS)
        x1 = round(max(p[0] for p in dev), DIGITS)
        top = round(min(p[1] for p in dev), DIGITS)
        bottom = round(max(p[1] for p in dev), DIGITS)
        # Fake bold overprints each glyph at (almost) the same place.
        key = (ch, round(x0 * 2), round(top * 2))
        if key in seen:
            continue
        seen.add(key)
        if space is not None and space[0] == obj and ch != " " and x0 - space[2] > 0.5 * (space[2] - space[1]):
            # A run of printed spaces comes back as its first one; the run's
            # length cannot be told from a gap (word spacing, kerning).
            raise Unreadable("a run of printed spaces")
        space = (obj, x0, x1) if ch == " " else None
        glyphs.append(Glyph(ch, x0, top, x1, bottom))
        if ch == " " and obj not in blank_runs:
            blank_runs.add(obj)
            for k in range(1, _blank_run(obj, rect.left, rect.right)):
                # The rest of a run printed as an object of its own.
                dx = ca * k * (rect.right - rect.left)
                glyphs.append(Glyph(ch, round(x0 + dx, DIGITS), top, round(x1 + dx, DIGITS), bottom))
    return glyphs, fonts


def _blank_run(obj: int, left: float, right: float) -> int:
    """How many spaces a text object printing only spaces holds: PDFium keeps
    the first, but the object's bounds run from the first space's origin to
    the last one's (blank glyphs have no extent of their own)."""
    x0, y0, x1, y1 = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    raw.FPDFPageObj_GetBounds(ctypes.cast(obj, raw.FPDF_PAGEOBJECT), x0, y0, x1, y1)
    advance = right - left
    if y1.value - y0.value > 0.01 or advance <= 0:
        return 1  # ink: a space among other chars
    if abs(x0.value - left) > 0.01:
        raise Unreadable("a run of spaces in a form XObject")
    return 1 + round((x1.value - x0.value) / advance)


def _rotated_box(f: _Font, x: float, y: float, rect: Any) -> list[tuple[float, float]]:
    """The four corners of [0, descent, advance, ascent] under a rotated or
    skewed char matrix (the advance from the loose box's extent)."""
    norm = (f.a * f.a + f.b * f.b) ** 0.5 or 1.0
    advance = max(abs(rect.right - rect.left), abs(rect.top - rect.bottom)) / norm
    out = []
    for u in (0.0, advance):
        for v in (f.descent, f.ascent):
            out.append((x + u * f.a + v * f.c, y + u * f.b + v * f.d))
    return out


# --- rules ----------------------------------------------------------------


def read_rules(page: Any, ctm: Matrix, used: Any, blanks: list) -> list[Segment]:
    """Rules; text objects no char came from go to ``blanks``."""
    rects: list[tuple[float, float, float, float]] = []
    strokes: list[Segment] = []
    handle = page.raw
    count = raw.FPDFPage_CountObjects(handle)
    objects = (raw.FPDFPage_GetObject(handle, k) for k in range(count))
    _walk(objects, ctm, rects, strokes, used, blanks)
    return strokes + segments_from_rects(rects, max_thickness=THIN)


def _walk(objects: Any, outer: Matrix, rects: list, strokes: list[Segment], used: Any, blanks: list) -> None:
    m = raw.FS_MATRIX()
    for obj in objects:
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            raw.FPDFPageObj_GetMatrix(obj, m)
            inner = _mult((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            n = raw.FPDFFormObj_CountObjects(obj)
            _walk((raw.FPDFFormObj_GetObject(obj, k) for k in range(n)), inner, rects, strokes, used, blanks)
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            fill, stroke = ctypes.c_int(), ctypes.c_int()
            raw.FPDFPath_GetDrawMode(obj, fill, stroke)
            filled = bool(fill.value) and _visible(obj, raw.FPDFPageObj_GetFillColor)
            stroked = bool(stroke.value) and _visible(obj, raw.FPDFPageObj_GetStrokeColor)
            if filled or stroked:
                raw.FPDFPageObj_GetMatrix(obj, m)
                matrix = _mult((m.a, m.b, m.c, m.d, m.e, m.f), outer)
                _path(_subpaths(obj, matrix), filled, stroked, rects, strokes)
        elif kind == raw.FPDF_PAGEOBJ_TEXT and ctypes.cast(obj, ctypes.c_void_p).value not in used:
            blanks.append((obj, outer))


def _visible(obj: Any, get_color: Any) -> bool:
    """Not white (the cell backgrounds many generators paint); a colour PDFium
    cannot give (a pattern) counts as ink, as in playa_layer."""
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not get_color(obj, r, g, b, a):
        return True
    return min(r.value, g.value, b.value) < WHITE_FROM


def _subpaths(obj: Any, matrix: Matrix) -> list[tuple[list[tuple[float, float]], bool]]:
    """Each subpath's end points (a Bézier curve by its end point only) in
    screen space, and whether it is closed."""
    out: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] = []
    closed = False
    x, y = ctypes.c_float(), ctypes.c_float()
    bezier = 0
    a, b, c, d, e, f = matrix
    for k in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        kind = raw.FPDFPathSegment_GetType(seg)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        px, py = x.value, y.value
        point = (round(a * px + c * py + e, DIGITS), round(b * px + d * py + f, DIGITS))
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if current:
                out.append((current, closed))
            current, closed, bezier = [point], False, 0
            continue
        if kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3:  # the two control points
                continue
        current.append(point)
        if raw.FPDFPathSegment_GetClose(seg):
            closed = True
    if current:
        out.append((current, closed))
    # PDFium closes a subpath with an explicit segment back to its start
    # ("re" included); PLAYA's "h" adds none.
    for points, is_closed in out:
        if is_closed and len(points) > 2 and points[-1] == points[0]:
            points.pop()
    return out


def _path(subpaths: list, filled: bool, stroked: bool, rects: list, strokes: list[Segment]) -> None:
    for points, closed in subpaths:
        if len(points) < 2:
            continue
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (min(xs), min(ys), max(xs), max(ys))
        if filled and closed and min(box[2] - box[0], box[3] - box[1]) <= THIN:
            rects.append(box)
        elif stroked:
            ring = [*points, points[0]] if closed else points
            for (ax, ay), (bx, by) in pairwise(ring):
                if abs(ax - bx) < 0.5 or abs(ay - by) < 0.5:  # rules are axis-aligned
                    strokes.append(Segment(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _mult(m1: Matrix, m0: Matrix) -> Matrix:
    """m1 then m0 (pdfminer's ``mult_matrix`` order)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a0 * a1 + c0 * b1,
        b0 * a1 + d0 * b1,
        a0 * c1 + c0 * d1,
        b0 * c1 + d0 * d1,
        a0 * e1 + c0 * f1 + e0,
        b0 * e1 + d0 * f1 + f0,
    )
