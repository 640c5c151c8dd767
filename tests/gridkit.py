"""Hand-built grids and documents for normalize's unit tests (no PDF needed)."""

from __future__ import annotations

from jixiao.extract.model import Cell, Document, PageInfo, Table, TextLine

Row = list[tuple[str, int, int]]


def table(page: int, edges: list[float], rows: list[Row]) -> Table:
    """A grid from rows of (text, colspan, rowspan); each row lists the cells that
    start in it, left to right, skipping slots covered by cells above."""
    cells: list[Cell] = []
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        col = 0
        for text, colspan, rowspan in row:
            while (r, col) in taken:
                col += 1
            bbox = (edges[col], 20.0 * r, edges[col + colspan], 20.0 * (r + rowspan))
            cells.append(Cell(r, col, rowspan, colspan, text, page, bbox))
            for rr in range(r, r + rowspan):
                for cc in range(col, col + colspan):
                    taken.add((rr, cc))
            col += colspan
    n = len(rows)
    box = (edges[0], 0.0, edges[-1], 20.0 * n)
    return Table(tuple(cells), n, len(edges) - 1, tuple(edges), (page,) * n, box, box)


def doc(*items: Table | TextLine, cover: str = "某市某局2026年部门预算") -> Document:
    pages = sorted({it.page if isinstance(it, TextLine) else it.pages[0] for it in items})
    infos = tuple(PageInfo(p, "sound", "text") for p in pages)
    return Document("x.pdf", "0" * 64, len(pages), infos, tuple(items), cover)


def line(page: int, text: str) -> TextLine:
    return TextLine(text, page, (0.0, 0.0, 100.0, 10.0))


def one(text: str) -> tuple[str, int, int]:
    return (text, 1, 1)
