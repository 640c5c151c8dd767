"""The grid model that extract hands to normalize.

Nothing here knows about 绩效 forms: a page is a list of ruled tables, each a
grid of cells with row/column spans, plus the free text outside any table.
Coordinates are PDF points with the origin at the page's top-left (pdfplumber's
convention: ``top`` grows downwards).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass(frozen=True)
class Fragment:
    """Where (part of) a cell is printed: a cell cut by a page break has two."""

    page: int  # 1-based
    bbox: BBox


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    # Where the text is printed (for a cell cut by a page break: the fragment
    # holding the text, else the first one).
    page: int
    bbox: BBox
    # Every fragment of the cell; one unless a page break cuts it.
    fragments: tuple[Fragment, ...] = ()
    # OCR confidence in [0, 1]; None for text read from the PDF's text layer.
    confidence: float | None = None


@dataclass(frozen=True)
class Table:
    """A ruled table: possibly stitched from fragments on consecutive pages.

    ``col_edges`` are the x positions of the fine grid's column boundaries
    (len = ncols + 1); rows are numbered across the whole stitched table.
    ``row_pages`` gives, for each row, the page it is printed on.
    """

    cells: tuple[Cell, ...]
    nrows: int
    ncols: int
    col_edges: tuple[float, ...]
    row_pages: tuple[int, ...]
    # The table's outline on its first and last page.
    first_bbox: BBox
    last_bbox: BBox
    # Sides left without a rule at a page edge: the table goes on beyond it.
    open_top: tuple[bool, ...] = ()  # per column, first row
    open_bottom: tuple[bool, ...] = ()  # per column, last row
    method: str = "text"  # "text" or "ocr"

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.row_pages)))

    def cell_at(self, row: int, col: int) -> Cell | None:
        index = self.__dict__.get("_index")
        if index is None:
            index = {}
            for cell in self.cells:
                for r in range(cell.row, cell.row + cell.rowspan):
                    for c in range(cell.col, cell.col + cell.colspan):
                        index[(r, c)] = cell
            object.__setattr__(self, "_index", index)
        return index.get((row, col))

    def row_cells(self, row: int) -> list[Cell]:
        """Cells that start in this row, left to right."""
        return sorted((c for c in self.cells if c.row == row), key=lambda c: c.col)

    def right_of(self, cell: Cell) -> Cell | None:
        return self.cell_at(cell.row, cell.col + cell.colspan)

    def below(self, cell: Cell) -> Cell | None:
        return self.cell_at(cell.row + cell.rowspan, cell.col)

    def x_range(self, cell: Cell) -> tuple[float, float]:
        return self.col_edges[cell.col], self.col_edges[cell.col + cell.colspan]

    def col_at(self, x: float) -> int | None:
        """The fine column holding x (1 pt of slack at the rules)."""
        for i in range(self.ncols):
            if self.col_edges[i] - 1 <= x <= self.col_edges[i + 1] + 1:
                return i
        return None


@dataclass(frozen=True)
class TextLine:
    """A line of text printed outside every table (titles, year labels, notes)."""

    text: str
    page: int
    bbox: BBox


@dataclass(frozen=True)
class PageInfo:
    """What extract decided about one page, for the manifest and warnings."""

    number: int  # 1-based
    text_layer: str  # "sound", "garbled" or "absent"
    method: str  # "text", "ocr" or "skipped"
    reason: str = ""
    # Where stamp ink (seals) was taken out of a scanned page, in the page's
    # (deskewed) points, as its cells' boxes: provenance for the cells under it.
    stamps: tuple[BBox, ...] = ()


@dataclass(frozen=True)
class PageContent:
    """One page as an engine reads it: tables not yet stitched across pages."""

    info: PageInfo
    width: float
    height: float
    tables: tuple[Table, ...] = ()
    lines: tuple[TextLine, ...] = ()


@dataclass(frozen=True)
class Document:
    """A whole PDF as extract sees it; items are in reading order."""

    path: str
    sha256: str
    page_count: int
    pages: tuple[PageInfo, ...]
    # Tables (stitched across page breaks) and free text lines, in reading order.
    items: tuple[Table | TextLine, ...] = field(default_factory=tuple)
    # The first page's text layer (its cover or title), even when the page
    # itself was skipped: documents name their year there.
    cover_text: str = ""
