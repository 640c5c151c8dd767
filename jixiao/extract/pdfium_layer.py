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

PDFium stores float32: path points are rounded to 1/10000 pt, and the grid
rounds its edges to 1/100 pt (``geometry``), so both backends give the same
cells to the last digit.

The getters called per char and per path object go through a small compiled
helper (``_pdfium_fast.c``, built by ``pip install`` where a C compiler is
found) or, without it, through ctypes (``_PyRaw``): both hand the same raw
values to the code here.
"""

from __future__ import annotations

import ctypes
from functools import cache
from typing import Any, NamedTuple

from pypdfium2 import raw

from . import pagebox

try:
    from . import _pdfium_fast as native
except ImportError:  # installed without a C compiler: the ctypes path
    native = None  # type: ignore[assignment]
from .geometry import THIN, Segment, rules_from_subpaths, segments_from_rects
from .text import Glyph

DIGITS = 4  # rounding of PDFium's float32 path points
# A colour channel at or above this (0-255) is white paper, as PLAYA's 0.98.
WHITE_FROM = 250

Matrix = pagebox.Matrix


class _Handle(ctypes.c_void_p):
    """A pdfium handle as returned: ctypes turns a plain c_void_p result into
    an int (converted back on every call), a subclass it leaves alone."""


class _Api:
    """pdfium's functions, bound once with plain pointer arguments: handles
    stay Python ints (the generated bindings' typed pointers cost a
    conversion, and a cast to compare, per call)."""

    def __init__(self) -> None:
        vp, i, f = ctypes.c_void_p, ctypes.c_int, ctypes.c_float

        def bind(name: str, restype: Any, *args: Any) -> Any:
            return ctypes.CFUNCTYPE(restype, *args)(_address(name))

        # Called per char: without declared arguments ctypes converts nothing
        # (40 % less per call); callers pass c_void_p handles, ints, byref().
        self.is_generated = bind("FPDFText_IsGenerated", i)
        self.loose_box = bind("FPDFText_GetLooseCharBox", i)
        self.origin = bind("FPDFText_GetCharOrigin", i)
        self.text_object = bind("FPDFText_GetTextObject", vp)
        self.char_matrix = bind("FPDFText_GetMatrix", i)  # per text object: as fast
        self.object_font = bind("FPDFTextObj_GetFont", vp)
        self.object_font_size = bind("FPDFTextObj_GetFontSize", i)
        self.font = bind("FPDFTextObj_GetFont", vp, vp)
        self.font_size = bind("FPDFTextObj_GetFontSize", i, vp, vp)
        self.ascent = bind("FPDFFont_GetAscent", i, vp, f, vp)
        self.descent = bind("FPDFFont_GetDescent", i, vp, f, vp)
        self.embedded = bind("FPDFFont_GetIsEmbedded", i, vp)
        self.count_objects = bind("FPDFPage_CountObjects", i, vp)
        # Per page object (Word writes one per run of text): handles stay ctypes objects.
        self.page_object = bind("FPDFPage_GetObject", _Handle)
        self.form_object_handle = bind("FPDFFormObj_GetObject", _Handle)
        self.object_kind = bind("FPDFPageObj_GetType", i)
        self.form_count = bind("FPDFFormObj_CountObjects", i, vp)
        self.kind = bind("FPDFPageObj_GetType", i, vp)
        self.matrix = bind("FPDFPageObj_GetMatrix", i, vp, vp)
        self.bounds = bind("FPDFPageObj_GetBounds", i, vp, vp, vp, vp, vp)
        self.draw_mode = bind("FPDFPath_GetDrawMode", i, vp, vp, vp)
        self.fill_color = bind("FPDFPageObj_GetFillColor", i, vp, vp, vp, vp, vp)
        self.stroke_color = bind("FPDFPageObj_GetStrokeColor", i, vp, vp, vp, vp, vp)
        self.count_segments = bind("FPDFPath_CountSegments", i, vp)
        self.segment = bind("FPDFPath_GetPathSegment", vp, vp, i)
        self.point = bind("FPDFPathSegment_GetPoint", i, vp, vp, vp)
        self.segment_type = bind("FPDFPathSegment_GetType", i, vp)
        self.closes = bind("FPDFPathSegment_GetClose", i, vp)


        # In the order _pdfium_fast.c takes them (its enum).
        self.addresses = tuple(_address(name) for name in FNS)


FNS = (
    "FPDFText_IsGenerated", "FPDFText_GetTextObject", "FPDFText_GetLooseCharBox", "FPDFText_GetCharOrigin",
    "FPDFText_GetMatrix", "FPDFTextObj_GetFont", "FPDFTextObj_GetFontSize",
    "FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFFormObj_CountObjects", "FPDFFormObj_GetObject",
    "FPDFPageObj_GetType",
    "FPDFPath_GetDrawMode", "FPDFPageObj_GetFillColor", "FPDFPageObj_GetStrokeColor", "FPDFPageObj_GetMatrix",
    "FPDFPath_CountSegments", "FPDFPath_GetPathSegment", "FPDFPathSegment_GetPoint", "FPDFPathSegment_GetType",
    "FPDFPathSegment_GetClose", "FPDFPageObj_GetBounds",
)  # fmt: skip


def _address(name: str) -> int:
    address = ctypes.cast(getattr(raw, name), ctypes.c_void_p).value
    assert address is not None
    return address


@cache
def _api() -> _Api:
    return _Api()


# What the getters give, raw (float32 widened to float, handles as ints):
# a char (char, text object, origin x, origin y, loose box width, height); a
# text object at its first char (char matrix a, b, c, d, font, font size:
# each distinct one listed once, the objects pointing at theirs); a
# page's or form's object (handle, type); a path object (fill mode, stroke,
# fill rgb or None where PDFium has none, stroke rgb or None, matrix, and its
# segments as (type, x, y, closes)).
CharRow = tuple[str, int, float, float, float, float]
ObjectInfo = tuple[float, float, float, float, int, float]
PathInfo = tuple[int, int, "tuple[int, ...] | None", "tuple[int, ...] | None", Matrix, list[tuple[int, float, float, int]]]


class _PyRaw:
    """The getters through ctypes, one call at a time: the fallback where
    the compiled helper is not built, and what it is tested against."""

    def __init__(self, api: _Api) -> None:
        self.api = api
        self.subpaths = _subpaths

    def chars(self, tp: int, text: str) -> tuple[list[CharRow], dict[int, int], list[ObjectInfo]]:
        api = self.api
        rect, m = raw.FS_RECTF(), raw.FS_MATRIX()
        ox, oy, size = ctypes.c_double(), ctypes.c_double(), ctypes.c_float()
        prect, pox, poy, pm, psize = (ctypes.byref(v) for v in (rect, ox, oy, m, size))
        is_generated, text_object, loose_box, origin = api.is_generated, api.text_object, api.loose_box, api.origin
        tpv = ctypes.c_void_p(tp)
        blanks = _blanks()
        rows: list[CharRow] = []
        objects: dict[int, int] = {}
        infos: dict[ObjectInfo, int] = {}
        append = rows.append
        last = None
        for i, ch in enumerate(text):
            if ch in blanks and (ch in "\r\n\x00" or is_generated(tpv, i)):
                continue
            obj = text_object(tpv, i)
            if obj is None:
                continue
            if obj != last:
                last = obj
                if obj not in objects:
                    api.char_matrix(tpv, i, pm)
                    handle = ctypes.c_void_p(obj)
                    font = api.object_font(handle)
                    api.object_font_size(handle, psize)
                    objects[obj] = infos.setdefault((m.a, m.b, m.c, m.d, font or 0, size.value), len(infos))
            loose_box(tpv, i, prect)
            origin(tpv, i, pox, poy)
            append((ch, obj, ox.value, oy.value, rect.right - rect.left, rect.top - rect.bottom))
        return rows, objects, list(infos)

    def objects(self, handle: int, form: bool) -> list[tuple[int, int]]:
        api = self.api
        h = ctypes.c_void_p(handle)
        kind = api.object_kind
        if form:
            get = api.form_object_handle
            found = [get(h, ctypes.c_ulong(k)) for k in range(api.form_count(h))]
        else:
            get = api.page_object
            found = [get(h, k) for k in range(api.count_objects(h))]
        return [(obj.value or 0, kind(obj)) for obj in found]

    def path(self, obj: int) -> PathInfo:
        api = self.api
        h = ctypes.c_void_p(obj)
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        api.draw_mode(h, ctypes.byref(fill), ctypes.byref(stroke))
        colors = []
        for get_color in (api.fill_color, api.stroke_color):
            rgba = [ctypes.c_uint() for _ in range(4)]
            colors.append(tuple(v.value for v in rgba[:3]) if get_color(h, *map(ctypes.byref, rgba)) else None)
        m = raw.FS_MATRIX()
        api.matrix(h, ctypes.byref(m))
        x, y = ctypes.c_float(), ctypes.c_float()
        px, py = ctypes.byref(x), ctypes.byref(y)
        segments = []
        for k in range(api.count_segments(h)):
            seg = api.segment(h, k)
            api.point(seg, px, py)
            segments.append((api.segment_type(seg), x.value, y.value, api.closes(seg)))
        return fill.value, stroke.value, colors[0], colors[1], (m.a, m.b, m.c, m.d, m.e, m.f), segments


class _CRaw:
    """The same getters, called from the compiled helper, and _subpaths' loop."""

    def __init__(self, api: _Api) -> None:
        assert native is not None
        fns, module = api.addresses, native
        self.chars = lambda tp, text: module.chars(fns, tp, text)
        self.objects = lambda handle, form: module.objects(fns, handle, form)
        self.path = lambda obj: module.path(fns, obj)
        self.place = lambda rows, objects, lows, ctm: module.place(fns, rows, objects, lows, ctm, Glyph)
        moveto, bezierto = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_BEZIERTO
        self.subpaths = lambda segments, matrix: module.subpaths(segments, matrix, DIGITS, moveto, bezierto)
        kinds = (raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM, moveto, bezierto)
        constants = (*kinds, DIGITS, WHITE_FROM, THIN)
        self.rules = lambda page, ctm, used: module.rules(fns, page, ctm, used, Segment, constants)


def reader(api: _Api, compiled: bool | None = None) -> _PyRaw | _CRaw:
    """The compiled getters where built (or as ``compiled`` asks), else ctypes."""
    if compiled is None:
        compiled = native is not None
    return _CRaw(api) if compiled else _PyRaw(api)


def _handle(obj: Any) -> int:
    address = ctypes.cast(obj.raw, ctypes.c_void_p).value
    assert address is not None
    return address


def page_matrix(page: Any, unit: float = 1.0) -> Matrix:
    """PDF user space -> the visible page's space (``pagebox``: top-left of
    CropBox ∩ MediaBox, /Rotate applied, points of ``unit`` = /UserUnit,
    which PDFium does not give)."""
    return pagebox.screen(page.get_mediabox(), page.get_cropbox(), page.get_rotation(), unit).matrix


class Unreadable(Exception):
    """What PDFium gives is not the whole page: the text page left out text
    this reader cannot name (a text object in a font that is not embedded,
    whose substitute has no such glyph), or a form XObject came out empty
    (PDFium skips a stream it cannot decode, silently). The caller reads the
    page with the reference backend, which reads it or says why not."""


def read_page(
    page: Any, textpage: Any, unit: float = 1.0, compiled: bool | None = None
) -> tuple[list[Glyph], list[Segment]]:
    """``compiled``: the compiled getters or ctypes (default: compiled where built)."""
    api = _api()
    get = reader(api, compiled)
    ctm = page_matrix(page, unit)
    glyphs, used = read_chars(api, get, _handle(textpage), ctm)
    blanks: list[list] = []  # [object, its matrix, the text objects with chars before and after]
    segments = read_rules(api, get, _handle(page), ctm, used, blanks)
    if blanks:
        glyphs += _restore_spaces(api, blanks, glyphs, used, ctm)
    return glyphs, segments


# --- chars ----------------------------------------------------------------


class _Font(NamedTuple):
    """Per text object: the char matrix's linear part, and the font's
    ascent/descent in text space (already times the font size)."""

    a: float
    b: float
    c: float
    d: float
    ascent: float
    descent: float
    size: float
    font: int
    low: float  # descent and ascent along the page's y (times d)
    high: float
    straight: bool  # no rotation or skew (b == c == 0)


def _font(a: float, b: float, c: float, d: float, ascent: float, descent: float, size: float, font: int) -> _Font:
    return _Font(a, b, c, d, ascent, descent, size, font, descent * d, ascent * d, b == 0 and c == 0)


_NO_FONT = _font(1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0)


class _Fonts:
    """Text objects' fonts: each font's ascent/descent per unit of size, and
    one _Font per font, size and matrix (Word writes a text object per run,
    often per char, all alike)."""

    def __init__(self, api: _Api) -> None:
        self.api = api
        self.per_unit: dict[int, tuple[float, float]] = {}
        self.alike: dict[tuple, _Font] = {}
        self.value = ctypes.c_float()
        self.pvalue = ctypes.byref(self.value)

    def of(self, a: float, b: float, c: float, d: float, font: int, size: float) -> _Font:
        """A text object's, from its char matrix, font and font size."""
        key = (font, size, a, b, c, d)
        f = self.alike.get(key)
        if f is None:
            unit = self.per_unit.get(font)
            if unit is None:
                self.api.ascent(font, 1.0, self.pvalue)
                asc = self.value.value
                self.api.descent(font, 1.0, self.pvalue)
                unit = self.per_unit[font] = (asc, self.value.value)
            f = self.alike[key] = _font(a, b, c, d, unit[0] * size, unit[1] * size, size, font)
        return f


def page_chars(tp: int) -> str:
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


@cache
def _blanks() -> frozenset[str]:
    """What ``str.isspace`` calls white space (every such char is below
    U+3001), and NUL: a set look-up per char instead of a method call."""
    return frozenset(c for c in map(chr, range(0x3001)) if c.isspace()) | {"\x00"}


def read_chars(api: _Api, get: _PyRaw | _CRaw, tp: int, ctm: Matrix) -> tuple[list[Glyph], dict[int, _Font]]:
    """The printed chars, and the text objects they come from."""
    rows, objects, infos = get.chars(tp, page_chars(ctypes.cast(tp, raw.FPDF_TEXTPAGE)))
    lookup = _Fonts(api)
    made = [lookup.of(*info) for info in infos]
    fonts = dict(zip(objects, map(made.__getitem__, objects.values())))  # in the order of their first chars
    ca, cb, cc, cd, ce, cf = ctm
    if isinstance(get, _CRaw) and cb == 0 and cc == 0 and all(f.straight for f in made):
        # The loop below, in C (most pages: upright, no rotated text).
        done = get.place(rows, objects, [(f.low, f.high) for f in made], ctm)
        if done is not None:  # else a coordinate too large for its integers: the loop below
            placed, why = done
            if placed is None:
                raise Unreadable(str(why))
            return placed, fonts
    seen: set[tuple[str, int, int]] = set()
    glyphs: list[Glyph] = []
    upright = cb == 0 and cc == 0  # the page is not rotated
    space: tuple[int, float, float] | None = None  # the last char, if a printed space
    blank_runs: set[int] = set()
    last: int | None = None  # the text object of the char before
    f = _NO_FONT
    low = high = 0.0
    fast = False
    new, append, add = tuple.__new__, glyphs.append, seen.add  # Glyph(...) without its Python __new__
    for ch, obj, x, y, advance, rise in rows:
        if obj != last:
            last = obj
            f = fonts[obj]
            low, high, straight = f.low, f.high, f.straight
            fast = upright and straight
        if fast:  # the common case, without the general corners
            u0, u1 = ca * x + ce, ca * (x + advance) + ce
            v0, v1 = cd * (y + low) + cf, cd * (y + high) + cf
            x0, x1 = (u0, u1) if u0 <= u1 else (u1, u0)
            top, bottom = (v0, v1) if v0 <= v1 else (v1, v0)
        else:
            corners = _rotated_box(f, x, y, advance, rise) if f.b or f.c else [(x, y + low), (x + advance, y + high)]
            dev = [(ca * px + cc * py + ce, cb * px + cd * py + cf) for px, py in corners]
            x0, x1 = min(p[0] for p in dev), max(p[0] for p in dev)
            top, bottom = min(p[1] for p in dev), max(p[1] for p in dev)
        # Fake bold overprints each glyph at (almost) the same place.
        key = (ch, round(x0 * 2), round(top * 2))
        if key in seen:
            continue
        add(key)
        if ch == " ":
            space = (obj, x0, x1)
            append(new(Glyph, (ch, x0, top, x1, bottom)))
            if obj not in blank_runs:
                blank_runs.add(obj)
                for k in range(1, _blank_run(api, obj, x, advance)):
                    # The rest of a run printed as an object of its own.
                    dx = ca * k * advance
                    append(new(Glyph, (ch, x0 + dx, top, x1 + dx, bottom)))
            continue
        if space is not None:
            if space[0] == obj and x0 - space[2] > 0.5 * (space[2] - space[1]):
                # A run of printed spaces amid other chars comes back as its first
                # one; its length cannot be told from a gap (word spacing, kerning).
                raise Unreadable("a run of printed spaces")
            space = None
        append(new(Glyph, (ch, x0, top, x1, bottom)))
    return glyphs, fonts


def _blank_run(api: _Api, obj: int, left: float, advance: float) -> int:
    """How many spaces a text object printing only spaces holds: PDFium keeps
    the first, but the object's bounds run from the first space's origin to
    the last one's (blank glyphs have no extent of their own)."""
    x0, y0, x1, y1 = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    api.bounds(obj, ctypes.byref(x0), ctypes.byref(y0), ctypes.byref(x1), ctypes.byref(y1))
    if y1.value - y0.value > 0.01 or advance <= 0:
        return 1  # ink: a space among other chars
    if abs(x0.value - left) > 0.01:
        raise Unreadable("a run of spaces in a form XObject")
    return 1 + round((x1.value - x0.value) / advance)


def _rotated_box(f: _Font, x: float, y: float, width: float, height: float) -> list[tuple[float, float]]:
    """The four corners of [0, descent, advance, ascent] under a rotated or
    skewed char matrix (the advance from the loose box's extent)."""
    norm = (f.a * f.a + f.b * f.b) ** 0.5 or 1.0
    advance = max(abs(width), abs(height)) / norm
    out = []
    for u in (0.0, advance):
        for v in (f.descent, f.ascent):
            out.append((x + u * f.a + v * f.c, y + u * f.b + v * f.d))
    return out


def _restore_spaces(
    api: _Api, blanks: list[list], glyphs: list[Glyph], used: dict[int, _Font], ctm: Matrix
) -> list[Glyph]:
    """Text objects the text page skipped because they print no ink: in an
    embedded font these are printed spaces (Word writes each space between
    runs as an object of its own). Each becomes one space in the font, size
    and matrix of a text object that did give chars (the one before it or
    after it in the content, else any); its advance is the gap to the next
    char on its line (within an em), else half an em."""
    out: list[Glyph] = []
    lines: dict[int, list[Glyph]] = {}
    for g in glyphs:
        lines.setdefault(round((g[2] + g[4]) / 2), []).append(g)  # by g.mid, without the property call
    size = ctypes.c_float()
    box = [ctypes.c_float() for _ in range(4)]
    refs, psize = [ctypes.byref(v) for v in box], ctypes.byref(size)
    shapes: dict[int, tuple[float, float, float, float]] = {}  # text objects' shapes, asked once each

    def alike(o: int, font: int, points: float, shape: tuple) -> bool:
        """Same font, size and text matrix (but for the position) as ``o``."""
        f = used[o]
        if f.font != font or f.size != points:
            return False
        known = shapes.get(o)
        if known is None:
            known = shapes[o] = _shape(api, o)
        return known == shape

    everyone: list[int] | None = None
    for obj, outer, before, after in blanks:
        api.bounds(obj, *refs)
        left, bottom, right, _ = (v.value for v in box)
        font = api.font(obj)
        api.font_size(obj, psize)
        if outer != ctm or right - left > 0.01 or not api.embedded(font):
            raise Unreadable("a text object the text page left out")
        shape = _shape(api, obj)
        f = next((used[o] for o in (before, after) if o is not None and alike(o, font, size.value, shape)), None)
        if f is None:
            everyone = everyone if everyone is not None else list(used)
            f = next((used[o] for o in everyone if alike(o, font, size.value, shape)), None)
        if f is None or f.b or f.c:
            raise Unreadable("a text object the text page left out")
        ys = [_apply(ctm, left, bottom + v * f.d)[1] for v in (f.descent, f.ascent)]
        x0 = _apply(ctm, left, bottom)[0]
        top, low = min(ys), max(ys)
        em = f.size * abs(f.d)
        mid = (top + low) / 2
        near = [g for k in (round(mid) - 1, round(mid), round(mid) + 1) for g in lines.get(k, ())]
        gaps = [g.x0 - x0 for g in near if abs(g.mid - mid) < 0.2 * em and 0 < g.x0 - x0 <= em]
        width = min(gaps) if gaps else 0.5 * em
        out.append(Glyph(" ", x0, top, x0 + width, low))
    return out


def _shape(api: _Api, obj: int) -> tuple[float, float, float, float]:
    m = raw.FS_MATRIX()
    api.matrix(obj, ctypes.byref(m))
    return (m.a, m.b, m.c, m.d)


# --- rules ----------------------------------------------------------------


def read_rules(
    api: _Api, get: _PyRaw | _CRaw, page: int, ctm: Matrix, used: dict[int, _Font], blanks: list[list]
) -> list[Segment]:
    """Rules; text objects no char came from go to ``blanks`` (with the text
    object before them that did give chars)."""
    rects: list[tuple[float, float, float, float]] = []
    strokes: list[Segment] = []
    done = get.rules(page, ctm, used) if isinstance(get, _CRaw) else None  # the walk below, in C
    if isinstance(done, str):
        raise Unreadable(done)
    if done is not None:  # else forms nested too deep for it: the walk below
        strokes, rects, found = done
        blanks += found
    else:
        _Walk(api, get, used, blanks, rects, strokes).walk(get.objects(page, False), ctm)
    return strokes + segments_from_rects(rects, max_thickness=THIN)


class _Walk:
    def __init__(
        self, api: _Api, get: _PyRaw | _CRaw, used: dict, blanks: list, rects: list, strokes: list[Segment]
    ) -> None:
        self.api, self.get, self.used, self.blanks, self.rects, self.strokes = api, get, used, blanks, rects, strokes
        self.subpaths = get.subpaths
        self.last_text: int | None = None
        self.waiting: list[list] = []  # blanks not yet followed by a text object with chars

    def walk(self, objects: list[tuple[int, int]], outer: Matrix) -> None:
        used, path = self.used, self.get.path
        for obj, kind in objects:
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                if obj in used:
                    self.last_text = obj
                    if self.waiting:
                        for blank in self.waiting:
                            blank[3] = obj
                        self.waiting.clear()
                else:
                    blank = [obj, outer, self.last_text, None]
                    self.blanks.append(blank)
                    self.waiting.append(blank)
            elif kind == raw.FPDF_PAGEOBJ_PATH:
                fill, stroke, fill_rgb, stroke_rgb, m, segments = path(obj)
                filled = bool(fill) and _visible(fill_rgb)
                stroked = bool(stroke) and _visible(stroke_rgb)
                if filled or stroked:
                    matrix = pagebox.mult(m, outer)
                    rules_from_subpaths(self.subpaths(segments, matrix), filled, stroked, self.rects, self.strokes)
            elif kind == raw.FPDF_PAGEOBJ_FORM:
                inner = pagebox.mult(_matrix(self.api, obj), outer)
                children = self.get.objects(obj, True)
                if not children:
                    # PDFium drops a form whose stream does not decode (an
                    # unknown filter) without a word: PLAYA tells.
                    raise Unreadable("an empty form XObject")
                self.walk(children, inner)


def _visible(rgb: tuple[int, ...] | None) -> bool:
    """Not white (the cell backgrounds many generators paint); a colour
    PDFium cannot give (a pattern) counts as ink, as in playa_layer."""
    return rgb is None or min(rgb) < WHITE_FROM


def _subpaths(segments: list[tuple[int, float, float, int]], matrix: Matrix) -> list[tuple[list[tuple[float, float]], bool]]:
    """Each subpath's end points (a Bézier curve by its end point only) in
    screen space, and whether it is closed."""
    out: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] = []
    closed = False
    bezier = 0
    a, b, c, d, e, f = matrix
    for kind, x, y, closes in segments:
        point = (round(a * x + c * y + e, DIGITS), round(b * x + d * y + f, DIGITS))
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
        if closes:
            closed = True
    if current:
        out.append((current, closed))
    # PDFium closes a subpath with an explicit segment back to its start
    # ("re" included); PLAYA's "h" adds none.
    for points, is_closed in out:
        if is_closed and len(points) > 2 and points[-1] == points[0]:
            points.pop()
    return out


def _matrix(api: _Api, obj: int) -> Matrix:
    m = raw.FS_MATRIX()
    api.matrix(obj, ctypes.byref(m))
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f
