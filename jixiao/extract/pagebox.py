"""The visible page: the part of the sheet a reader sees, in points.

A page's MediaBox is the sheet; its CropBox (default: the MediaBox, and
clipped to it) is what viewers show and printers print; /UserUnit (default 1,
PDF 1.6) is the length of one unit of user space in 1/72 inch; /Rotate turns
the page for display. jixiao's page coordinates are those of the visible
page as shown: points, origin at the top-left corner of CropBox ∩ MediaBox,
y downwards, the rotation applied (as PLAYA's "screen" space, which uses the
MediaBox and ignores UserUnit). Both text engines and the OCR path give
coordinates in this space (PDFium renders exactly this box, in user units).

What a CropBox cuts away is not on the page: text outside the crop (a hidden
label, the rest of a sheet cut down) is not read. Text beyond the MediaBox of
a page that sets no smaller crop is read, as before: spreadsheet exports
print labels past the sheet's edge that belong to its table (a "单位：万元"
at x = 981 on an 842 pt page; without it the funds would be taken as 元).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]

MAX_USER_UNIT = 75_000.0  # the largest the PDF specification allows
# A glyph whose centre is this close outside the box still counts as on the
# page (float32 boxes, a glyph on the edge).
EDGE = 0.5
# A CropBox that cuts less than this into the MediaBox is no crop (a box
# rounded to other decimals than the MediaBox's).
CROP_MIN = 1.0


@dataclass(frozen=True)
class Screen:
    """User space -> the visible page's space, and the visible page's size."""

    matrix: Matrix
    width: float  # points, after rotation
    height: float
    cropped: bool = False  # a CropBox cuts into the MediaBox: what lies outside it is not read

    def apply(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.matrix
        return a * x + c * y + e, b * x + d * y + f


def _normal(box: Sequence[float]) -> Box:
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def visible_box(mediabox: Sequence[float], cropbox: Sequence[float] | None) -> Box:
    """CropBox ∩ MediaBox; the MediaBox when there is no crop or the two
    do not overlap (as PDFium renders it)."""
    media = _normal(mediabox)
    if cropbox is None:
        return media
    crop = _normal(cropbox)
    box = (max(media[0], crop[0]), max(media[1], crop[1]), min(media[2], crop[2]), min(media[3], crop[3]))
    return box if box[2] > box[0] and box[3] > box[1] else media


def user_unit(attrs: Any) -> float:
    """/UserUnit of a page dictionary (PLAYA's ``page.attrs``): 1 when absent
    or not a sane number."""
    try:
        value = attrs.get("UserUnit", 1.0)
        value = float(value.resolve() if hasattr(value, "resolve") else value)
    except (TypeError, ValueError, AttributeError):
        return 1.0
    return value if 0 < value <= MAX_USER_UNIT else 1.0


def screen(mediabox: Sequence[float], cropbox: Sequence[float] | None, rotate: int, unit: float = 1.0) -> Screen:
    """The visible page's transform (see the module's docstring)."""
    x0, y0, x1, y1 = box = visible_box(mediabox, cropbox)
    cropped = max(abs(a - b) for a, b in zip(box, _normal(mediabox))) >= CROP_MIN
    width, height = x1 - x0, y1 - y0
    rot: Matrix = {
        90: (0, -1, 1, 0, 0, width),
        180: (-1, 0, 0, -1, width, height),
        270: (0, 1, -1, 0, height, 0),
    }.get(rotate % 360, (1, 0, 0, 1, 0, 0))
    corners = [(rot[0] * x + rot[2] * y + rot[4], rot[1] * x + rot[3] * y + rot[5]) for x in (x0, x1) for y in (y0, y1)]
    left = min(c[0] for c in corners)
    top = max(c[1] for c in corners)
    a, b, c, d, e, f = mult(rot, (1, 0, 0, -1, -left, top))
    matrix = (a * unit, b * unit, c * unit, d * unit, e * unit, f * unit)
    turned = rotate % 180 == 90
    return Screen(matrix, (height if turned else width) * unit, (width if turned else height) * unit, cropped)


def on_page(glyphs: list[Any], segments: list[Any], view: Screen) -> tuple[list[Any], list[Any]]:
    """On a cropped page, the glyphs whose centre is inside the crop and the
    rules that reach it (a rule cut by the crop keeps its length: the cells
    it bounds are on the page; what they hold outside is dropped with its
    glyphs). Uncropped, all of them."""
    if not view.cropped:
        return glyphs, segments
    width, height = view.width, view.height

    def inside(x0: float, top: float, x1: float, bottom: float) -> bool:
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        return -EDGE <= cx <= width + EDGE and -EDGE <= cy <= height + EDGE

    kept = [g for g in glyphs if inside(g.x0, g.top, g.x1, g.bottom)]
    rules = [
        s for s in segments
        if max(s.x0, s.x1) >= -EDGE and min(s.x0, s.x1) <= width + EDGE
        and max(s.top, s.bottom) >= -EDGE and min(s.top, s.bottom) <= height + EDGE
    ]
    if len(kept) == len(glyphs) and len(rules) == len(segments):
        return glyphs, segments
    return kept, rules


def mult(m1: Matrix, m0: Matrix) -> Matrix:
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


def page_unit(source: Any, index: int) -> float:
    """/UserUnit of a page of a ``PdfSource``, from PLAYA (PDFium does not
    give it); 1 when PLAYA cannot read the page's dictionary (PDFium may
    still render the page)."""
    from ..errors import DamagedPdf, FileTimeout
    from . import library_warnings
    from .source import PDF_LIBRARIES, _raised_in

    try:
        with library_warnings():  # kept off the terminal; a page's read counts them
            return user_unit(source.playa.pages[index].attrs)
    except (FileTimeout, MemoryError):
        raise
    except DamagedPdf:
        return 1.0
    except Exception as e:
        if _raised_in(e, PDF_LIBRARIES):
            return 1.0
        raise


def in_points(page: Any, unit: float) -> Any:
    """A pypdfium2 page as the OCR path measures it: in points of the visible
    page. PDFium gives sizes and renders in user units (a page with
    /UserUnit 2 would be read at half its resolution, its cells at half
    their size) and image bounds from the MediaBox's origin. The page itself
    when those are the same."""
    x0, y0, _, _ = visible_box(page.get_mediabox(), page.get_cropbox())
    if unit == 1.0 and x0 == 0 and y0 == 0:
        return page
    return _PageInPoints(page, unit, x0, y0)


class _PageInPoints:
    def __init__(self, page: Any, unit: float, x0: float, y0: float) -> None:
        self._page, self._unit, self._origin = page, unit, (x0, y0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)

    def get_size(self) -> tuple[float, float]:
        w, h = self._page.get_size()
        return w * self._unit, h * self._unit

    def render(self, scale: float = 1, **kwargs: Any) -> Any:
        return self._page.render(scale=scale * self._unit, **kwargs)

    def get_objects(self, *args: Any, **kwargs: Any) -> Any:
        for obj in self._page.get_objects(*args, **kwargs):
            yield _ObjectInPoints(obj, self._unit, self._origin)


class _ObjectInPoints:
    def __init__(self, obj: Any, unit: float, origin: tuple[float, float]) -> None:
        self._obj, self._unit, self._origin = obj, unit, origin

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)

    def get_bounds(self) -> tuple[float, float, float, float]:
        (x0, y0), u = self._origin, self._unit
        left, bottom, right, top = self._obj.get_bounds()
        return (left - x0) * u, (bottom - y0) * u, (right - x0) * u, (top - y0) * u

    def get_matrix(self) -> Any:
        import pypdfium2 as pdfium

        (x0, y0), u = self._origin, self._unit
        a, b, c, d, e, f = self._obj.get_matrix().get()
        return pdfium.PdfMatrix(a * u, b * u, c * u, d * u, (e - x0) * u, (f - y0) * u)
