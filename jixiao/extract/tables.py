"""Grids + cell texts -> Tables, and stitching tables across page breaks."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace

from .geometry import SNAP, Grid, nearest
from .model import Cell, Fragment, Table
from .text import join_fragments


def table_from_grid(
    grid: Grid,
    page: int,
    texts: Sequence[str],
    confidences: Sequence[float | None] | None = None,
    method: str = "text",
) -> Table:
    """One page's table: ``texts[i]`` is the text of ``grid.cells[i]``."""
    cells = []
    for i, g in enumerate(grid.cells):
        conf = confidences[i] if confidences is not None else None
        frag = Fragment(page, g.bbox)
        cells.append(Cell(g.row, g.col, g.rowspan, g.colspan, texts[i], page, g.bbox, (frag,), conf))
    nrows = len(grid.row_edges) - 1
    return Table(
        cells=tuple(cells),
        nrows=nrows,
        ncols=len(grid.col_edges) - 1,
        col_edges=grid.col_edges,
        row_pages=(page,) * nrows,
        first_bbox=grid.bbox,
        last_bbox=grid.bbox,
        open_top=grid.open_top,
        open_bottom=grid.open_bottom,
        method=method,
    )


def _merge_edges(a: Sequence[float], b: Sequence[float]) -> list[float]:
    out: list[float] = []
    for v in sorted([*a, *b]):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _reindex(table: Table, edges: Sequence[float], row_offset: int) -> list[Cell]:
    out = []
    at = [nearest(edges, e) for e in table.col_edges]  # each of the table's edges in ``edges``, looked up once
    for c in table.cells:
        c0 = at[c.col]
        span = max(1, at[c.col + c.colspan] - c0)
        if row_offset == 0 and c0 == c.col and span == c.colspan:
            out.append(c)  # the same cell (cells are frozen): the top part of a stitch, columns unchanged
        else:
            out.append(Cell(c.row + row_offset, c0, c.rowspan, span, c.text, c.page, c.bbox, c.fragments, c.confidence))
    return out


def _open_cols(table: Table, flags: Sequence[bool]) -> list[tuple[float, float]]:
    """x-ranges of the table's fine columns left without a rule."""
    return [
        (table.col_edges[i], table.col_edges[i + 1]) for i, is_open in enumerate(flags) if is_open
    ]


# A scanned page lies on the glass a few points off from the one before it;
# a born-digital page does not move.
OCR_PAGE_SHIFT = 12.0
OCR_SCALE_TOL = 0.03  # pages read from images may differ in scale by this much


def align_to(prev: Table, nxt: Table) -> Table:
    """``nxt`` with its column edges in ``prev``'s frame when either was read
    from an image and the two pages are shifted sideways by a few points or
    (photos, crops) at a slightly different scale: column positions are taken
    relative to the table's width. Only the grid moves: cells keep the boxes
    they have on their own page."""
    if "ocr" not in (prev.method, nxt.method):
        return nxt
    p0, p1, n0, n1 = prev.col_edges[0], prev.col_edges[-1], nxt.col_edges[0], nxt.col_edges[-1]
    if abs(n0 - p0) <= SNAP and abs(n1 - p1) <= SNAP:
        return nxt
    if abs(n0 - p0) > OCR_PAGE_SHIFT or abs(n1 - p1) > OCR_PAGE_SHIFT or n1 <= n0:
        return nxt
    k = (p1 - p0) / (n1 - n0)
    if abs(k - 1.0) > OCR_SCALE_TOL:
        return nxt
    return replace(nxt, col_edges=tuple(p0 + (e - n0) * k for e in nxt.col_edges))


def continues(prev: Table, nxt: Table) -> bool:
    """Does ``nxt`` (first table on the next page) carry on ``prev``?

    Yes when the break leaves a cell open on both sides (no rule at the bottom
    of ``prev`` and none at the top of ``nxt`` over the same columns) and the
    tables share their outer edges.
    """
    if nxt.row_pages[0] != prev.row_pages[-1] + 1:
        return False
    if abs(prev.col_edges[0] - nxt.col_edges[0]) > SNAP or abs(prev.col_edges[-1] - nxt.col_edges[-1]) > SNAP:
        return False
    below = _open_cols(prev, prev.open_bottom)
    above = _open_cols(nxt, nxt.open_top)
    return any(abs(a[0] - b[0]) <= SNAP and abs(a[1] - b[1]) <= SNAP for a in below for b in above)


def stitch(prev: Table, nxt: Table) -> Table:
    """One table from two fragments; cells open across the break become one."""
    edges = _merge_edges(prev.col_edges, nxt.col_edges)
    top = _reindex(prev, edges, 0)
    bottom = _reindex(nxt, edges, prev.nrows)
    last = prev.nrows - 1
    first = prev.nrows
    joined_top: dict[int, Cell] = {}
    for c in top:
        if c.row + c.rowspan - 1 == last and _side_open(prev, c, edges, bottom_side=True):
            joined_top[c.col * 1000 + c.colspan] = c
    cells = [c for c in top if (c.col * 1000 + c.colspan) not in joined_top or c.row + c.rowspan - 1 != last]
    for c in bottom:
        k = c.col * 1000 + c.colspan
        up = joined_top.get(k)
        if c.row == first and up is not None and _side_open(nxt, c, edges, bottom_side=False, offset=prev.nrows):
            cells.append(_join(up, c))
            del joined_top[k]
        else:
            cells.append(c)
    cells.extend(joined_top.values())
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(
        cells=tuple(cells),
        nrows=prev.nrows + nxt.nrows,
        ncols=len(edges) - 1,
        col_edges=tuple(edges),
        row_pages=prev.row_pages + nxt.row_pages,
        first_bbox=prev.first_bbox,
        last_bbox=nxt.last_bbox,
        open_top=_reflag(prev, edges, prev.open_top),
        open_bottom=_reflag(nxt, edges, nxt.open_bottom),
        method=prev.method if prev.method == nxt.method else "mixed",
    )


def _column_of(edges: Sequence[float], x: float) -> int | None:
    """The first fine column whose edges hold ``x`` (increasing edges), or None."""
    k = bisect_left(edges, x)  # edges[k - 1] < x <= edges[k]
    if k == 0:
        return 0 if len(edges) > 1 and x == edges[0] else None
    return k - 1 if k < len(edges) else None


def _reflag(t: Table, edges: Sequence[float], flags: Sequence[bool]) -> tuple[bool, ...]:
    """Per-column flags of ``t`` carried onto the finer ``edges``."""
    out = []
    for i in range(len(edges) - 1):
        mid = (edges[i] + edges[i + 1]) / 2
        j = _column_of(t.col_edges, mid)
        out.append(bool(j is not None and flags[j]))
    return tuple(out)


def _side_open(t: Table, c: Cell, edges: Sequence[float], bottom_side: bool, offset: int = 0) -> bool:
    flags = t.open_bottom if bottom_side else t.open_top
    x0, x1 = edges[c.col], edges[c.col + c.colspan]
    cols = [i for i in range(t.ncols) if t.col_edges[i] >= x0 - SNAP and t.col_edges[i + 1] <= x1 + SNAP]
    return bool(cols) and all(flags[i] for i in cols)


def _join(up: Cell, down: Cell) -> Cell:
    """A cell cut by a page break: its text is wherever it was printed."""
    text = join_fragments(up.text, down.text)
    if down.text and not up.text:
        page, bbox = down.page, down.bbox
    else:
        page, bbox = up.page, up.bbox
    conf = [x for x in (up.confidence, down.confidence) if x is not None]
    return Cell(
        up.row,
        up.col,
        down.row + down.rowspan - up.row,
        up.colspan,
        text,
        page,
        bbox,
        up.fragments + down.fragments,
        min(conf) if conf else None,
    )
