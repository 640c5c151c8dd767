"""Before a page is OCR'd in full (0.6-3 CPU-s): can it hold a form?

A form is a ruled table: a grid of long horizontal and vertical rules. The
page is prepared as OCR prepares it (seals taken out, the paper found, turned
upright, deskewed: ``preprocess.prepare``), but at ``GATE_DPI``, a tenth of
the pixels or less, and its rules are found as OCR finds them
(``raster.find_rules``, ``geometry.build_grids``). A page with no grid of at
least ``MIN_CELLS`` cells whose long side spans ``MIN_SPAN`` of the page is
not OCR'd: ``read_pdf`` records it as skipped, with ``NO_TABLE``.

Measured on every page of every profile of tests/fixtures/make_scans.py
(seal, fax, rotated, phone, mixed), the sample's own scan and the garbled
twin: every form page's grid spans 0.83-0.87 of the page and has 10 cells or
more, but for a sideways last page whose two rows come out as 5 cells along
its height; scanned prose pages (PDF 01's 部门职责 in the seal, fax, phone and
rotated profiles) have no grid at all at 72 dpi (at 50 dpi a seal's rings
made one spanning 0.06); the pie chart scanned into a 西安 budget (p.16 of
020_西安_医疗保障局) makes one of 2 cells from its frame and label boxes.
The gate costs 30-75 ms a page.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from . import preprocess, raster
from .geometry import build_grids

GATE_DPI = 72.0
MIN_CELLS = 4  # a 2 x 2 table; a chart's frame and its label boxes make 2
MIN_SPAN = 0.25  # of the page's width (or height, for a grid that runs down a sideways page)
NO_TABLE = "no ruled table at a low-resolution look: not OCR'd"


def holds_table(page: Any) -> bool:
    """Does a low-resolution look at the page find a ruled table on it?"""
    img = preprocess.prepare(page, dpi=GATE_DPI)
    grids = build_grids(raster.find_rules(img).segments)
    width, height = img.width_pt, img.height_pt
    return any(
        len(g.cells) >= MIN_CELLS
        and max((g.bbox[2] - g.bbox[0]) / width, (g.bbox[3] - g.bbox[1]) / height) >= MIN_SPAN
        for g in grids
    )


COVER_MAX_LINES = 12  # a cover prints a few lines of small type (a prose page 20 or more) ...
COVER_TITLE_PT = 14.0  # ... and its title in characters at least this large
COVER_LINE_PT = 4.0  # ink joined along a line lower than this is no line of text


def looks_like_cover(page: Any) -> bool:
    """Is the page, at the same low-resolution look, a cover: a title in
    large type (characters COVER_TITLE_PT or more, at least two), at most
    COVER_MAX_LINES lines of small type, the rest blank? A scanned cover has
    no text layer, and it is where the document names its year and unit.
    Either way up: a cover fed sideways is read upright by OCR."""
    img = preprocess.prepare(page, dpi=GATE_DPI)
    s = img.scale
    binary = raster.binarize(img.gray, s, img.contrast)
    k = max(2, round(COVER_LINE_PT * s))  # across the blank between characters of small type
    looks = []
    for shape in ((k, 1), (1, k)):
        joined = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
        n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        w, h = stats[1:n, cv2.CC_STAT_WIDTH], stats[1:n, cv2.CC_STAT_HEIGHT]
        long_side, short_side = np.maximum(w, h), np.minimum(w, h)
        is_line = long_side >= 2 * short_side
        small = int((is_line & (short_side >= COVER_LINE_PT * s) & (short_side < COVER_TITLE_PT * s)).sum())
        title = int((is_line & (short_side >= COVER_TITLE_PT * s)).sum())
        large = int(((short_side >= COVER_TITLE_PT * s) & ~is_line).sum())
        looks.append((small + title, small, title, large))
    # Read the way the text runs: joined along its lines, characters make
    # lines; across them, only glyphs. A title of large type is a line of
    # it, or (a short one, joined by nothing) two large glyphs.
    _, small_lines, title_lines, large_glyphs = max(looks)
    return small_lines <= COVER_MAX_LINES and (title_lines >= 1 or large_glyphs >= 2)
