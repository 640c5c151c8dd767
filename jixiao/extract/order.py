"""Reading order, page by page, with tables stitched across page breaks.

A table can only carry on into the first table of the next page read, so the
window held open is the last table of the page and what follows it (the free
lines below it, the next page's lines above its first table): everything
before that is final and handed on as soon as the page is added.
"""

from __future__ import annotations

from .model import PageContent, Table, TextLine
from .tables import align_to, continues, stitch


class ReadingOrder:
    """Feed pages in order (``add``); take what is final; ``finish`` at the end."""

    def __init__(self) -> None:
        self._items: list[Table | TextLine] = []
        self._last_table: int | None = None  # index in _items of the previous page's last table

    def add(self, content: PageContent) -> list[Table | TextLine]:
        """The page's items in reading order (top to bottom); returns the items
        no later page can change."""
        items = self._items
        page_items: list[Table | TextLine] = [*content.tables, *content.lines]
        page_items.sort(key=lambda it: it.first_bbox[1] if isinstance(it, Table) else it.bbox[1])
        first_table = next((it for it in page_items if isinstance(it, Table)), None)
        for it in page_items:
            prev = items[self._last_table] if self._last_table is not None else None
            if it is first_table and isinstance(it, Table) and isinstance(prev, Table):
                aligned = align_to(prev, it)
                if continues(prev, aligned):
                    items[self._last_table] = stitch(prev, aligned)  # type: ignore[index]
                    continue
            items.append(it)
        tables = [i for i, it in enumerate(items) if isinstance(it, Table)]
        self._last_table = tables[-1] if tables and content.tables else None
        cut = len(items) if self._last_table is None else self._last_table
        done, self._items = items[:cut], items[cut:]
        if self._last_table is not None:
            self._last_table = 0
        return done

    def finish(self) -> list[Table | TextLine]:
        done, self._items, self._last_table = self._items, [], None
        return done
