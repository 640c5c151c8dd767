"""Page images for OCR: rendering, deskewing, ruling lines, text-line strips.

Everything here works on a grey page image (uint8, 0 = ink, 255 = paper) and
knows the render scale (pixels per PDF point), so that what it finds can be
reported in points. ``preprocess.prepare`` makes that image from a page
(colour, seals, paper, orientation, fax specks); this module deskews it and
finds its rules and lines of text. After ``deskew`` every coordinate is in the deskewed frame;
the OCR engine reports that frame scaled to points (a rotation of a fraction of
a degree moves nothing by more than a point or two).

Ruling lines are found with morphology (FIELD-NOTES): adaptive threshold (its
contrast set from the paper's grain, so that the one-pixel strokes of a clean
render count as ink and a scan's grain does not), then an opening with a long
thin kernel keeps only runs longer than any body-text stroke; a short closing
along the line bridges small breaks in faint or broken rules; what is left must
hang together into a network larger than any character (a bold title's long
strokes pass the kernels, but stay small).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import SNAP, Grid, Segment

# Resolution: scans are read at their own pixel density within these bounds;
# vector pages (a garbled text layer) are rendered at DEFAULT_DPI.
DEFAULT_DPI = 200.0
MIN_DPI = 150.0
MAX_DPI = 300.0

# Lengths in points (converted with the render scale).
RULE_COMPONENT_PT = 40.0  # ink connected over this length may hold rules; characters never do
H_KERNEL_PT = 15.0  # a horizontal rule is at least this long (CJK strokes at 9-12 pt are shorter)
V_KERNEL_PT = 10.0  # a vertical rule spans at least one row (rows are >= ~12 pt)
GAP_PT = 1.5  # breaks in a rule up to this long are bridged
BILEVEL_GAP_PT = 10.0  # ... on a fax, whose rules break wider (a merged cell leaves a whole cell open)
BILEVEL_PRE_GAP_PT = 1.5  # a fax's rules are bridged before the long kernels, too
BILEVEL_REACH_PT = 16.0  # a fax's rule ending this short of a crossing rule is broken there
REACH_PT = 12.0  # ... a scan's or a photo's
MIN_SKEW_DEG = 0.03  # below this, rotating would only blur
MAX_SKEW_DEG = 5.0


@dataclass
class PageImage:
    gray: np.ndarray  # uint8, deskewed
    scale: float  # pixels per point
    angle: float  # degrees the page was rotated by to deskew it (0 if not)
    contrast: float = 25.0  # how much darker than its surroundings a pixel must be to be ink
    bilevel: bool = False  # a 1-bit scan (fax): rules break, strokes are jagged
    stamps: tuple[tuple[float, float, float, float], ...] = ()  # seals taken out, boxes in points
    steps: tuple[str, ...] = ()  # what preprocessing did, for the page's reason

    @property
    def width_pt(self) -> float:
        return self.gray.shape[1] / self.scale

    @property
    def height_pt(self) -> float:
        return self.gray.shape[0] / self.scale


@dataclass(frozen=True)
class ImageInfo:
    """A page's image object: where it sits and what it holds."""

    cover: float  # share of the page its bounds cover
    dpi: float  # pixels per inch along its own axes
    bits: int  # bits per pixel (1 for a fax or a bilevel scan)


def page_images(page: object) -> list[ImageInfo]:
    """The image objects on a page, largest first.

    Uses ``get_bounds`` and the image's matrix (pypdfium2 >= 5: ``get_pos`` is
    gone). The density is measured along the image's own axes (the lengths
    of its matrix columns), so a scan placed rotated reads at its true dpi.
    """
    import pypdfium2 as pdfium

    width_pt, height_pt = page.get_size()  # type: ignore[attr-defined]
    area = width_pt * height_pt
    out: list[ImageInfo] = []
    for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):  # type: ignore[attr-defined]
        try:
            left, bottom, right, top = obj.get_bounds()
            px_w, px_h = obj.get_px_size()
            a, b, c, d, _e, _f = obj.get_matrix().get()
        except Exception:  # noqa: BLE001, S112 - a broken image object just isn't used
            continue
        cover = max(0.0, min(right, width_pt) - max(left, 0.0)) * max(0.0, min(top, height_pt) - max(bottom, 0.0))
        w_pt, h_pt = math.hypot(a, b), math.hypot(c, d)
        dpi = max(72.0 * px_w / w_pt if w_pt > 0 else 0.0, 72.0 * px_h / h_pt if h_pt > 0 else 0.0)
        try:
            bits = int(obj.get_metadata().bits_per_pixel)
        except Exception:  # noqa: BLE001 - metadata is a hint only
            bits = 8
        out.append(ImageInfo(cover / area if area else 0.0, dpi, bits))
    out.sort(key=lambda im: -im.cover)
    return out


def page_dpi(page: object, images: Sequence[ImageInfo] | None = None) -> float:
    """The resolution to render a page at: a scanned page's own density
    (its largest image, if it covers at least half the page)."""
    if images is None:
        images = page_images(page)
    best = max((im.dpi for im in images if im.cover >= 0.5), default=0.0)
    if best <= 0:
        return DEFAULT_DPI
    return min(MAX_DPI, max(MIN_DPI, best))


def render(page: object, dpi: float | None = None) -> tuple[np.ndarray, float]:
    """A grey image of the page and its scale (pixels per point)."""
    if dpi is None:
        dpi = page_dpi(page)
    scale = dpi / 72.0
    bitmap = page.render(scale=scale, grayscale=True)  # type: ignore[attr-defined]
    try:
        arr = bitmap.to_numpy()
        gray = np.array(arr[:, :, 0] if arr.ndim == 3 else arr, dtype=np.uint8, copy=True)
    finally:
        bitmap.close()
    return gray, scale


def binarize(gray: np.ndarray, scale: float, contrast: float = 25.0) -> np.ndarray:
    """Ink = 255. Adaptive, so grey fills and uneven scans don't turn black."""
    block = round(6.0 * scale) | 1  # ~6 pt: wider than any stroke
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, max(block, 15), float(contrast)
    )


def ink_contrast(gray: np.ndarray) -> float:
    """The threshold above the paper's noise: a clean render has none (thin,
    light strokes of small text must count as ink), a scan's grain must not.

    Noise is estimated from differences of neighbouring paper pixels.
    """
    g = gray[::2, ::2].astype(np.int16)
    d = g[:, 1:] - g[:, :-1]
    paper = (g[:, 1:] > 180) & (g[:, :-1] > 180)
    if not paper.any():
        return 25.0
    sigma = 1.4826 * float(np.median(np.abs(d[paper]))) / math.sqrt(2.0)
    return float(min(25.0, max(8.0, 4.0 * sigma + 6.0)))


def _rule_mask(binary: np.ndarray, length: int, horizontal: bool, gap: int) -> np.ndarray:
    shape = (length, 1) if horizontal else (1, length)
    mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
    if gap > 1:
        shape = (gap, 1) if horizontal else (1, gap)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
    return mask


def estimate_skew(gray: np.ndarray, scale: float, contrast: float = 25.0) -> float:
    """The page's rotation in degrees (positive: lines fall to the right),
    from the long horizontal rules; 0 when there are none."""
    small = 1.0
    if scale > 2.2:  # work at ~150 dpi: plenty for an angle, 2x faster
        small = 2.1 / scale
        gray = cv2.resize(gray, None, fx=small, fy=small, interpolation=cv2.INTER_AREA)
    s = scale * small
    binary = binarize(gray, s, contrast)
    # A short kernel keeps a rule even when it steps by a pixel along its length.
    mask = _rule_mask(binary, max(15, int(8 * s)), True, 0)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    slopes: list[tuple[float, float]] = []
    min_len = 60 * s
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if w < min_len or h > 0.1 * w + 6:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        if len(xs) < 10:
            continue
        slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
        slopes.append((slope, float(w)))
    if not slopes:
        return 0.0
    slopes.sort()
    total = sum(w for _, w in slopes)
    acc = 0.0
    for slope, w in slopes:  # length-weighted median
        acc += w
        if acc >= total / 2:
            angle = math.degrees(math.atan(slope))
            return angle if abs(angle) <= MAX_SKEW_DEG else 0.0
    return 0.0


def deskew(gray: np.ndarray, angle: float, fill: int = 255) -> np.ndarray:
    """Rotate so that the rules are level (about the image centre). The
    corners brought in are filled with ``fill``: the paper's own grey (a white
    fill on off-white paper has an edge, which reads as a rule)."""
    if abs(angle) < MIN_SKEW_DEG:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


@dataclass
class Rules:
    binary: np.ndarray  # ink = 255
    hlabels: np.ndarray  # connected components of the horizontal-rule mask
    vlabels: np.ndarray
    segments: list[Segment]  # in points
    # For each segment: (horizontal?, its component label).
    sources: list[tuple[bool, int]]
    # The rules the grids are built from (on a fax: the cell edges the
    # broken rules make up, see ``cell_edges``); None: ``segments``.
    edges: list[Segment] | None = None

    @property
    def grid_segments(self) -> list[Segment]:
        return self.segments if self.edges is None else self.edges


def find_rules(img: PageImage) -> Rules:
    """Candidate ruling lines on a (deskewed) page, as segments in points.

    Long strokes of large characters come out too; ``build_grids`` drops the
    ones that touch no table, and ``rule_mask`` keeps only those on a grid.
    """
    s = img.scale
    binary = binarize(img.gray, s, img.contrast)
    gap = max(2, round((BILEVEL_GAP_PT if img.bilevel else GAP_PT) * s))
    source = binary
    if img.bilevel:
        # Breaks shorter than the kernels would cut a rule into pieces the
        # opening drops: bridge them along each direction first.
        pre = max(2, round(BILEVEL_PRE_GAP_PT * s))
        h_src = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (pre, 1)))
        v_src = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, pre)))
    else:
        h_src = v_src = source
    hmask = _rule_mask(h_src, max(10, round(H_KERNEL_PT * s)), True, gap)
    vmask = _rule_mask(v_src, max(10, round(V_KERNEL_PT * s)), False, gap)
    # Rules hang together into a network at least RULE_COMPONENT_PT long;
    # long strokes of big characters that passed the kernels stay small.
    network = cv2.dilate(cv2.bitwise_or(hmask, vmask), cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    keep = large_components(network, RULE_COMPONENT_PT * s)
    hmask = cv2.bitwise_and(hmask, keep)
    vmask = cv2.bitwise_and(vmask, keep)
    segs: list[Segment] = []
    sources: list[tuple[bool, int]] = []
    labels = []
    for mask, horizontal in ((hmask, True), (vmask, False)):
        n, lab, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        labels.append(lab)
        for i in range(1, n):
            x, y, w, h, _area = stats[i]
            if horizontal:
                if h > max(3 * s, 0.5 * w):  # a blob, not a rule
                    continue
                if img.bilevel:
                    x, w = _off_text(binary, x, y, w, h, s)
                    if w <= 0:
                        continue
                yc = (y + h / 2.0) / s
                segs.append(Segment(x / s, yc, (x + w) / s, yc))
            else:
                if w > max(3 * s, 0.5 * h):
                    continue
                xc = (x + w / 2.0) / s
                segs.append(Segment(xc, y / s, xc, (y + h) / s))
            sources.append((horizontal, i))
    edges = None
    if img.bilevel:
        # Hairline rules a fax cut into dashes too short for the kernels
        # (label 0: no component of the masks; the grid's lines stand for them).
        # Their ends are carried on to the rules they run to first: a dashed
        # rule's last dash lies anywhere short of the crossing.
        dashed = extend_to_crossings(segs + dashed_rules(binary, s, segs), DASHED_BRIDGE_PT, SNAP)[len(segs) :]
        segs += dashed
        sources += [(g.top == g.bottom, 0) for g in dashed]
        segs, sources = _crossing_only(segs, sources, 2.0 * SNAP)
        segs = extend_to_crossings(segs, BILEVEL_REACH_PT, SNAP)
        edges = cell_edges(segs, SNAP)
    else:
        # Text touching a rule in a photo's soft light can cut the rule short
        # of the crossing it ends at: carried on to it (no table leaves a gap
        # between a rule and the rule it runs to).
        edges = extend_to_crossings(segs, REACH_PT, SNAP, cut=False)
    return Rules(binary, labels[0], labels[1], segs, sources, edges)


# A hairline rule (thinner than a pixel at 150 dpi, often light grey) that a
# fax thresholds comes out as dashes: where the skewed line falls across two
# pixel rows, or the toner is thin, its grey stays above the threshold. The
# dashes lie on one pixel row (after deskewing) across the whole table, which
# no text does; the rules across it have mostly vanished (a vertical hairline
# steps a pixel every few points), but leave a nub at each crossing, where the
# two greys added up: on one column, on most of the dashed rules.
DASH_THICK_PT = 1.2  # a dash is no thicker than this ...
DASH_MIN_PT = 2.0  # ... and at least this long
DASHED_MIN_PT = 72.0  # a dashed rule's dashes spread over at least this length ...
DASHED_SHARE = 0.15  # ... inked along this share of it ...
DASHED_MEAN_PT = 6.0  # ... in dashes this long on average (a line of thin text thresholds into bars of 2-5 pt)
DASHED_MEAN_V_PT = 7.0  # ... a vertical one's (the strokes of a column of glyphs repeated row under row: 5-7 pt)
# Dashes this far apart are one rule (a merged cell's open side is a cell
# wide, no stretch of it inked).
DASHED_BRIDGE_PT = 60.0
NUB_BAND_PT = (0.9, 2.4)  # a crossing rule's nub: ink this far above or below the dashed rule ...
NUB_SHARE = 0.4  # ... at one x on this share of the dashed rules spanning it (at least NUB_MIN)
NUB_MIN = 3
NUB_MIN_SCALE = 1.5  # px per pt: below this, no nubs are looked for


def dashed_rules(binary: np.ndarray, s: float, known: Sequence[Segment] = ()) -> list[Segment]:
    """A fax's hairline rules broken into collinear dashes, as segments in
    points: the horizontal ones from their dashes (bridged over
    DASHED_BRIDGE_PT), and the vertical ones from the nubs they leave on
    them (each cell side between two dashed rules with a nub at one end)."""
    lines = [ln for ln in (_trimmed(ln, s) for ln in _dash_lines(binary, s)) if ln[1] and _dashed(ln, s)]
    # Where the kernels found the rule already, its dashes add nothing, and
    # its crossings are found too: no nubs are looked for on it.
    new = [not _known(ln, s, known, True) for ln in lines]
    if not any(new):
        return []
    out: list[Segment] = []
    for (y, pieces), fresh in zip(lines, new):
        if not fresh:
            continue
        for a, b in _union(sorted(pieces), DASHED_BRIDGE_PT * s):
            out.append(Segment(a / s, y / s, b / s, y / s))
    # Vertical hairlines where their dashes are left (the same glyph down a
    # column, 是 under 是, lines up its strokes: they are shorter).
    columns = np.ascontiguousarray(binary.T)
    for x, pieces in (_trimmed(ln, s) for ln in _dash_lines(columns, s)):
        if pieces and _dashed((x, pieces), s, DASHED_MEAN_V_PT) and not _known((x, pieces), s, known, False):
            for a, b in _union(sorted(pieces), DASHED_BRIDGE_PT * s):
                out.append(Segment(x / s, a / s, x / s, b / s))
    if s < NUB_MIN_SCALE:
        return out  # a nub is a pixel or two from the rule: at a low-resolution look, text touches as near
    # Nubs: narrow ink (no horizontal run of 4 px) just above and below each
    # line; a side is looked for only next to a dashed rule (where the rules
    # are whole, so are the ones across them: the kernels find those, and
    # text beside a rule would make nubs).
    narrow = cv2.bitwise_and(
        binary, cv2.bitwise_not(cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((1, 4), np.uint8)))
    )
    w = binary.shape[1]
    near, far = max(1, round(NUB_BAND_PT[0] * s)), max(2, round(NUB_BAND_PT[1] * s))
    above, below, spans = [], [], np.zeros(w, np.int32)
    extent = []  # each line's span, in px
    reach = DASHED_BRIDGE_PT * s
    for y, pieces in lines:
        yi = round(y)
        lo, hi = round(min(a for a, _ in pieces)), round(max(b for _, b in pieces))
        extent.append((lo, hi))
        marks = []
        for r0, r1 in ((yi - far, yi - near + 1), (yi + near, yi + far + 1)):
            inked = np.asarray((narrow[max(0, r0) : max(0, r1)] > 0).any(axis=0), np.uint8).reshape(1, -1)
            widened = np.asarray(cv2.dilate(inked, np.ones((1, 3), np.uint8)))
            m = widened[0] > 0  # a pixel of skew either way
            m[:lo] = False
            m[hi:] = False
            marks.append(m)
        above.append(marks[0])
        below.append(marks[1])
        spans[lo:hi] += 1
    count = np.sum([a | b for a, b in zip(above, below)], axis=0)
    peak = count == cv2.dilate(count.astype(np.float32)[None, :], np.ones((1, 7), np.uint8))[0]
    cols = np.nonzero(peak & (count >= np.maximum(NUB_MIN, NUB_SHARE * spans)))[0]
    xs: list[int] = []
    for c in cols:  # one column per plateau of equal counts
        if not xs or c - xs[-1] > 3:
            xs.append(int(c))
    for x in xs:
        # A side with a nub at one end; one alone (no side above or below
        # it) needs both: a glyph touching a rule makes a nub anywhere.
        one = [bool(below[k][x] or above[k + 1][x]) for k in range(len(lines) - 1)]
        both = [bool(below[k][x] and above[k + 1][x]) for k in range(len(lines) - 1)]
        # Only next to a dashed rule, and with no rule between the two: a
        # side is one row's.
        sides = [
            (lines[k][0], lines[k + 1][0])
            for k in range(len(one))
            if (new[k] or new[k + 1])
            # a side ends on a rule at both ends: x within both lines' reach
            # (their ends are carried on DASHED_BRIDGE_PT; a title's glyph tops
            # above the table make a short "rule", and the frame's corner nub
            # far beyond it is no side up to it)
            and all(extent[j][0] - reach <= x <= extent[j][1] + reach for j in (k, k + 1))
            and not any(
                g.top == g.bottom
                and g.x0 <= x / s <= g.x1
                and lines[k][0] / s + SNAP < g.top < lines[k + 1][0] / s - SNAP
                for g in known
            )
            and (both[k] or (one[k] and ((k > 0 and one[k - 1]) or (k + 1 < len(one) and one[k + 1]))))
        ]
        for top, bottom in _union(sides):
            out.append(Segment(x / s, top / s, x / s, bottom / s))
    return out


def _dash_lines(binary: np.ndarray, s: float) -> list[tuple[float, list[tuple[int, int]]]]:
    """Horizontal dashes (thin runs of ink, apart from the strokes across
    them) grouped by the pixel row they lie on: (row, [(x0, x1), ...])."""
    k = max(3, round(DASH_MIN_PT * s))
    thick = max(2, round(DASH_THICK_PT * s)) + 1
    along = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    tall = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, thick)))
    thin = cv2.morphologyEx(
        cv2.bitwise_and(along, cv2.bitwise_not(tall)), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1))
    )
    n, _, stats, _ = cv2.connectedComponentsWithStats(thin, connectivity=8)
    if n <= 1:
        return []
    st = stats[1:]
    ys = st[:, cv2.CC_STAT_TOP] + st[:, cv2.CC_STAT_HEIGHT] / 2.0
    groups: list[list[tuple[float, int, int]]] = []
    for i in np.argsort(ys, kind="stable"):
        x0 = int(st[i, cv2.CC_STAT_LEFT])
        item = (float(ys[i]), x0, x0 + int(st[i, cv2.CC_STAT_WIDTH]))
        if groups and item[0] - groups[-1][-1][0] <= 1.0:
            groups[-1].append(item)
        else:
            groups.append([item])
    return [(float(np.mean([y for y, _, _ in g])), [(a, b) for _, a, b in g]) for g in groups]


def _trimmed(line: tuple[float, list[tuple[int, int]]], s: float) -> tuple[float, list[tuple[int, int]]]:
    """The line without the dashes at its ends shorter than twice DASH_MIN_PT:
    bars of the glyphs in a line of text beside a rule lie on its row too."""
    y, pieces = line
    pieces = sorted(pieces)
    end = min(max(b - a for a, b in pieces), 2 * DASH_MIN_PT * s)
    lo, hi = 0, len(pieces)
    while lo < hi and pieces[lo][1] - pieces[lo][0] < end:
        lo += 1
    while hi > lo and pieces[hi - 1][1] - pieces[hi - 1][0] < end:
        hi -= 1
    return y, pieces[lo:hi]


def _known(line: tuple[float, list[tuple[int, int]]], s: float, known: Sequence[Segment], horizontal: bool) -> bool:
    """Does one segment the kernels found lie along the line over half of its
    extent? (Pieces of it, each too short to reach a crossing, are dropped.)"""
    y, pieces = line
    lo, hi = min(a for a, _ in pieces) / s, max(b for _, b in pieces) / s
    cover = [
        (max(lo, g.x0 if horizontal else g.top), min(hi, g.x1 if horizontal else g.bottom))
        for g in known
        if (g.top == g.bottom) == horizontal and abs((g.top if horizontal else g.x0) - y / s) <= SNAP
    ]
    return any(b - a >= 0.5 * (hi - lo) for a, b in cover)


def _dashed(line: tuple[float, list[tuple[int, int]]], s: float, mean_pt: float = DASHED_MEAN_PT) -> bool:
    _, pieces = line
    lo, hi = min(a for a, _ in pieces), max(b for _, b in pieces)
    ink = sum(b - a for a, b in pieces)
    return (
        hi - lo >= DASHED_MIN_PT * s
        and len(pieces) >= 3
        and ink >= DASHED_SHARE * (hi - lo)
        and ink >= mean_pt * s * len(pieces)
    )


EDGE_INKED_SHARE = 0.5  # a fax's rule inked along this share of a cell's side is that side


def cell_edges(segs: Sequence[Segment], tol: float) -> list[Segment]:
    """A fax's broken rules as whole cell sides: along each rule, between
    each two rules crossing it, the side is there when the rule's pieces
    cover EDGE_INKED_SHARE of it, and then all of it; pieces covering less
    are dropped. A piece of a rule ending between two crossings would be
    an edge of its own, splitting the columns (rows) it ends in. Rules
    across first, then the ones along them against those."""
    hs = [g for g in segs if g.top == g.bottom]
    vs = [g for g in segs if g.top != g.bottom]
    hs = _sides(hs, vs, True, tol)
    vs = _sides(vs, hs, False, tol)
    return hs + vs


def _sides(lines: list[Segment], across: list[Segment], horizontal: bool, tol: float) -> list[Segment]:
    def pos(g: Segment) -> float:
        return g.top if horizontal else g.x0

    def span(g: Segment) -> tuple[float, float]:
        return (g.x0, g.x1) if horizontal else (g.top, g.bottom)

    out: list[Segment] = []
    lines = sorted(lines, key=pos)
    groups: list[list[Segment]] = []
    for g in lines:
        if groups and pos(g) - pos(groups[-1][-1]) <= tol:
            groups[-1].append(g)
        else:
            groups.append([g])
    for group in groups:
        weights = [max(1e-6, span(g)[1] - span(g)[0]) for g in group]
        p = sum(pos(g) * w for g, w in zip(group, weights)) / sum(weights)
        pieces = sorted(span(g) for g in group)
        lo, hi = pieces[0][0], max(b for _, b in pieces)
        stops = sorted(
            {
                round(b.x0 if horizontal else b.top, 2)
                for b in across
                if (b.top - tol <= p <= b.bottom + tol if horizontal else b.x0 - tol <= p <= b.x1 + tol)
                and lo - tol <= (b.x0 if horizontal else b.top) <= hi + tol
            }
        )
        stops = [x for k, x in enumerate(stops) if k == 0 or x - stops[k - 1] > tol]
        if len(stops) < 2:
            out.extend(group)
            continue
        inked_runs = _union(pieces)
        # Beyond the outermost crossings the pieces stay as they are (a
        # table's sides run on past its last rule where a page break leaves
        # it open).
        keep = [(x, min(y, stops[0])) for x, y in inked_runs if x < stops[0] - tol]
        keep += [(max(x, stops[-1]), y) for x, y in inked_runs if y > stops[-1] + tol]
        for a, b in itertools.pairwise(stops):
            inked = sum(max(0.0, min(b, y) - max(a, x)) for x, y in inked_runs)
            if inked >= EDGE_INKED_SHARE * (b - a):
                keep.append((a, b))
        out.extend(_at(p, a, b, horizontal) for a, b in _union(sorted(keep), tol))
    return out


def _union(pieces: list[tuple[float, float]], tol: float = 0.0) -> list[tuple[float, float]]:
    """Sorted intervals merged where they overlap or come within ``tol``."""
    merged: list[list[float]] = []
    for a, b in pieces:
        if merged and a <= merged[-1][1] + tol:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _at(p: float, a: float, b: float, horizontal: bool) -> Segment:
    return Segment(a, p, b, p) if horizontal else Segment(p, a, p, b)


STRADDLE_PT = 1.5  # how far above and below a rule its cells' text keeps clear
STRADDLE_WINDOW_PT = 9.0  # judged over about a character's width
STRADDLED_SHARE = 0.35  # ... a stretch with ink on both sides along this share of it is text


def _off_text(binary: np.ndarray, x: int, y: int, w: int, h: int, s: float) -> tuple[int, int]:
    """A horizontal rule's extent without the ends that run through a line of
    text (x, width in pixels). On a fax the bars of bold characters threshold
    into strokes that join a real rule where the text lies on its line (a
    merged cell's label printed across the row boundary beside it); carried
    on, the rule would cut the merged cell in two. A rule has its cells'
    blank padding above and below it; a row of strokes has the rest of the
    glyphs on both sides."""
    d = max(2, round(STRADDLE_PT * s))
    above = binary[max(0, y - d) : y, x : x + w]
    below = binary[y + h : y + h + d, x : x + w]
    if above.shape[0] == 0 or below.shape[0] == 0:
        return x, w
    both = ((above > 0).any(axis=0) & (below > 0).any(axis=0)).astype(np.int32)
    k = max(3, round(STRADDLE_WINDOW_PT * s))
    if both.size < k:
        return x, w
    sums = np.concatenate(([0], np.cumsum(both)))
    window = (sums[k:] - sums[:-k]) / k  # window[i]: the share over [i, i + k)
    left, right = 0, w
    while left < w - k and window[left] >= STRADDLED_SHARE:  # text from the left end on
        left += 1
    while right - k > left and window[right - k] >= STRADDLED_SHARE:  # ... and from the right end
        right -= 1
    return x + left, right - left


def _crossing_only(
    segs: list[Segment], sources: list[tuple[bool, int]], tol: float
) -> tuple[list[Segment], list[tuple[bool, int]]]:
    """Segments that meet a perpendicular one. On a fax, a lone line is a
    streak from the scanner glass or a dropout's stub, not a table's rule."""

    def meets(a: Segment, b: Segment) -> bool:
        h, v = (a, b) if a.top == a.bottom else (b, a)
        return h.x0 - tol <= v.x0 <= h.x1 + tol and v.top - tol <= h.top <= v.bottom + tol

    keep = [
        k
        for k, a in enumerate(segs)
        if any((a.top == a.bottom) != (b.top == b.bottom) and meets(a, b) for b in segs)
    ]

    def alongside(a: Segment, b: Segment) -> bool:
        """Parallel, and ending where ``b`` ends at both ends: the other
        side of a spanned column that no rule crosses on this page (a
        streak from the glass runs the page's length, not the table's)."""
        if (a.top == a.bottom) != (b.top == b.bottom) or a == b:
            return False
        if a.top == a.bottom:
            return abs(a.x0 - b.x0) <= tol and abs(a.x1 - b.x1) <= tol and a.x1 - a.x0 >= PARALLEL_MIN_PT
        return abs(a.top - b.top) <= tol and abs(a.bottom - b.bottom) <= tol and a.bottom - a.top >= PARALLEL_MIN_PT

    kept = [segs[k] for k in keep]
    keep = sorted(set(keep) | {k for k, a in enumerate(segs) if any(alongside(a, b) for b in kept)})
    return [segs[k] for k in keep], [sources[k] for k in keep]


PARALLEL_MIN_PT = 72.0  # a lone rule kept beside a crossed one is at least this long


def extend_to_crossings(segs: list[Segment], reach: float, tol: float, cut: bool = True) -> list[Segment]:
    """A fax's rule ends snapped to the perpendicular rules they meet.

    On a fax a rule breaks at its ends too, where no closing can bridge it,
    or sticks out past a crossing by a speck; an end off every crossing is a
    spurious fine edge that splits or merges cells (and breaks stitching).
    So each end of a piece at least ``reach`` long (shorter ones are long
    strokes of bold characters) is carried on to the nearest perpendicular
    within ``reach``, else cut back to one it sticks out past by at most
    OVERSHOOT_PT (not without ``cut``). Horizontals first, then verticals
    against the snapped horizontals."""
    out = list(segs)
    for horizontal in (True, False):
        across = [s for s in out if (s.top == s.bottom) != horizontal]
        for k, a in enumerate(out):
            if (a.top == a.bottom) != horizontal:
                continue
            pos = a.top if horizontal else a.x0
            lo, hi = (a.x0, a.x1) if horizontal else (a.top, a.bottom)
            if hi - lo < reach:
                continue  # a long stroke of a bold character, not a piece of a rule
            stops = sorted(
                (b.x0 if horizontal else b.top)
                for b in across
                if ((b.top - reach <= pos <= b.bottom + reach) if horizontal else (b.x0 - reach <= pos <= b.x1 + reach))
            )
            if not stops:
                continue
            lo, hi = _snap_end(lo, hi, stops, reach, tol, -1, cut), _snap_end(hi, lo, stops, reach, tol, 1, cut)
            out[k] = Segment(lo, a.top, hi, a.bottom) if horizontal else Segment(a.x0, lo, a.x1, hi)
    return out


OVERSHOOT_PT = 6.0


def _snap_end(
    end: float, other: float, stops: list[float], reach: float, tol: float, outward: int, cut: bool = True
) -> float:
    """Where one end of a rule (``outward`` = -1 for its low end) should be."""
    if any(abs(x - end) <= tol for x in stops):
        return end
    beyond = [x for x in stops if (x - end) * outward > 0]
    within = [x for x in stops if (x - end) * outward < 0 and (x - other) * outward > 0]
    nearest_out = min(beyond, key=lambda x: abs(x - end)) if beyond else None
    nearest_in = min(within, key=lambda x: abs(x - end)) if within else None
    if nearest_out is not None and abs(nearest_out - end) <= reach:
        return nearest_out
    if cut and nearest_in is not None and abs(nearest_in - end) <= OVERSHOOT_PT:
        return nearest_in
    return end


def large_components(binary: np.ndarray, min_len: float) -> np.ndarray:
    """The ink of connected pieces at least ``min_len`` long or tall."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    keep = (stats[:, cv2.CC_STAT_WIDTH] >= min_len) | (stats[:, cv2.CC_STAT_HEIGHT] >= min_len)
    keep[0] = False
    return keep[labels].astype(np.uint8) * 255


def rule_mask(rules: Rules, grids: Sequence[Grid], scale: float, tol: float = SNAP) -> np.ndarray:
    """Pixels of the rules that lie on a grid line of one of the grids
    (widened a little), as a 0/255 mask."""
    keep_h = np.zeros(int(rules.hlabels.max()) + 1, dtype=bool)
    keep_v = np.zeros(int(rules.vlabels.max()) + 1, dtype=bool)
    for seg, (horizontal, label) in zip(rules.segments, rules.sources):
        if label <= 0:
            continue  # found from dashes: no component of the masks
        for g in grids:
            x0, top, x1, bottom = g.bbox
            if horizontal:
                on = seg.x1 >= x0 - tol and seg.x0 <= x1 + tol and any(abs(seg.top - y) <= tol for y in g.row_edges)
            else:
                on = (
                    seg.bottom >= top - tol
                    and seg.top <= bottom + tol
                    and any(abs(seg.x0 - x) <= tol for x in g.col_edges)
                )
            if on:
                (keep_h if horizontal else keep_v)[label] = True
                break
    mask = (keep_h[rules.hlabels] | keep_v[rules.vlabels]).astype(np.uint8) * 255
    pad = max(3, round(0.6 * scale) | 1)
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (pad, pad)))


def grid_lines(grids: Sequence[Grid], scale: float, shape: tuple[int, ...]) -> np.ndarray:
    """Every cell's outline as a 0/255 mask, widened like ``rule_mask``: on a
    fax, where a rule broke, the grid still says where it runs."""
    mask = np.zeros(shape[:2], np.uint8)
    for g in grids:
        for cell in g.cells:
            x0, top, x1, bottom = (round(v * scale) for v in cell.bbox)
            cv2.rectangle(mask, (x0, top), (x1, bottom), 255, 1)
    pad = max(3, round(0.6 * scale) | 1)
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (pad, pad)))


def text_ink(
    binary: np.ndarray, lines: np.ndarray, min_area: int = 3, grainy: bool = False, stub_band: int = 0
) -> np.ndarray:
    """Ink that is not a rule, without specks.

    Specks are dropped by size. Only a grainy scan also gets a small opening:
    on a clean render it would erase the one-pixel strokes of small text
    (一, 二, =), which a scan blurs to two pixels or more. With ``stub_band``
    (a fax), ink lying wholly within that many pixels of a rule is a stub of
    a broken rule, not text.
    """
    ink = cv2.bitwise_and(binary, cv2.bitwise_not(lines))
    if grainy:
        ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2, 2)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    keep[0] = False
    if stub_band > 0:
        band = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * stub_band + 1, 2 * stub_band + 1)))
        reaches_out = np.zeros(n, dtype=bool)
        reaches_out[np.unique(labels[(ink > 0) & (band == 0)])] = True
        keep &= reaches_out
    return keep[labels].astype(np.uint8) * 255


def clear_edge_rules(ink: np.ndarray, box: tuple[int, int, int, int], scale: float) -> None:
    """Within a cell, wipe what is left of its rules (a doubled or offset
    border line): near an edge, columns (rows) inked over most of the cell's
    height (width). In place."""
    x0, top, x1, bottom = box
    region = ink[top:bottom, x0:x1]
    if region.size == 0:
        return
    h, w = region.shape
    near = max(2, round(2.0 * scale))
    on = region > 0
    cols = on.sum(axis=0)
    for c in list(range(min(near, w))) + list(range(max(0, w - near), w)):
        if cols[c] >= 0.7 * h:
            region[:, c] = 0
    rows = on.sum(axis=1)
    for r in list(range(min(near, h))) + list(range(max(0, h - near), h)):
        if rows[r] >= 0.7 * w:
            region[r, :] = 0


@dataclass(frozen=True)
class Strip:
    """One line of text in pixels: ink box within a region."""

    x0: int
    top: int
    x1: int
    bottom: int


def runs(profile: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """[start, end) runs of non-zero entries, joining runs closer than min_gap."""
    on = np.flatnonzero(profile > 0)
    if on.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(on) > min_gap)
    starts = np.concatenate(([on[0]], on[breaks + 1]))
    ends = np.concatenate((on[breaks], [on[-1]])) + 1
    return list(zip(starts.tolist(), ends.tolist()))


BODY_PT = 9.0  # a typical body size, for judging fragments before any text is read


TWO_LINES_EM = 1.7  # a band of ink this tall (ems) may be two lines joined by specks


def _split_at_valleys(rows: np.ndarray, band: tuple[int, int], faint: float, tall: float) -> list[tuple[int, int]]:
    """A band too tall for one line, cut in the middle of each run of rows
    with no more than ``faint`` ink (specks in the gap between two lines);
    every row of ink stays in a piece."""
    a, b = band
    if b - a < tall:
        return [band]
    gaps = runs(np.where(rows[a:b] <= faint, 1, 0), 1)
    cuts = [a + (g0 + g1) // 2 for g0, g1 in gaps if g0 > 0 and g1 < b - a]
    if not cuts:
        return [band]
    edges = [a, *cuts, b]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


DIP_SHARE = 0.3  # a row with this share of the ink of the lines on either side is the gap between them
LINE_MIN_EM = 0.6  # ... when each side is at least this tall


def _split_at_dips(rows: np.ndarray, band: tuple[int, int], em: float) -> list[tuple[int, int]]:
    """A band too tall for one line (TWO_LINES_EM), cut at its deepest dip
    in ink between two lines, again and again: lines set tight, whose gap
    a scan's grain or a comma and a quote mark bridge, have no blank row
    between them but far less ink there than in either line."""
    a, b = band
    min_line = max(2, round(LINE_MIN_EM * em))
    if b - a < TWO_LINES_EM * em or b - a < 2 * min_line:
        return [band]
    seg = rows[a:b].astype(np.float64)
    reach = max(2, round(em))
    best, best_depth = -1, 1.0
    for i in range(min_line, len(seg) - min_line):
        left, right = seg[max(0, i - reach) : i].max(), seg[i + 1 : i + 1 + reach].max()
        depth = seg[i] / max(1.0, min(left, right))
        if depth <= DIP_SHARE and depth < best_depth and seg[i] <= seg[i - 1] and seg[i] <= seg[i + 1]:
            best, best_depth = i, depth
    if best < 0:
        return [band]
    return _split_at_dips(rows, (a, a + best), em) + _split_at_dips(rows, (a + best, b), em)


def text_strips(
    ink: np.ndarray,
    box: tuple[int, int, int, int],
    scale: float,
    split_words: bool = False,
    min_ink: float = 0.3,
    speck_em: float = 0.0,
) -> list[Strip]:
    """Lines of text inside a pixel box, top to bottom.

    Rows of ink are split where a blank band runs across the whole box; pieces
    too thin to be a line on their own (a stroke of 二, the bars of =) join
    their neighbour. A line with less ink than ``min_ink`` ems of stroke is a
    speck (a lone "-" has more). With ``split_words`` a line is also cut at
    wide blank columns (free text: a title and a page number on one band are
    two lines). With ``speck_em`` (a fax), a band too tall for one line is
    cut where its rows hold no more ink than that share of an em: specks in
    the gap between two lines of a cell would join them into one crop, which
    the model reads as one line, losing the other.
    """
    x0, top, x1, bottom = box
    region = ink[top:bottom, x0:x1]
    if region.size == 0:
        return []
    em = BODY_PT * scale
    min_px = max(2, round(0.8 * scale))
    rows = (region > 0).sum(axis=1)
    bands = runs(rows, 1)
    if not bands:
        return []
    if speck_em:
        bands = [piece for band in bands for piece in _split_at_valleys(rows, band, speck_em * em, TWO_LINES_EM * em)]
    bands = [piece for band in bands for piece in _split_at_dips(rows, band, em)]
    # Join fragments of one line: pieces whose union is no taller than a line.
    heights = sorted(b - a for a, b in bands)
    line_h = max(heights[len(heights) // 2], heights[-1] if len(heights) <= 2 else 0, int(0.6 * em))
    merged: list[list[int]] = []
    for a, b in bands:
        if merged:
            pa, pb = merged[-1]
            close = (b - pa) <= 1.25 * line_h and (a - pb) <= max(min_px, 0.45 * line_h)
            if close and min(pb - pa, b - a) < 0.7 * line_h:
                merged[-1][1] = b
                continue
        merged.append([a, b])
    out: list[Strip] = []
    for a, b in merged:
        if rows[a:b].sum() < min_ink * em:
            continue
        cols = (region[a:b] > 0).sum(axis=0)
        if split_words:
            pieces = runs(cols, max(min_px, int(2.5 * (b - a))))
        else:
            pieces = runs(cols, cols.size)
        for c0, c1 in pieces:
            sub = region[a:b, c0:c1]
            if sub.sum() == 0 or (split_words and (sub > 0).sum() < min_ink * em):
                continue
            r = np.flatnonzero(sub.sum(axis=1))
            out.append(Strip(x0 + c0, top + a + int(r[0]), x0 + c1, top + a + int(r[-1]) + 1))
    return out
