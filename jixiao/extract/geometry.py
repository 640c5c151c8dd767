"""Ruling lines -> grids with spans.

Shared by every engine: the text-layer engine feeds it vector segments from
the PDF, the OCR engine feeds it lines found on the image (scaled to points).

Method (see FIELD-NOTES): snap the x of vertical and the y of horizontal
segments into a fine grid, then test each fine cell's internal edges against
the real segments; an edge with no segment joins the two fine cells into one
logical cell (union-find gives the spans).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

BBox = tuple[float, float, float, float]

SNAP = 2.0  # points: segments this close are one rule
COVER = 0.6  # share of a fine edge a segment must cover to count as a rule
EDGE_DIGITS = 2  # 1/100 pt


@dataclass(frozen=True)
class Segment:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: BBox


@dataclass(frozen=True)
class Grid:
    col_edges: tuple[float, ...]
    row_edges: tuple[float, ...]
    cells: tuple[GridCell, ...]
    open_top: tuple[bool, ...]  # per fine column: no rule on the table's top edge
    open_bottom: tuple[bool, ...]

    @property
    def bbox(self) -> BBox:
        return (self.col_edges[0], self.row_edges[0], self.col_edges[-1], self.row_edges[-1])


THIN = 3.0  # points: a filled rectangle this thin is a rule


def rules_from_subpaths(
    subpaths: list[tuple[list[tuple[float, float]], bool]],
    filled: bool,
    stroked: bool,
    rects: list[BBox],
    strokes: list[Segment],
) -> None:
    """A path's candidate rules, whichever PDF library read it: a filled thin
    closed subpath is a rule rectangle; a stroked subpath gives its
    axis-aligned edges."""
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


def segments_from_rects(rects: list[BBox], max_thickness: float = 3.0) -> list[Segment]:
    """Thin filled rectangles are rules; larger ones contribute their outline."""
    out: list[Segment] = []
    for x0, top, x1, bottom in rects:
        w, h = x1 - x0, bottom - top
        if h <= max_thickness and w > h:
            y = (top + bottom) / 2
            out.append(Segment(x0, y, x1, y))
        elif w <= max_thickness and h > w:
            x = (x0 + x1) / 2
            out.append(Segment(x, top, x, bottom))
        elif w > max_thickness and h > max_thickness:
            out += [
                Segment(x0, top, x1, top),
                Segment(x0, bottom, x1, bottom),
                Segment(x0, top, x0, bottom),
                Segment(x1, top, x1, bottom),
            ]
    return out


def _cluster(values: list[float], tol: float) -> list[float]:
    """Merge values closer than tol; each cluster becomes its mean."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


# Inside build_grids a segment is a plain tuple (x0, top, x1, bottom): made,
# compared and unpacked per pair and per fine cell, a frozen dataclass costs
# several times as much.
_Seg = tuple[float, float, float, float]


def _is_horizontal(s: _Seg) -> bool:
    return (s[2] - s[0]) >= (s[3] - s[1])  # Segment.horizontal


def _components(segs: list[_Seg], tol: float) -> list[list[_Seg]]:
    """Groups of segments that touch: one group per table (in the order of
    their first segment, each group's segments in their order)."""
    # a touches b: a.x0 - tol <= b.x1 and b.x0 - tol <= a.x1 and a.top - tol <= b.bottom and b.top - tol <= a.bottom
    # (symmetric). Each group grown from its first segment; a segment once
    # in a group is not looked at again (a page's one table: one pass).
    grown = [(x0 - tol, top - tol, x1, bottom) for x0, top, x1, bottom in segs]
    left = list(range(len(segs)))  # not in a group yet, in order
    groups: list[list[_Seg]] = []
    while left:
        members = [left[0]]
        left = left[1:]
        for a in members:  # grows while walked
            if not left:
                break
            ax0, atop, ax1, abottom = grown[a]
            rest = []
            for j in left:
                bx0, btop, bx1, bbottom = grown[j]
                if ax0 <= bx1 and bx0 <= ax1 and atop <= bbottom and btop <= abottom:
                    members.append(j)
                else:
                    rest.append(j)
            left = rest
        groups.append([segs[i] for i in sorted(members)])
    return groups


def _attach_lone_rules(comps: list[list[_Seg]], reach: float = 150.0) -> list[list[_Seg]]:
    """A column's outer rule that no horizontal rule touches (a side label
    column open at both ends of a page) still belongs to the table beside it."""
    tables = [c for c in comps if any(map(_is_horizontal, c))]
    if len(tables) == len(comps):
        return tables  # every group has a horizontal rule: nothing to attach (most pages)
    for comp in comps:
        if any(map(_is_horizontal, comp)):
            continue
        top, bottom = min(s[1] for s in comp), max(s[3] for s in comp)
        x0, x1 = min(s[0] for s in comp), max(s[2] for s in comp)
        for t in tables:
            ttop, tbottom = min(s[1] for s in t), max(s[3] for s in t)
            tx0, tx1 = min(s[0] for s in t), max(s[2] for s in t)
            overlap = min(bottom, tbottom) - max(top, ttop)
            near = tx0 - reach <= x1 and x0 <= tx1 + reach
            if near and overlap >= 0.8 * (bottom - top):
                t.extend(comp)
                break
    return tables


def _covered(intervals: list[tuple[float, float]], lo: float, hi: float) -> bool:
    """Do the intervals cover at least COVER of [lo, hi]?"""
    total = 0.0
    for a, b in intervals:  # max(0, min(b, hi) - max(a, lo)) without the calls: per fine cell
        d = (hi if hi < b else b) - (lo if lo > a else a)  # noqa: FURB136
        if d > 0:
            total += d
    return total >= COVER * (hi - lo)


def nearest(edges: Sequence[float], v: float) -> int:
    """Index of the edge nearest ``v`` (the first of two as near), as
    ``min(range(len(edges)), key=lambda i: abs(edges[i] - v))`` gives it, for
    strictly increasing edges (a grid's: clusters further apart than SNAP)."""
    i = bisect_left(edges, v)
    if i == len(edges) or (i > 0 and abs(edges[i - 1] - v) <= abs(edges[i] - v)):
        return i - 1
    return i


def build_grids(segments: list[Segment], tol: float = SNAP, min_size: float = 8.0) -> list[Grid]:
    """All ruled tables in a page's segments, top to bottom."""
    # Rules to 1/1000 pt first: producers print at most that precision, so a
    # float32 reader (PDFium) and a float64 one (PLAYA) round to the same
    # numbers, and the edges, means of those, come out the same.
    segs = [
        (round(s.x0, 3), round(s.top, 3), round(s.x1, 3), round(s.bottom, 3))
        for s in segments
        if max(s.x1 - s.x0, s.bottom - s.top) >= tol
    ]
    grids = []
    for comp in _attach_lone_rules(_components(segs, tol)):
        grid = _grid(comp, tol)
        if grid is None:
            continue
        x0, top, x1, bottom = grid.bbox
        if x1 - x0 >= min_size and bottom - top >= min_size:
            grids.append(grid)
    grids.sort(key=lambda g: (round(g.bbox[1]), g.bbox[0]))
    return grids


def _grid(comp: list[_Seg], tol: float) -> Grid | None:
    hs = [s for s in comp if _is_horizontal(s)]
    vs = [s for s in comp if not _is_horizontal(s)]
    if not hs or not vs:
        return None
    # Edges to 1/100 pt: a cell's box needs no more.
    xs = [
        round(x, EDGE_DIGITS)
        for x in _cluster([(s[0] + s[2]) / 2 for s in vs] + [s[0] for s in hs] + [s[2] for s in hs], tol)
    ]
    ys = [
        round(y, EDGE_DIGITS)
        for y in _cluster([(s[1] + s[3]) / 2 for s in hs] + [s[1] for s in vs] + [s[3] for s in vs], tol)
    ]
    if len(xs) < 2 or len(ys) < 2:
        return None
    nr, nc = len(ys) - 1, len(xs) - 1

    # Rules per grid line: intervals of coverage along it.
    hrules: list[list[tuple[float, float]]] = [[] for _ in ys]
    for x0, top, x1, bottom in hs:
        hrules[nearest(ys, (top + bottom) / 2)].append((x0, x1))
    vrules: list[list[tuple[float, float]]] = [[] for _ in xs]
    for x0, top, x1, bottom in vs:
        vrules[nearest(xs, (x0 + x1) / 2)].append((top, bottom))

    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Which fine edges have no rule: the fine cells on either side are one.
    # Each edge is tested once, in the order the unions were always made
    # (row by row, right edge then bottom edge).
    for r in range(nr):
        top, bottom = ys[r], ys[r + 1]
        right_open = [not _covered(vrules[c + 1], top, bottom) for c in range(nc - 1)] + [False]
        below = hrules[r + 1] if r + 1 < nr else None
        for c in range(nc):
            i = r * nc + c
            if right_open[c]:
                parent[find(i)] = find(i + 1)
            if below is not None and not _covered(below, xs[c], xs[c + 1]):
                parent[find(i)] = find(i + nc)

    # Each group's first and last fine row and column (rows in order; columns not).
    spans: dict[int, list[int]] = {}
    for r in range(nr):
        for c in range(nc):
            root = find(r * nc + c)
            span = spans.get(root)
            if span is None:
                spans[root] = [r, r, c, c]
            else:
                span[1] = r
                if c < span[2]:
                    span[2] = c
                elif c > span[3]:
                    span[3] = c
    cells = []
    for r0, r1, c0, c1 in spans.values():
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
    cells.sort(key=lambda g: (g.row, g.col))
    open_top = tuple(not _covered(hrules[0], xs[c], xs[c + 1]) for c in range(nc))
    open_bottom = tuple(not _covered(hrules[nr], xs[c], xs[c + 1]) for c in range(nc))
    return Grid(tuple(xs), tuple(ys), tuple(cells), open_top, open_bottom)
