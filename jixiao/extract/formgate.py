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

from . import preprocess, raster
from .geometry import build_grids
from .source import PdfSource

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


def may_hold_form(source: PdfSource, index: int) -> bool:
    page = source.pdfium[index]
    try:
        return holds_table(page)
    finally:
        page.close()
