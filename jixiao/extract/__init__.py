"""extract: PDF -> ruled tables (cells with spans, page, bbox) and free text.

Knows nothing about 绩效 forms. The caller may pass ``wanted(text)`` to skip
pages cheaply: a page is read when it is wanted or follows a wanted page
(a table continued from there).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import JixiaoError
from .engines import get_engine
from .model import Cell, Document, Fragment, PageContent, PageInfo, Table, TextLine
from .source import PdfSource, sha256_file, translate_page_error
from .tables import align_to, continues, stitch
from .triage import triage_page

__all__ = ["Cell", "Document", "Fragment", "PageInfo", "Table", "TextLine", "read_pdf", "sha256_file"]


def read_pdf(
    path: str | Path,
    *,
    password: str | None = None,
    wanted: Callable[[str], bool] | None = None,
    force_engine: str | None = None,
) -> Document:
    """Read every (wanted) page with the engine its text layer calls for."""
    with PdfSource(path, password) as source:
        contents: list[PageContent] = []
        infos: list[PageInfo] = []
        previous_wanted = False
        cover = ""
        for index in range(source.page_count):
            text = source.page_text(index)
            if index == 0:
                cover = text
            state, reason = triage_page(source, index, text)
            is_wanted = wanted is None or state != "sound" or wanted(text)
            if not (is_wanted or previous_wanted):
                info = PageInfo(index + 1, state, "skipped", "no form vocabulary")
                infos.append(info)
                previous_wanted = False
                continue
            previous_wanted = is_wanted
            engine = force_engine or ("text" if state == "sound" else "ocr")
            info = PageInfo(index + 1, state, engine, reason)
            content = _read_page(source, engine, index, info)
            infos.append(content.info)
            contents.append(content)
        items = _reading_order(contents)
        return Document(str(path), sha256_file(path), source.page_count, tuple(infos), tuple(items), cover)


def _read_page(source: PdfSource, engine: str, index: int, info: PageInfo) -> PageContent:
    """The one boundary where the engines' library errors become ours."""
    try:
        return get_engine(engine).read_page(source, index, info)
    except JixiaoError:
        raise
    except Exception as e:
        ours = translate_page_error(source.path, e)
        if ours is None:
            raise  # a bug in jixiao: keep the traceback
        raise ours from e


def _reading_order(contents: list[PageContent]) -> list[Table | TextLine]:
    """Tables and free lines top to bottom, page by page; tables that run on
    over a page break become one table."""
    items: list[Table | TextLine] = []
    last_table: int | None = None  # index in items of the previous page's last table
    for content in contents:
        page_items: list[Table | TextLine] = [*content.tables, *content.lines]
        page_items.sort(key=lambda it: it.first_bbox[1] if isinstance(it, Table) else it.bbox[1])
        first_table = next((it for it in page_items if isinstance(it, Table)), None)
        for it in page_items:
            prev = items[last_table] if last_table is not None else None
            if it is first_table and isinstance(it, Table) and isinstance(prev, Table):
                aligned = align_to(prev, it)
                if continues(prev, aligned):
                    items[last_table] = stitch(prev, aligned)  # type: ignore[index]
                    continue
            items.append(it)
        tables = [i for i, it in enumerate(items) if isinstance(it, Table)]
        last_table = tables[-1] if tables and content.tables else None
    return items
