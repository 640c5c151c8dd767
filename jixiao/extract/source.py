"""An open PDF: pypdfium2 for speed and rendering, pdfplumber for geometry.

All library exceptions raised while opening are translated here, by type.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import mmap
import os
import stat
from functools import cached_property
from pathlib import Path
from typing import Any, Self

import pypdfium2 as pdfium

from ..errors import DamagedPdf, EmptyFile, EncryptedPdf, JixiaoError, NotAPdf, NotRegularFile, UnreadableFile

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def open_regular(path: str | Path) -> int:
    """A descriptor on ``path`` once it is known to be a regular file.

    Opened non-blocking and checked with fstat on the open descriptor, so that
    a FIFO or /dev/zero given as a PDF is refused at once instead of blocking
    or reading forever (and the check cannot race with a rename)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotRegularFile(str(path), "a symbolic link loop") from e
        if e.errno == errno.ENOENT and os.path.islink(path):
            raise NotRegularFile(str(path), "a symbolic link to nothing") from e
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((k for test, k in _KINDS if test(mode)), "a special file")
        raise NotRegularFile(str(path), kind)
    if hasattr(os, "O_NONBLOCK"):
        os.set_blocking(fd, True)
    return fd


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class PdfSource:
    """One PDF, opened once; ``plumber`` is opened only if a page needs it."""

    def __init__(self, path: str | Path, password: str | None = None) -> None:
        self.path = str(path)
        self.password = password
        with os.fdopen(open_regular(path), "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                raise EmptyFile(self.path)
            head = f.read(1024)
        if b"%PDF" not in head:
            raise NotAPdf(self.path)
        try:
            self.pdfium = pdfium.PdfDocument(self.path, password=password)
        except pdfium.PdfiumError as e:
            raise _translate_pdfium(self.path, e, password) from e
        self.page_count = len(self.pdfium)
        # The page triage looked at, kept open for the text engine (loading a
        # page parses its content stream).
        self._loaded: tuple[int, Any, Any] | None = None

    @cached_property
    def plumber(self) -> Any:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfplumber.utils.exceptions import PdfminerException

        try:
            return pdfplumber.open(self.path, password=self.password or "")
        except PdfminerException as e:
            cause = e.args[0] if e.args else None
            if isinstance(cause, PDFPasswordIncorrect):
                raise EncryptedPdf(self.path, bool(self.password)) from e
            raise DamagedPdf(self.path, type(cause).__name__ if cause else "") from e
        except PDFSyntaxError as e:
            raise DamagedPdf(self.path, "syntax error") from e

    @cached_property
    def playa(self) -> Any:
        import playa
        from playa.exceptions import PDFException, PDFPasswordIncorrect

        from .pagewindow import PageWindow

        try:
            doc = playa.open(self.path, password=self.password or "")
        except PDFPasswordIncorrect as e:
            raise EncryptedPdf(self.path, bool(self.password)) from e
        except PDFException as e:
            raise DamagedPdf(self.path, type(e).__name__) from e
        except Exception as e:
            if _raised_in(e, PDF_LIBRARIES):
                raise DamagedPdf(self.path, f"{type(e).__name__}: {_first_line(e)}") from e
            raise
        # Pages made as they are read, not all of them at the first (see pagewindow).
        doc._pages = PageWindow(doc)
        return doc

    def playa_page(self, index: int) -> Any:
        """PLAYA's page, in the orientation its text is printed in.

        /Rotate turns the page for display. Most PDFs draw their content
        upright in the unrotated page and set /Rotate to show it turned (a
        form saved rotated): read them unrotated, or every line of text runs
        down the page and no cell holds a word. A PDF that draws its content
        turned and sets /Rotate to show it upright reads rotated, as PLAYA
        gives it. The text's own direction decides."""
        page = self.playa.pages[index]
        if page.rotate % 360 and _runs_vertically(page):
            page.set_initial_ctm(page.space, 0)
        return page

    def page_text(self, index: int) -> str:
        """The page's text layer as pdfium decodes it (fast, no layout)."""
        return self.text_page(index)[1].get_text_range()

    def text_page(self, index: int) -> tuple[Any, Any]:
        """pdfium's page and text page, loaded once for the last page asked for."""
        if self._loaded is None or self._loaded[0] != index:
            self._release()
            page = self.pdfium[index]
            if page.get_rotation() and self.playa_page(index).rotate == 0:
                page.set_rotation(0)  # read as the text layer is read (see playa_page)
            self._loaded = (index, page, page.get_textpage())
        return self._loaded[1], self._loaded[2]

    def _release(self) -> None:
        if self._loaded is not None:
            self._loaded[2].close()
            self._loaded[1].close()
            self._loaded = None

    def page_done(self, index: int) -> None:
        """A page is read: drop the content PLAYA decoded for it (PLAYA keeps
        each page's decoded content streams for as long as the document is
        open; they are decoded again if the page is read again)."""
        if "playa" not in self.__dict__:
            return
        with contextlib.suppress(Exception):  # only memory: a page that failed keeps its failure
            for stream in self.playa.pages[index].streams:
                if getattr(stream, "_data", None) is not None:
                    stream._data = None

    def forget(self) -> None:
        """Drop what the PDF libraries keep of the pages read so far (parsed
        objects, fonts, decoded streams: they keep all of it while the
        document is open), between two pages of a long document."""
        self._release()
        self.pdfium.close()
        self.pdfium = pdfium.PdfDocument(self.path, password=self.password)
        if "plumber" in self.__dict__:  # pdfplumber keeps each page's objects
            self.plumber.close()
            del self.__dict__["plumber"]
        if "playa" in self.__dict__:
            # PLAYA keeps every object it parsed (the stream check reads each
            # page's fonts). Its caches are emptied, not the document reopened:
            # reopening builds its page list again (+20 % time at 2,000 pages).
            with contextlib.suppress(Exception):  # private attributes: only memory is at stake
                for cache in ("_cached_objs", "_parsed_objs", "_cached_fonts"):
                    getattr(self.playa, cache).clear()
            # PLAYA maps the file: each page read leaves its bytes resident in
            # this process (a 15 MB PDF, 15 MB of RSS by its end). They stay in
            # the page cache; a later read maps them in again.
            buffer = getattr(self.playa, "buffer", None)
            if isinstance(buffer, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
                with contextlib.suppress(OSError, ValueError):
                    buffer.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        self._release()
        if "plumber" in self.__dict__:
            self.plumber.close()
        if "playa" in self.__dict__:
            pages = self.playa.pages
            if hasattr(pages, "release"):
                pages.release()
            self.playa.close()
        self.pdfium.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def image_bytes(source: PdfSource, index: int) -> tuple[int, int]:
    """(decompressed bytes, largest single image) the page's images declare
    (width x height x depth): known before any of them is decoded."""
    import pypdfium2 as pdfium

    page = source.pdfium[index]
    total = largest = 0
    try:
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            m = obj.get_metadata()
            size = int(m.width) * int(m.height) * max(1, int(m.bits_per_pixel)) // 8
            total, largest = total + size, max(largest, size)
        return total, largest
    finally:
        page.close()


ORIENTATION_SAMPLE = 64  # glyphs looked at to tell the direction of a rotated page's text


def _runs_vertically(page: Any) -> bool:
    """Does most of the page's text run along y in its device space (glyph
    matrices whose x axis maps to y)?"""
    along_y = along_x = 0
    for obj in page:
        if obj.object_type != "text":
            continue
        for g in obj:
            a, b = g.matrix[0], g.matrix[1]
            if abs(b) > abs(a):
                along_y += 1
            else:
                along_x += 1
            if along_x + along_y >= ORIENTATION_SAMPLE:
                return along_y > along_x
    return along_y > along_x


BLANK_THUMB_PX = 300  # long side of the thumbnail that tells a blank page
BLANK_INK = 240  # a pixel darker than this (0-255 grey) is ink


def blank_state(source: PdfSource, index: int) -> str:
    """For a page without a text layer, before it goes to OCR: "blank" (no
    object, or nothing but white when rendered, and no text objects), "ink"
    (something to read), or "unreadable" (text objects that render as
    nothing, a broken font; or images that do not decode). A small thumbnail decides, in milliseconds; OCR
    of a blank page costs a second or more."""
    import pypdfium2 as pdfium

    page = source.pdfium[index]
    try:
        if next(iter(page.get_objects(max_depth=2)), None) is None:
            # Nothing PDFium could interpret: a blank page, or a content
            # stream that does not decode (PLAYA still sees its bytes).
            return "unreadable" if _has_content(source, index) else "blank"
        w, h = page.get_size()
        scale = min(1.0, BLANK_THUMB_PX / max(w, h, 1.0))
        image = page.render(scale=scale, grayscale=True).to_numpy()
        if image.size and int(image.min()) < BLANK_INK:
            return "ink"
        has_text = next(iter(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_TEXT], max_depth=2)), None)
        if has_text is not None:
            return "unreadable"
        # White: a blank scan, or images that do not decode (drawn as nothing).
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            try:
                obj.get_bitmap(render=False).close()
            except pdfium.PdfiumError:
                return "unreadable"
        return "blank"
    finally:
        page.close()


CONTENT_MIN_BYTES = 16  # less than this is no drawing ("q Q", white space)
RAW_MIN_BYTES = 32  # a compressed empty stream is ~8 bytes; more that inflates to nothing is damage


def _has_content(source: PdfSource, index: int) -> bool:
    """Does the page have content streams with something in them, decoded
    or not (a stream that does not inflate decodes to nothing)?"""
    try:
        streams = list(source.playa.pages[index].streams)
        decoded = sum(len(bytes(s.buffer).strip()) for s in streams)
        raw = sum(len(getattr(s, "rawdata", b"") or b"") for s in streams)
        if decoded >= CONTENT_MIN_BYTES or raw >= RAW_MIN_BYTES:
            return True
        # No content, but the page's own resources name fonts or images to
        # draw: its /Contents entry is lost (a blank page names none).
        own = source.playa.pages[index].attrs.get("Resources")
        own = own.resolve() if hasattr(own, "resolve") else own
        return isinstance(own, dict) and any(own.get(k) for k in ("Font", "XObject"))
    except Exception as e:
        if _raised_in(e, PDF_LIBRARIES) or isinstance(e, JixiaoError):
            return True
        raise


def _translate_pdfium(path: str, e: Exception, password: str | None) -> Exception:
    # pdfium reports FPDF_GetLastError codes; 4 is "password required/incorrect".
    code = getattr(e, "err_code", None)
    if code == pdfium.raw.FPDF_ERR_PASSWORD:
        return EncryptedPdf(path, bool(password))
    return DamagedPdf(path, str(e).splitlines()[0] if str(e) else "")


# Packages that parse PDFs for the engines. An exception raised inside one of
# them while a page is read means the PDF (or that page) cannot be read; one
# raised in jixiao's own code is a bug.
PDF_LIBRARIES = ("pdfminer", "pdfplumber", "playa", "pypdfium2")


def translate_page_error(path: str, e: Exception) -> JixiaoError | None:
    """Library exceptions raised while reading pages, by type (and, for the
    builtin types libraries also raise, e.g. playa's NotImplementedError for an
    unknown stream filter, by the module that raised them); None for a bug.

    pdfplumber wraps whatever pdfminer raises inside a page in
    ``PdfminerException(cause)``. Opening errors are translated in
    ``PdfSource.__init__`` and its lazy openers.
    """
    import pypdfium2
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    known: tuple[type[BaseException], ...] = (
        PdfminerException,
        PSException,
        MalformedPDFException,
        pypdfium2.PdfiumError,
    )
    try:
        import playa

        known += (playa.PDFException,)
    except ImportError:
        pass
    cause: BaseException = e
    if isinstance(e, PdfminerException) and e.args and isinstance(e.args[0], BaseException):
        cause = e.args[0]
    if isinstance(e, known):
        return DamagedPdf(path, f"a page cannot be read: {type(cause).__name__}: {_first_line(cause)}")
    if isinstance(e, OSError):  # the file went away or the disk failed mid-read
        return UnreadableFile(path, e.strerror or type(e).__name__)
    if _raised_in(e, PDF_LIBRARIES):
        return DamagedPdf(path, f"a page cannot be read: {type(e).__name__}: {_first_line(e)}")
    return None


def _raised_in(e: BaseException, packages: tuple[str, ...]) -> bool:
    """Was ``e`` raised inside one of these packages: the innermost frame that
    is not the standard library belongs to one (playa decodes Ascii85 with
    ``base64``, whose ValueError is the PDF's fault, not jixiao's)?"""
    tb = e.__traceback__
    last = ""
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", "")).split(".")[0]
        if module in packages or module == "jixiao":
            last = module
        tb = tb.tb_next
    return last in packages


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:200] if text else "no detail"
