"""The text-layer engine: vector ruling lines + the PDF's own characters."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from . import pagebox, pdfium_layer, playa_layer
from .geometry import Grid, Segment, build_grids, segments_from_rects
from .model import PageContent, PageInfo, TextLine
from .source import PdfSource
from .tables import table_from_grid
from .text import Glyph, glyphs_text, group_lines

WHITE = {(1.0,), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0), 1}


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    if isinstance(color, (list, tuple)):
        color = tuple(float(c) for c in color)
    return color in WHITE


def page_segments(page: Any) -> list[Segment]:
    """Visible rules: stroked lines; thin rectangles, filled or stroked; the
    outline of a larger stroked rectangle (a large fill alone is shading)."""
    thin, outlines = [], []
    for r in page.rects:
        box = (r["x0"], r["top"], r["x1"], r["bottom"])
        filled = r.get("fill") and not _is_white(r.get("non_stroking_color"))
        stroked = r.get("stroke") and not _is_white(r.get("stroking_color"))
        if min(r["width"], r["height"]) <= 3.0:
            if filled or stroked:
                thin.append(box)
        elif stroked:
            outlines.append(box)
    lines = [
        Segment(ln["x0"], ln["top"], ln["x1"], ln["bottom"])
        for ln in page.lines
        if not _is_white(ln.get("stroking_color"))
    ]
    return lines + segments_from_rects(thin) + segments_from_rects(outlines)


def plumber_page(source: PdfSource, index: int) -> tuple[list[Glyph], list[Segment], float, float]:
    """pdfminer's view of the page: the characters as printed, real spaces
    included; the reference PLAYA was tested against."""
    page = source.plumber.pages[index].dedupe_chars()
    glyphs = [Glyph(ch["text"], ch["x0"], ch["top"], ch["x1"], ch["bottom"]) for ch in page.chars]
    return glyphs, page_segments(page), float(page.width), float(page.height)


def playa_page(source: PdfSource, index: int) -> tuple[list[Glyph], list[Segment], float, float]:
    page = source.playa_page(index)  # /Rotate honoured where the text needs it
    # The visible page (CropBox, UserUnit; see pagebox), where PLAYA's "screen" space is the MediaBox's.
    view = pagebox.screen(page.mediabox, page.cropbox, page.rotate, pagebox.user_unit(page.attrs))
    page.ctm = view.matrix
    glyphs, segments = pagebox.on_page(*playa_layer.read_page(page), view)
    return glyphs, segments, view.width, view.height


def pdfium_page(source: PdfSource, index: int) -> tuple[list[Glyph], list[Segment], float, float]:
    """PDFium's view, from the page triage loaded; a page whose text page left
    out text PDFium cannot name is read with PLAYA instead."""
    playa_layer.check_streams(source.playa.pages[index])
    unit = pagebox.user_unit(source.playa.pages[index].attrs)  # PDFium does not give it
    page, textpage = source.text_page(index)
    try:
        glyphs, segments = pdfium_layer.read_page(page, textpage, unit)
    except pdfium_layer.Unreadable:
        return playa_page(source, index)
    view = pagebox.screen(page.get_mediabox(), page.get_cropbox(), page.get_rotation(), unit)
    glyphs, segments = pagebox.on_page(glyphs, segments, view)
    return glyphs, segments, round(view.width, 4), round(view.height, 4)


BACKENDS = {"pdfium": pdfium_page, "playa": playa_page, "pdfminer": plumber_page}


class TextLayerEngine:
    """Ruled tables from the PDF's own vector rules and characters.

    ``backend`` "pdfium" (default, fastest: the page triage already loaded),
    "playa" (the reference the fast path is tested against, and its fallback)
    or "pdfminer" (pdfplumber's view, the reference PLAYA was tested against)."""

    name = "text"

    def __init__(self, backend: str = "pdfium") -> None:
        self.read = BACKENDS[backend]

    def read_page(self, source: PdfSource, index: int, info: PageInfo) -> PageContent:
        glyphs, segments, width, height = self.read(source, index)
        return layout_page(info, index + 1, glyphs, segments, width, height)


def layout_page(
    info: PageInfo, number: int, glyphs: list[Glyph], segments: list[Segment], width: float, height: float
) -> PageContent:
    """Glyphs into the cells of the page's ruled grids; the rest into lines."""
    grids = build_grids(segments)
    buckets, loose = bucket_glyphs(glyphs, grids)
    tables = tuple(table_from_grid(g, number, [glyphs_text(b) for b in buckets[gi]]) for gi, g in enumerate(grids))
    lines = tuple(
        TextLine(glyphs_text(ln.glyphs), number, (ln.x0, ln.top, ln.x1, ln.bottom))
        for ln in group_lines(loose)
        if ln.text().strip()
    )
    return PageContent(info, width, height, tables, lines)


def bucket_glyphs(
    glyphs: list[Glyph], grids: list[Grid], compiled: bool | None = None
) -> tuple[list[list[list[Glyph]]], list[Glyph]]:
    """Per grid, per cell, the glyphs whose middle it holds (the first grid
    holding it wins), and the glyphs in none. Runs per glyph: in the compiled
    helper where built (``compiled`` as asked, default where built), else the
    loop here, the reference it is tested against."""
    lookups = [_cell_lookup(g) for g in grids]
    native = pdfium_layer.native
    if native is not None and compiled is not False:
        done = native.bucket(glyphs, [(g.col_edges, g.row_edges, lookups[gi], len(g.cells)) for gi, g in enumerate(grids)])
        if done is not None:  # else a value that is not a float: the loop below
            return done
    buckets: list[list[list[Glyph]]] = [[[] for _ in g.cells] for g in grids]
    loose: list[Glyph] = []
    # Per grid: its outer edges (a middle outside them is in no fine cell),
    # its edges, the fine cell -> logical cell lookup and its cells' lists.
    where = [
        (g.col_edges[0], g.col_edges[-1], g.row_edges[0], g.row_edges[-1], g.col_edges, g.row_edges,
         len(g.col_edges) - 1, lookups[gi], buckets[gi])
        for gi, g in enumerate(grids)
    ]  # fmt: skip
    for glyph in glyphs:
        _, x0, top, x1, bottom = glyph
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        for left, right, first, last, cols, rows, ncols, lookup, cells in where:
            # bisect_right(edges, v) - 1 is a fine index exactly when edges[0] <= v < edges[-1]
            if left <= cx < right and first <= cy < last:
                cells[lookup[(bisect_right(rows, cy) - 1) * ncols + bisect_right(cols, cx) - 1]].append(glyph)
                break
        else:
            loose.append(glyph)
    return buckets, loose


def _cell_lookup(grid: Grid) -> list[int]:
    """fine row * fine columns + fine column -> index of the logical cell covering it."""
    nrows, ncols = len(grid.row_edges) - 1, len(grid.col_edges) - 1
    table = [0] * (nrows * ncols)
    for i, c in enumerate(grid.cells):
        for r in range(c.row, c.row + c.rowspan):
            base = r * ncols
            for k in range(c.col, c.col + c.colspan):
                table[base + k] = i
    return table
