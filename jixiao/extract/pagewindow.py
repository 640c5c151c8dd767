"""PLAYA's pages, made as a document is read in order, the last few kept.

PLAYA's ``PageList`` makes every page of the document the first time one is
asked for by number (and counting them parses every page dictionary), then
keeps them all while the document is open: about 10 KB a page, 20 MB for a
2,000-page PDF, however few pages are read at a time. extract reads pages in
order: this list walks PLAYA's own page tree (its inheritance of /Resources,
/MediaBox and /Rotate, its repairs of broken trees) only as far as the page
asked for, and keeps the last ``KEEP`` pages made. Asking for an earlier page
walks the tree again from the start: the same page, made again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from playa.document import PageList
from playa.page import Page

KEEP = 4  # pages kept made: the page being read and the few before it (a page break looks back one)


class PageWindow(PageList):
    def __init__(self, doc: Any) -> None:
        super().__init__(doc)
        self._count: int | None = None
        self._restart()

    def _restart(self) -> None:
        self._walk: Iterator[tuple[int, tuple[tuple[int, Any], str]]] = enumerate(
            zip(self.page_objects, self.page_labels)
        )
        self._next = 0  # index of the next page the walk makes
        self._kept: dict[int, Page] = {}

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, int):  # a label, a slice: PLAYA's list of every page
            return super().__getitem__(key)
        if key < 0:
            key += len(self)
        if key in self._kept:
            return self._kept[key]
        if key < self._next:
            self._restart()
        doc = self.doc
        for index, ((objid, properties), label) in self._walk:
            page = Page(doc, objid, properties, label, index, doc.space)
            self._next = index + 1
            self._kept[index] = page
            if len(self._kept) > KEEP:
                del self._kept[min(self._kept)]
            if index == key:
                return page
        raise IndexError(f"page index {key} out of range")

    def __len__(self) -> int:
        if self._count is None:
            self._count = super().__len__()
        return self._count

    def __reversed__(self) -> Iterator[Page]:
        return reversed(list(iter(self)))  # PLAYA's font mapping walks the pages backwards

    def release(self) -> None:
        """Let go of the walk (its frame holds the document)."""
        self._walk = iter(())
        self._kept = {}
