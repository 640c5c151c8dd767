"""extract: PDF -> ruled tables (cells with spans, page, bbox) and free text.

Knows nothing about 绩效 forms. The caller may pass ``wanted(text)`` to skip
pages cheaply: a page is read when it is wanted or follows a wanted page
(a table continued from there).

A document is read page by page (``stream_pdf``): its items come out as soon
as no later page can change them, so a long PDF never sits in memory whole;
``read_pdf`` collects them into one ``Document``.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from ..errors import DamagedPdf, JixiaoError, TooLarge
from ..limits import MIB, OUT_OF_MEMORY, Limits
from .engines import get_engine
from .inflate import stream_past
from .model import Cell, Document, Fragment, PageContent, PageInfo, Table, TextLine
from .order import ReadingOrder
from .pagebox import page_unit
from .source import PdfSource, blank_state, image_bytes, sha256_file, translate_page_error
from .triage import triage_page

__all__ = [
    "FAILED",
    "Cell",
    "Document",
    "Fragment",
    "PageInfo",
    "PdfStream",
    "Table",
    "TextLine",
    "read_pdf",
    "sha256_file",
    "stream_pdf",
]


FAILED = "failed"  # PageInfo.method of a page that could not be read (the file is then partial)
BLANK = "blank page"  # PageInfo.reason of an empty page, skipped before OCR


COVER_PAGES = 3  # pages looked at for the document's cover text
COVER_MIN_CHARS = 8  # fewer characters than this is no cover (a blank or image page)
# The PDF libraries keep every object they parsed for as long as the document
# is open (PDFium ~30 KB a page on a merged PDF): reopened after this many pages.
FORGET_PAGES = 128


def read_pdf(
    path: str | Path,
    *,
    password: str | None = None,
    wanted: Callable[[str], bool] | None = None,
    force_engine: str | None = None,
    limits: Limits | None = None,
    sha256: str | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> Document:
    """The whole document at once (``stream_pdf`` says how pages are read)."""
    with stream_pdf(
        path, password=password, wanted=wanted, force_engine=force_engine, limits=limits, sha256=sha256, on_page=on_page
    ) as stream:
        items = tuple(stream.items)
        return Document(stream.path, stream.sha256, stream.page_count, tuple(stream.pages), items, stream.cover_text)


@contextlib.contextmanager
def stream_pdf(
    path: str | Path,
    *,
    password: str | None = None,
    wanted: Callable[[str], bool] | None = None,
    force_engine: str | None = None,
    limits: Limits | None = None,
    sha256: str | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> Iterator[PdfStream]:
    """The PDF, open, to be read page by page through ``PdfStream.items``."""
    with PdfSource(path, password) as source:
        yield PdfStream(source, wanted, force_engine, limits or Limits(), sha256, on_page)


class _Triaged(NamedTuple):
    page_index: int
    text: str
    state: str  # the text layer: "sound", "garbled" or "absent"
    reason: str
    ink: str  # "ink", "blank" or "unreadable"


class PdfStream:
    """One PDF being read: ``items`` (an iterator, read once) gives its tables,
    stitched across page breaks, and its free lines in reading order.

    Every (wanted) page is read with the engine its text layer calls for. A
    page that cannot be read (a stream that does not decode, a page too large
    to render), or is read in part (the PDF libraries warned while reading it;
    its content is kept), is recorded with method "failed" and its reason,
    and the others are read; only when no page could be read at all does the
    file fail (raised at the end of ``items``). Blank pages are skipped before
    OCR.

    Held back at any time: the window a page break may still stitch (see
    ``order``) and, until the cover is known, the first pages' items.
    ``cover_text`` is final once the first item is out; ``pages`` (one
    PageInfo per page) once ``items`` is exhausted."""

    def __init__(
        self,
        source: PdfSource,
        wanted: Callable[[str], bool] | None,
        force_engine: str | None,
        limits: Limits,
        sha256: str | None,
        on_page: Callable[[int, int], None] | None,
    ) -> None:
        self.path = source.path
        self.page_count = source.page_count
        self.pages: list[PageInfo] = []
        # The first page's text layer (its cover or title), even when the page
        # itself was skipped: documents name their year there.
        self.cover_text = ""
        self._scanned_cover = False  # a scanned cover (no text layer, no table) was OCR'd for its free text
        self._sha256 = sha256  # the caller that hashed the file already passes it
        self._source = source
        self.items: Iterator[Table | TextLine] = self._read(wanted, force_engine, limits, on_page)

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = sha256_file(self.path)
        return self._sha256

    def _cover_missing(self, index: int) -> bool:
        return index < COVER_PAGES and len(self.cover_text.strip()) < COVER_MIN_CHARS

    def _cover_known(self, index: int) -> bool:
        return index >= COVER_PAGES - 1 or len(self.cover_text.strip()) >= COVER_MIN_CHARS

    def _read(
        self,
        wanted: Callable[[str], bool] | None,
        force_engine: str | None,
        limits: Limits,
        on_page: Callable[[int, int], None] | None,
    ) -> Iterator[Table | TextLine]:
        source = self._source
        infos = self.pages
        order = ReadingOrder()
        held: list[Table | TextLine] = []  # final, but out only once the cover is known
        read_any = False
        failures: list[JixiaoError] = []
        damage: list[str] = []  # the PDF libraries' warnings so far in this document
        previous_wanted = False
        for index in range(source.page_count):
            if index and index % FORGET_PAGES == 0:
                source.forget()
            if on_page is not None:
                on_page(index, source.page_count)  # pages done so far, of all
            try:
                text, state, reason, ink = _triage(source, index, limits, look_for_ink=force_engine is None)
            except PageFailed as e:
                infos.append(PageInfo(index + 1, "absent", FAILED, str(e.error)))
                failures.append(e.error)
                previous_wanted = False
            else:
                if index < COVER_PAGES and len(self.cover_text.strip()) < COVER_MIN_CHARS:
                    self.cover_text += text + "\n"  # an image-only or empty first page: the title is on the next
                page = _Triaged(index, text, state, reason, ink)
                content, previous_wanted = self._page(page, wanted, force_engine, limits, previous_wanted, failures, damage)
                if content is not None:
                    read_any = True
                    held += order.add(content)
            source.page_done(index)
            if held and self._cover_known(index):
                yield from held
                held = []
        if on_page is not None:
            on_page(source.page_count, source.page_count)
        if failures and len(failures) == source.page_count and not read_any:
            raise failures[0]  # nothing could be read: the file's error
        yield from [*held, *order.finish()]

    def _page(
        self,
        page: _Triaged,
        wanted: Callable[[str], bool] | None,
        force_engine: str | None,
        limits: Limits,
        previous_wanted: bool,
        failures: list[JixiaoError],
        damage: list[str],
    ) -> tuple[PageContent | None, bool]:
        """One triaged page read (or skipped, or failed): its content, if read,
        and whether it was wanted (the next page is read to carry its table on)."""
        source, infos = self._source, self.pages
        index, text, state, reason, ink = page
        if ink == "blank":  # recognised before OCR, which would cost a second or more
            infos.append(PageInfo(index + 1, state, "skipped", BLANK))
            return None, False
        if ink == "unreadable":  # a broken font, an image that does not decode: not a blank page
            error = DamagedPdf(source.path, f"page {index + 1}: its content neither decodes nor renders")
            infos.append(PageInfo(index + 1, state, FAILED, str(error)))
            failures.append(error)
            return None, False
        is_wanted = wanted is None or state != "sound" or wanted(text)
        if not (is_wanted or previous_wanted):
            infos.append(PageInfo(index + 1, state, "skipped", "no form vocabulary"))
            return None, False
        engine = force_engine or ("text" if state == "sound" else "ocr")
        info = PageInfo(index + 1, state, engine, reason)
        try:
            if engine == "ocr":
                _check_pixels(source, index, limits)
            # A text layer that does not decode because the PDF is damaged
            # (a font or its ToUnicode lost with a broken xref) is not one
            # made that way: OCR reads it, but rows may be missing.
            probe = _probe_text(source, index) if state == "garbled" and engine == "ocr" else []
            # Libraries warn once per broken object: a later page that uses it
            # is as damaged as the first.
            damage += probe
            if state == "garbled" and engine == "ocr" and damage and not probe:
                probe = damage[:1]
            if engine == "ocr" and force_engine is None and not probe and not _may_hold_form(source, index):
                # One scanned cover among the first pages is read for its
                # free text (it names the year and the unit); no other page
                # without a table is.
                if self._scanned_cover or not self._cover_missing(index) or not _looks_like_cover(source, index):
                    from .formgate import NO_TABLE  # OpenCV only where a page goes to OCR

                    infos.append(PageInfo(index + 1, state, "skipped", NO_TABLE))  # never OCR'd, as blank pages
                    return None, False
                self._scanned_cover = True
            with library_warnings() as warned:
                content = _read_page(source, engine, index, info)
            damage += warned
            warned[:0] = probe
        except PageFailed as e:
            infos.append(PageInfo(index + 1, state, FAILED, str(e.error)))
            failures.append(e.error)
            return None, is_wanted
        if warned:
            # Read, but the PDF library had to skip part of the page (a stream
            # that does not inflate, operators with broken operands): its
            # rows are kept and the file is partial, this page named.
            error = DamagedPdf(source.path, f"page {index + 1} decoded in part: {warned[0]}")
            infos.append(PageInfo(index + 1, state, FAILED, str(error)))
            failures.append(error)
        else:
            infos.append(content.info)
        return content, is_wanted


# Loggers of the PDF libraries: on the real PDFs they are silent; a warning
# means part of a page was skipped or guessed.
LIBRARY_LOGGERS = ("playa", "pdfminer")
# Warnings that say the file is broken (objects, xref, streams, operators),
# as opposed to a font's encoding fallbacks.
DAMAGE_RE = re.compile(
    r"not found|xref|decompress|data loss|invalid|incorrect|unmatched|odd number|expected|syntax|error", re.IGNORECASE
)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.messages.append(record.getMessage().splitlines()[0][:160])


@contextlib.contextmanager
def library_warnings() -> Iterator[list[str]]:
    """The PDF libraries' warnings while a page is read (and kept off the
    terminal: the page's one line says it)."""
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    saved = [(lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
        if lg.level == logging.NOTSET or lg.level > logging.WARNING:
            lg.setLevel(logging.WARNING)
    try:
        yield handler.messages
    finally:
        for lg, (propagate, level) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.propagate, lg.level = propagate, level


def _probe_text(source: PdfSource, index: int) -> list[str]:
    """The PDF libraries' complaints while interpreting the page's text (a
    few milliseconds; the page then costs a second of OCR anyway)."""
    with library_warnings() as warned:
        try:
            for obj in source.playa_page(index):
                if obj.object_type == "text":
                    for _ in obj:
                        pass
        except Exception as e:  # noqa: BLE001 - any failure here is the PDF's damage, told as the page's
            warned.append(f"{type(e).__name__}: {str(e)[:120]}")
    # A font made without a Unicode map is warned about too ("Using
    # StandardEncoding for cid2unicode ..."): that is why OCR reads the page,
    # not damage.
    return [w for w in warned if DAMAGE_RE.search(w)]


class PageFailed(Exception):
    """One page could not be read; ``error`` says why (the file goes on)."""

    def __init__(self, error: JixiaoError) -> None:
        super().__init__(str(error))
        self.error = error


def _triage(source: PdfSource, index: int, limits: Limits, look_for_ink: bool) -> tuple[str, str, str, str]:
    """The page's text, its triage and, for a page without text, whether it
    has ink (``blank_state``), inside the same boundary as reading: a page
    whose text layer does not decode fails alone. A page that will be
    rendered first has its images' declared size checked (a Flate bomb is
    refused before anything inflates it)."""
    try:
        with library_warnings():  # the page's read says what is damaged, once
            return _triage_page(source, index, limits, look_for_ink)
    except PageFailed:
        raise
    except Exception as e:
        err = _page_error(source, index, e)
        if err is e:
            raise
        raise err from e


def _triage_page(source: PdfSource, index: int, limits: Limits, look_for_ink: bool) -> tuple[str, str, str, str]:
    if limits.stream_bytes is not None:  # before PDFium loads the page, inflating them whole
        what = stream_past(source, index, limits.stream_bytes)
        if what is not None:
            detail = f"page {index + 1}'s {what} inflates to more than {limits.stream_bytes / MIB:.0f} MB, the limit"
            raise PageFailed(TooLarge(source.path, detail))
    text = source.page_text(index)
    state, reason = triage_page(source, index, text)
    if state != "sound" and limits.image_bytes is not None:
        total, _ = image_bytes(source, index)
        if total > limits.image_bytes:
            detail = f"page {index + 1}'s images inflate to {total / MIB:.0f} MB, the limit is " \
                f"{limits.image_bytes / MIB:.0f} MB"
            raise PageFailed(TooLarge(source.path, detail))
    ink = blank_state(source, index) if state == "absent" and look_for_ink else "ink"
    return text, state, reason, ink


def _check_pixels(source: PdfSource, index: int, limits: Limits) -> None:
    """Refuse to render a page whose image would pass the pixel limit (at the
    lowest resolution OCR uses): a 14400 pt MediaBox would take gigabytes."""
    from .raster import MIN_DPI

    if limits.page_pixels is None:
        return
    page = source.pdfium[index]
    try:
        w, h = page.get_size()  # the visible page (CropBox), in user units
    finally:
        page.close()
    unit = page_unit(source, index)
    w, h = w * unit, h * unit
    pixels = w * h * (MIN_DPI / 72.0) ** 2
    if pixels > limits.page_pixels:
        detail = f"page {index + 1} is {w:.0f} x {h:.0f} pt: {pixels / 1e6:.0f} M pixels to render, " \
            f"the limit is {limits.page_pixels / 1e6:.0f} M"
        raise PageFailed(TooLarge(source.path, detail))


def _read_page(source: PdfSource, engine: str, index: int, info: PageInfo) -> PageContent:
    """The one boundary where the engines' library errors become ours."""
    try:
        return get_engine(engine).read_page(source, index, info)
    except Exception as e:
        err = _page_error(source, index, e)
        if err is e:
            raise
        raise err from e


def _looks_like_cover(source: PdfSource, index: int) -> bool:
    return _look(source, index, cover=True)


def _may_hold_form(source: PdfSource, index: int) -> bool:
    return _look(source, index, cover=False)


def _look(source: PdfSource, index: int, cover: bool) -> bool:
    """A low-resolution look at a page before OCR (``formgate``: the OCR
    gate's ``holds_table``, or ``looks_like_cover``), inside the same
    boundary as reading. OpenCV is imported only where a page goes to OCR."""
    from . import formgate

    try:
        page = source.pdfium[index]
        try:
            return formgate.looks_like_cover(page) if cover else formgate.holds_table(page)
        finally:
            page.close()
    except Exception as e:
        err = _page_error(source, index, e)
        if err is e:
            raise
        raise err from e


def _page_error(source: PdfSource, index: int, e: Exception) -> Exception:
    """A page's failure as PageFailed (the file goes on), or the exception
    itself when it is the whole file's (the file went away, a wrong password,
    a timeout) or a bug in jixiao (its traceback is kept)."""
    if isinstance(e, MemoryError):
        return PageFailed(TooLarge(source.path, f"page {index + 1} needs {OUT_OF_MEMORY}"))
    if isinstance(e, DamagedPdf):
        return PageFailed(e)
    if isinstance(e, JixiaoError):
        return e
    ours = translate_page_error(source.path, e)
    if ours is None:
        return e
    if isinstance(ours, DamagedPdf):
        return PageFailed(DamagedPdf(source.path, f"page {index + 1}: {ours.detail}"))
    return ours
