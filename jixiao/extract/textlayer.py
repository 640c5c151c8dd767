"""The text-layer engine: vector ruling lines + the PDF's own characters."""

from __future__ import annotations

from typing import Any

from .geometry import Segment, build_grids, segments_from_rects
from .model import PageContent, PageInfo, TextLine
from .source import PdfSource
from .tables import table_from_grid
from .text import Glyph, glyphs_text, group_lines

WHITE = {(1.0,), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0), 1, 1.0}


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    if isinstance(color, (list, tuple)):
        color = tuple(float(c) for c in color)
    return color in WHITE


def page_segments(page: Any) -> list[Segment]:
    """Visible rules: stroked lines/rects and thin filled rects, not white."""
    rects = []
    segs = []
    for r in page.rects:
        box = (r["x0"], r["top"], r["x1"], r["bottom"])
        if r.get("fill") and not _is_white(r.get("non_stroking_color")):
            rects.append(box)
        elif r.get("stroke") and not _is_white(r.get("stroking_color")):
            rects.append(box)
    for ln in page.lines:
        if not _is_white(ln.get("stroking_color")):
            segs.append(Segment(ln["x0"], ln["top"], ln["x1"], ln["bottom"]))
    # Filled outlines of big shaded boxes are not rules unless stroked; keep
    # only thin fills, and strokes as outlines.
    thin = [b for b in rects if min(b[2] - b[0], b[3] - b[1]) <= 3.0]
    stroked = [
        (r["x0"], r["top"], r["x1"], r["bottom"])
        for r in page.rects
        if r.get("stroke") and not _is_white(r.get("stroking_color")) and min(r["width"], r["height"]) > 3.0
    ]
    return segs + segments_from_rects(thin) + segments_from_rects(stroked)


class TextLayerEngine:
    name = "text"

    def read_page(self, source: PdfSource, index: int, info: PageInfo) -> PageContent:
        page = source.plumber.pages[index].dedupe_chars()
        number = index + 1
        grids = build_grids(page_segments(page))
        buckets: list[list[list[Glyph]]] = [[[] for _ in g.cells] for g in grids]
        loose: list[Glyph] = []
        for ch in page.chars:
            glyph = Glyph(ch["text"], ch["x0"], ch["top"], ch["x1"], ch["bottom"])
            cx, cy = (glyph.x0 + glyph.x1) / 2, glyph.mid
            for gi, grid in enumerate(grids):
                x0, top, x1, bottom = grid.bbox
                if not (x0 <= cx <= x1 and top <= cy <= bottom):
                    continue
                for ci, cell in enumerate(grid.cells):
                    bx0, btop, bx1, bbot = cell.bbox
                    if bx0 <= cx <= bx1 and btop <= cy <= bbot:
                        buckets[gi][ci].append(glyph)
                        break
                break
            else:
                loose.append(glyph)
        tables = tuple(
            table_from_grid(g, number, [glyphs_text(b) for b in buckets[gi]]) for gi, g in enumerate(grids)
        )
        lines = tuple(
            TextLine(glyphs_text(ln.glyphs), number, (ln.x0, ln.top, ln.x1, ln.bottom))
            for ln in group_lines(loose)
            if ln.text().strip()
        )
        return PageContent(info, float(page.width), float(page.height), tables, lines)
