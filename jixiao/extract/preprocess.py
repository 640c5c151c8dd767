"""Page images as offices scan them: colour, seals, sideways pages, photos, faxes.

``prepare`` turns a PDF page into the grey, upright, level page image the OCR
engine reads (``raster.PageImage``), in this order:

1. render at the page's own density, in colour (a 1-bit scan in grey);
2. stamp ink (red or blue seals, 公章 and 骑缝章) is taken out of the grey
   image: where the ink is saturated red/blue, the grey becomes its brightest
   channel divided by the ink's, so the seal turns into paper while black
   print under it stays black; where the seals were is kept (``stamps``);
3. the paper is found (bright against a scanner bed's dark edge or a desk):
   around it everything becomes paper; a photographed sheet whose corners
   are not square is rectified to a rectangle (perspective), at the scale of
   an A4 sheet;
4. text-line direction (ink blobs joined along a line are wide on an upright
   page, tall on a sideways one) turns a sideways page upright; upside down
   is decided later by the recogniser (``ocr``), which reads text both ways;
5. a bilevel (fax) page loses its isolated specks;
6. the skew is taken out (``raster``), filling with the paper's colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from . import raster

# OpenCV hue is 0..180: red wraps round 0, blue sits near 120.
RED_HUES = ((0, 12), (160, 180))
BLUE_HUES = ((95, 130),)
STAMP_MIN_SAT = 70  # stamp-pad ink is saturated; print, paper and grain are not
STAMP_MIN_CHROMA = 60  # red minus the larger of green and blue (or blue minus ...)
STAMP_MIN_VALUE = 70  # ... and not dark (black print over the seal stays print)
STAMP_MIN_PT = 20.0  # an ink blob at least this wide is a seal (or its slice), not a coloured tick
PAPER_MIN_SHARE = 0.25  # the paper covers at least this much of a photo
PHOTO_MAX_SHARE = 0.93  # a sheet covering less than this may be a photo (a desk round it)
EDGE_FREE_SHARE = 0.995  # a sheet covering more than this has no border to paint out
A4_SHORT_PT = 595.3
SHEET_PX = 1000.0  # the sheet is looked for at this size
PAPER_MAX_SAT = 40  # paper's saturation (0-255), in light or shadow
SHADOW_SHARE = 0.5  # a shadow leaves the paper at least this share of the threshold
EDGE_MARGIN = 0.005  # share of the page painted inside the sheet's outline
PHOTO_EDGE_MARGIN = 0.015  # ... in a photo (~9 pt: forms keep wider margins than that)
PERSPECTIVE_MIN_RATIO = 0.015  # opposite sides of the sheet this much apart in length ...
PERSPECTIVE_MIN_DEG = 0.8  # ... or in direction: a photo, not a flat scan
SPECK_PT = 2.0  # a bilevel blob no larger than this square (in points) ...
SPECK_ALONE_PT = 2.5  # ... with no other ink this close is a speck
COLON_GAP_PT = (2.0, 4.5)  # ... unless it is a dot of a colon: its twin this far above or below,
COLON_TEXT_PT = 6.0  # ... and text this close on either side
STREAK_SHARE = 0.9  # a column inked alone in this share of the page's height bands is a streak
STREAK_BANDS = 40
STAMP_RESIDUE = 0.7  # inside a seal, lifted grey above this share of the paper's is paper
ORIENT_MIN_BLOBS = 5  # judge text direction on at least this many line blobs


@dataclass(frozen=True)
class ScanSettings:
    """What ``prepare`` does to a page (all on by default)."""

    remove_stamps: bool = True
    find_paper: bool = True
    orient: bool = True
    despeckle: bool = True


@dataclass
class Prepared:
    """Steps taken on a page, for ``PageInfo.reason`` and warnings."""

    stamps: list[tuple[float, float, float, float]] = field(default_factory=list)  # boxes in points
    steps: list[str] = field(default_factory=list)


def prepare(page: object, settings: ScanSettings | None = None, dpi: float | None = None) -> raster.PageImage:
    """The OCR-ready image of a PDF page (see the module's docstring)."""
    settings = settings or ScanSettings()
    images = raster.page_images(page)
    if dpi is None:
        dpi = raster.page_dpi(page, images)
    bilevel = bool(images) and images[0].cover >= 0.5 and images[0].bits == 1
    scale = dpi / 72.0
    done = Prepared()
    neutral = None
    if bilevel:
        gray, scale = raster.render(page, dpi)
        # Rendering resamples the bits a little (grey edges, faint specks):
        # back to two levels, so a speck is a speck whatever its grey.
        gray = np.where(gray < 192, 0, 255).astype(np.uint8)
        stamp_mask = None
    else:
        rgb = render_rgb(page, scale)
        gray, stamp_mask = remove_stamp_ink(rgb, scale) if settings.remove_stamps else (_to_gray(rgb), None)
        neutral = neutral_share(rgb)
        del rgb
    if settings.find_paper and not bilevel:  # a fax has no desk round it
        gray, stamp_mask, scale = cut_out_paper(gray, stamp_mask, scale, done, neutral)
    if settings.orient and text_is_vertical(gray, scale):
        gray = np.ascontiguousarray(np.rot90(gray, 1))
        stamp_mask = None if stamp_mask is None else np.ascontiguousarray(np.rot90(stamp_mask, 1))
        done.steps.append("turned 90°")
    if bilevel and settings.despeckle:
        gray = despeckle(remove_streaks(gray), scale)
        done.steps.append("despeckled")
    contrast = raster.ink_contrast(gray)
    angle = raster.estimate_skew(gray, scale, contrast)
    paper = paper_level(gray)
    if abs(angle) >= raster.MIN_SKEW_DEG:
        gray = raster.deskew(gray, angle, fill=paper)
        if stamp_mask is not None:
            stamp_mask = raster.deskew(stamp_mask, angle, fill=0)
    else:
        angle = 0.0
    if stamp_mask is not None:
        done.stamps = stamp_boxes(stamp_mask, scale)
    return raster.PageImage(
        gray, scale, angle, contrast, bilevel=bilevel, stamps=tuple(done.stamps), steps=tuple(done.steps)
    )


def render_rgb(page: object, scale: float) -> np.ndarray:
    bitmap = page.render(scale=scale, rev_byteorder=True)  # type: ignore[attr-defined]
    try:
        arr = bitmap.to_numpy()
        return np.array(arr[:, :, :3], dtype=np.uint8, copy=True)
    finally:
        bitmap.close()


def _to_gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def remove_stamp_ink(rgb: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray | None]:
    """(grey page without the stamp ink, mask of the stamps or None)."""
    gray = _to_gray(rgb)
    # Saturation and hue at a quarter of the size: a seal is large, and the
    # mask is widened anyway.
    small = cv2.resize(rgb, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    coloured = (sat >= STAMP_MIN_SAT) & (val >= STAMP_MIN_VALUE)
    # Stamp-pad red and blue are far from every other channel; brown (a
    # desk, a wooden table, a tan folder) is red-ish but not that far.
    r, g, b = (small[:, :, k].astype(np.int16) for k in range(3))
    red = (r - np.maximum(g, b) >= STAMP_MIN_CHROMA) & _hue_in(hue, RED_HUES)
    blue = (b - np.maximum(r, g) >= STAMP_MIN_CHROMA) & _hue_in(hue, BLUE_HUES)
    ink_small = (coloured & (red | blue)).astype(np.uint8) * 255
    if cv2.countNonZero(ink_small) < (STAMP_MIN_PT * scale / 4) ** 2 * 0.05:
        return gray, None
    # Seals: ink blobs that, joined up, are at least STAMP_MIN_PT wide.
    joined = cv2.dilate(ink_small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    big = np.zeros(n, dtype=bool)
    big[1:] = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]) >= STAMP_MIN_PT * scale / 4
    if not big.any():
        return gray, None
    # A seal is round (or a slice of one at the edge): its whole outline, so
    # that lettering and code digits inside the ring, too faint to count as
    # ink at this size, are in it.
    region_small = np.zeros_like(ink_small)
    for i in np.flatnonzero(big):
        contours, _ = cv2.findContours((labels == i).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.fillPoly(region_small, [cv2.convexHull(np.vstack(contours))], 255)
    region = cv2.resize(region_small, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    # Inside the seals' region: the brightest channel, scaled so that the ink
    # itself becomes paper. Black print under the ink has every channel low.
    brightest = rgb.max(axis=2)
    paper = paper_level(gray)
    ink_full = cv2.resize(ink_small, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    ink_level = float(np.median(brightest[region & ink_full])) if (region & ink_full).any() else float(paper)
    gain = paper / max(60.0, ink_level)
    lifted = np.clip(brightest[region].astype(np.float32) * gain, 0, 255)
    # JPEG keeps colour at half resolution: the seal's thin strokes and edges
    # come out greyish, a little darker than the ink. What is still nearer
    # the paper than black print is paper.
    lifted[lifted >= STAMP_RESIDUE * paper] = paper
    inside = gray[region]
    gray[region] = np.maximum(inside, lifted.astype(np.uint8))
    return gray, region_small


def _hue_in(hue: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    out = np.zeros(hue.shape, dtype=bool)
    for lo, hi in ranges:
        out |= (hue >= lo) & (hue <= hi)
    return out


def stamp_boxes(mask_small: np.ndarray, scale: float) -> list[tuple[float, float, float, float]]:
    """Boxes (points) of the stamps in a quarter-size mask."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask_small, connectivity=8)
    f = 4.0 / scale
    return [
        (float(x * f), float(y * f), float((x + w) * f), float((y + h) * f))
        for x, y, w, h, _area in stats[1:n]
        if max(w, h) * f >= STAMP_MIN_PT
    ]


def paper_level(gray: np.ndarray) -> int:
    """The paper's grey: the bright mode of the page."""
    hist = np.bincount(gray[::4, ::4].ravel(), minlength=256)
    return int(np.argmax(hist[128:]) + 128) if hist[128:].any() else 255


def neutral_share(rgb: np.ndarray) -> np.ndarray:
    """Saturation at ~1000 px: paper is neutral even in a shadow, a desk
    (wood, a coloured folder) is not."""
    h, w = rgb.shape[:2]
    f = min(1.0, SHEET_PX / max(h, w))
    small = cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2HSV)[:, :, 1]


def cut_out_paper(
    gray: np.ndarray,
    stamp_mask: np.ndarray | None,
    scale: float,
    done: Prepared,
    saturation: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Paint everything around the sheet in the paper's grey; rectify a
    photographed sheet (its corners not a square) to a rectangle."""
    h, w = gray.shape
    # ~1000 px: the corners must be found to a point or so, or the rectified
    # rules come out slanted (one rule read as two).
    f = min(1.0, SHEET_PX / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 2)
    otsu, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if saturation is not None and saturation.shape == small.shape:
        # A shadow darkens part of the sheet below the threshold: what is
        # neutral and not dark is paper too, against a coloured desk.
        lit = small > SHADOW_SHARE * otsu
        bright = cv2.bitwise_or(bright, ((saturation < PAPER_MAX_SAT) & lit).astype(np.uint8) * 255)
    # The sheet is the largest bright piece; print on it is bridged.
    k = max(3, round(0.022 * max(small.shape)))
    # (Padded with dark: at the frame a closing would swallow a narrow dark edge.)
    padded = cv2.copyMakeBorder(bright, k, k, k, k, cv2.BORDER_CONSTANT, value=0)
    padded = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bright = padded[k:-k, k:-k]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if n <= 1:
        return gray, stamp_mask, scale
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    share = stats[best, cv2.CC_STAT_AREA] / float(small.size)
    if share < PAPER_MIN_SHARE:
        return gray, stamp_mask, scale
    contours, _ = cv2.findContours((labels == best).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    sheet = np.zeros_like(small)
    cv2.fillPoly(sheet, [hull], 255)
    if cv2.countNonZero(sheet) >= EDGE_FREE_SHARE * small.size:
        return gray, stamp_mask, scale  # nothing round the sheet worth painting
    quad = _four_corners(hull)
    paper = paper_level(gray)
    if quad is not None and share <= PHOTO_MAX_SHARE and _is_photo(quad, small.shape):
        corners = quad / f
        top_w = float(np.linalg.norm(corners[1] - corners[0]))
        bot_w = float(np.linalg.norm(corners[2] - corners[3]))
        left_h = float(np.linalg.norm(corners[3] - corners[0]))
        right_h = float(np.linalg.norm(corners[2] - corners[1]))
        out_w, out_h = round((top_w + bot_w) / 2), round((left_h + right_h) / 2)
        dst = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float32)
        hom = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
        gray = cv2.warpPerspective(gray, hom, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=paper)
        # The corners are found on a blurred copy: a sliver of desk may line
        # an edge of the rectified sheet, and would read as a rule.
        e = max(3, round(PHOTO_EDGE_MARGIN * max(out_h, out_w)))
        _paint_margin(gray, e)
        if stamp_mask is not None:
            sm = cv2.resize(stamp_mask, (w, h), interpolation=cv2.INTER_NEAREST)
            sm = cv2.warpPerspective(sm, hom, (out_w, out_h), flags=cv2.INTER_NEAREST)
            stamp_mask = cv2.resize(sm, (out_w // 4, out_h // 4), interpolation=cv2.INTER_NEAREST)
        # A photo has no density of its own: the sheet is taken to be A4,
        # unless its text would then be smaller than any printed body text:
        # then it is the next A size up (A3; the aspect is the same).
        scale = min(out_w, out_h) / A4_SHORT_PT
        done.steps.append("photo: perspective rectified")
        text = body_text_pt(gray, scale)
        if text is not None and text < SMALL_TEXT_PT:
            scale /= math.sqrt(2.0)
            done.steps.append("photo: read as A3 (small text on A4)")
        return gray, stamp_mask, scale
    full = cv2.resize(sheet, (w, h), interpolation=cv2.INTER_NEAREST)
    # The sheet's outline was found on a blurred small copy: a sliver of the
    # dark edge lies inside it. Paint a little into the sheet too.
    e = max(5, round(EDGE_MARGIN * max(h, w)) | 1)
    full = cv2.erode(full, cv2.getStructuringElement(cv2.MORPH_RECT, (e, e)))
    gray = gray.copy()
    gray[full == 0] = paper
    done.steps.append("border painted out")
    return gray, stamp_mask, scale


def _ink_without_rules(gray: np.ndarray, scale: float, px_per_pt: float) -> tuple[np.ndarray, float]:
    """The page's ink at about ``px_per_pt`` pixels a point, rules (long thin
    runs either way) and what touches them taken out; and that scale."""
    f = min(1.0, px_per_pt / scale)
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    s = scale * f
    binary = raster.binarize(small, s, raster.ink_contrast(small))
    long_k = max(10, round(20 * s))
    rules = cv2.bitwise_or(
        cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_k, 1))),
        cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_k))),
    )
    return cv2.bitwise_and(binary, cv2.bitwise_not(cv2.dilate(rules, np.ones((3, 3), np.uint8)))), s


def body_text_pt(gray: np.ndarray, scale: float) -> float | None:
    """The height of the page's lines of text in points (the median of ink
    joined along lines, rules taken out), or None with too few lines to tell."""
    ink, s = _ink_without_rules(gray, scale, TEXT_PX_PER_PT)
    # Joined across the blank between characters (justified CJK leaves wide ones).
    k = max(2, round(3.0 * s))
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    w, h = stats[1:n, cv2.CC_STAT_WIDTH], stats[1:n, cv2.CC_STAT_HEIGHT]
    lines = h[(w >= 3 * h) & (h >= TEXT_MIN_PT * s) & (h <= 30 * s)]
    if lines.size < TEXT_MIN_LINES:
        return None
    return float(np.median(lines)) / s


TEXT_PX_PER_PT = 2.0  # the text's height is measured at this density
TEXT_MIN_LINES = 20  # ... from at least this many lines
TEXT_MIN_PT = 3.5  # lower ink joined along a line is no text (the rest of a rule a photo bent)
SMALL_TEXT_PT = 6.5  # lines of text lower than this on an A4 sheet: the sheet is larger


def _paint_margin(gray: np.ndarray, e: int) -> None:
    """Paint what is left of the desk along each edge, within ``e`` pixels,
    in the paper's grey next to it: at each point of the edge, the run of
    dark pixels from the image's border inwards (a sliver of desk starts at
    the border; a form's rule or text printed close to the sheet's edge has
    paper between it and the border, and stays). A photo's light falls off
    towards the edges: the grey is the paper's just inside, point by point.
    In place."""
    for side in range(4):
        view = np.rot90(gray, side)  # each side in turn as the top (a view: painted in place)
        band = view[:e]
        ref = np.median(view[e : 2 * e], axis=0)
        dark = band < DESK_DARK * ref[None, :]
        depth = np.where(dark.all(axis=0), e, np.argmax(~dark, axis=0))
        depth = np.where(depth > 0, np.minimum(e, depth + DESK_EDGE_PX), 0)
        rows = np.arange(e)[:, None]
        band[rows < depth[None, :]] = np.broadcast_to(ref.astype(np.uint8)[None, :], band.shape)[rows < depth[None, :]]


DESK_DARK = 0.9  # darker than this share of the paper next to it: desk, not paper in the photo's light
DESK_EDGE_PX = 3  # ... and the blur of its edge


def _four_corners(hull: np.ndarray) -> np.ndarray | None:
    """The quadrilateral of a convex hull: the points extreme along the diagonals."""
    pts = hull.reshape(-1, 2).astype(np.float64)
    if len(pts) < 4:
        return None
    s, d = pts.sum(axis=1), pts[:, 0] - pts[:, 1]
    quad = np.array([pts[s.argmin()], pts[d.argmax()], pts[s.argmax()], pts[d.argmin()]])
    if cv2.contourArea(quad.astype(np.float32)) < 0.9 * cv2.contourArea(pts.astype(np.float32)):
        return None  # not a sheet (a torn or folded shape): leave it
    return quad


def _is_photo(quad: np.ndarray, shape: tuple[int, ...]) -> bool:
    """A photographed sheet: its corners are not a rectangle (perspective:
    opposite sides differ in length or direction), or it lies inside the
    frame with a desk all round. A scan with a dark edge is a rectangle
    touching the frame."""
    h, w = shape[:2]
    top, bottom = quad[1] - quad[0], quad[2] - quad[3]
    left, right = quad[3] - quad[0], quad[2] - quad[1]

    def turn(a: np.ndarray, b: np.ndarray) -> float:
        return abs(float(np.degrees(np.arctan2(a[0] * b[1] - a[1] * b[0], float(a @ b)))))

    def norm(v: np.ndarray) -> float:
        return max(1e-6, float(np.linalg.norm(v)))

    lengths = max(abs(norm(top) / norm(bottom) - 1), abs(norm(left) / norm(right) - 1))
    if lengths > PERSPECTIVE_MIN_RATIO or max(turn(top, bottom), turn(left, right)) > PERSPECTIVE_MIN_DEG:
        return True
    xs, ys = quad[:, 0], quad[:, 1]
    margin = 0.02 * max(h, w)
    return bool(xs.min() > margin and ys.min() > margin and xs.max() < w - margin and ys.max() < h - margin)


def text_is_vertical(gray: np.ndarray, scale: float) -> bool:
    """Do the page's lines of text run top to bottom (a page fed sideways)?

    Ink joined along a short horizontal kernel makes wide blobs on an upright
    page (characters of a line touch) and along a vertical kernel tall ones
    on a sideways page. Rules are taken out first.
    """
    ink, s = _ink_without_rules(gray, scale, 1.4)  # ~100 dpi is plenty
    k = max(2, round(2.5 * s))
    counts = []
    for shape in ((k, 1), (1, k)):
        joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
        n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        w, h = stats[1:n, cv2.CC_STAT_WIDTH], stats[1:n, cv2.CC_STAT_HEIGHT]
        long_side, short_side = (w, h) if shape[0] > 1 else (h, w)
        line = (long_side >= 3 * short_side) & (short_side >= 4 * s) & (short_side <= 20 * s)
        counts.append(int(line.sum()))
    horizontal, vertical = counts
    return vertical >= ORIENT_MIN_BLOBS and vertical > 2 * horizontal


def despeckle(gray: np.ndarray, scale: float) -> np.ndarray:
    """A bilevel page without isolated specks: blobs smaller than SPECK_PT
    square with no other ink within SPECK_ALONE_PT (a decimal point or the
    dot of 。 sits next to its line and stays)."""
    ink = (gray < 128).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    limit = max(2, round(SPECK_PT * scale))
    small = np.zeros(n, dtype=bool)
    small[1:] = (stats[1:, cv2.CC_STAT_WIDTH] <= limit) & (stats[1:, cv2.CC_STAT_HEIGHT] <= limit)
    if not small.any():
        return gray
    rest = ((~small)[labels] & (ink > 0)).astype(np.uint8)
    r = max(3, round(SPECK_ALONE_PT * scale))
    near = cv2.dilate(rest, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    keep_small = np.zeros(n, dtype=bool)
    keep_small[np.unique(labels[(near > 0) & small[labels]])] = True
    keep_small |= _stacked_dots(stats, small, rest, scale)
    drop = small & ~keep_small
    out = gray.copy()
    out[drop[labels]] = 255
    return out


def _stacked_dots(stats: np.ndarray, small: np.ndarray, rest: np.ndarray, scale: float) -> np.ndarray:
    """Small blobs with a twin of their size straight above or below, as far
    apart as the dots of a full-width colon (：；), with text on both sides
    of the pair: in CJK text the colon stands half an em from its
    neighbours, too far for "next to ink"."""
    idx = np.flatnonzero(small)
    out = np.zeros(len(stats), dtype=bool)
    if idx.size < 2:
        return out
    x = stats[idx, cv2.CC_STAT_LEFT] + stats[idx, cv2.CC_STAT_WIDTH] / 2.0
    y = stats[idx, cv2.CC_STAT_TOP] + stats[idx, cv2.CC_STAT_HEIGHT] / 2.0
    area = stats[idx, cv2.CC_STAT_AREA].astype(np.float64)
    order = np.argsort(x)
    xs = x[order]
    lo_dy, hi_dy = COLON_GAP_PT[0] * scale, COLON_GAP_PT[1] * scale
    reach = round(COLON_TEXT_PT * scale)
    h, w = rest.shape
    for a in range(len(order)):
        i = order[a]
        b = a + 1
        while b < len(order) and xs[b] - xs[a] <= 1.0:
            j = order[b]
            if lo_dy <= abs(y[j] - y[i]) <= hi_dy and max(area[i], area[j]) <= 2 * min(area[i], area[j]):
                top, bottom = int(min(y[i], y[j])), int(max(y[i], y[j])) + 1
                cx = int(x[i])
                left = rest[max(0, top - reach) : min(h, bottom + reach), max(0, cx - reach) : max(0, cx - 2)]
                right = rest[max(0, top - reach) : min(h, bottom + reach), min(w, cx + 3) : min(w, cx + reach)]
                if left.any() and right.any():
                    out[idx[i]] = out[idx[j]] = True
            b += 1
    return out


def remove_streaks(gray: np.ndarray) -> np.ndarray:
    """A bilevel page without the streaks a scanner draws along the feed
    direction: a dirty glass inks a thin line down the whole page, a dead
    sensor element leaves a white one across every stroke.

    A dark streak is a column with ink alone in it (paper two pixels to each
    side) in nearly every band of the page's height, margins included, which
    no table rule reaches; its pixels go where they have paper on both sides
    (rules and strokes crossing it stay). A white streak is a column whose
    neighbours on both sides are inked far more often than it is; its pixels
    are inked where both neighbours are."""
    ink = gray < 128
    h, w = ink.shape
    if w < 8:
        return gray
    alone = np.zeros_like(ink)
    alone[:, 2:-2] = ink[:, 2:-2] & ~ink[:, :-4] & ~ink[:, 4:]
    band = max(1, h // STREAK_BANDS)
    n = h // band
    per_band = alone[: n * band].reshape(n, band, w).any(axis=1).sum(axis=0)
    out = gray
    streaks = np.flatnonzero(per_band >= STREAK_SHARE * n)
    if streaks.size:
        out = gray.copy()
        for x in streaks.tolist():
            lo, hi = max(0, int(x) - 2), min(w, int(x) + 3)
            for c in range(lo, hi):
                clear = alone[:, c] | (ink[:, c] & ~ink[:, max(0, c - 2)] & ~ink[:, min(w - 1, c + 2)])
                out[clear, c] = 255
    counts = ink.sum(axis=0)
    left, mid, right = counts[:-2], counts[1:-1], counts[2:]
    both = np.minimum(left, right)
    dead = np.flatnonzero((mid < 0.2 * both) & (both >= 0.02 * h)) + 1
    if dead.size:
        out = out.copy() if out is gray else out
        for c in dead.tolist():
            out[ink[:, c - 1] & ink[:, c + 1], c] = 0
    return out
