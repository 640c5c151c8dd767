"""An open PDF: pypdfium2 for speed and rendering, pdfplumber for geometry.

All library exceptions raised while opening are translated here, by type.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import Any, Self

import pypdfium2 as pdfium

from ..errors import DamagedPdf, EmptyFile, EncryptedPdf, JixiaoError, NotAPdf, UnreadableFile


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class PdfSource:
    """One PDF, opened once; ``plumber`` is opened only if a page needs it."""

    def __init__(self, path: str | Path, password: str | None = None) -> None:
        self.path = str(path)
        self.password = password
        p = Path(path)
        size = p.stat().st_size
        if size == 0:
            raise EmptyFile(self.path)
        with open(p, "rb") as f:
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

        try:
            return playa.open(self.path, password=self.password or "")
        except PDFPasswordIncorrect as e:
            raise EncryptedPdf(self.path, bool(self.password)) from e
        except PDFException as e:
            raise DamagedPdf(self.path, type(e).__name__) from e

    def page_text(self, index: int) -> str:
        """The page's text layer as pdfium decodes it (fast, no layout)."""
        return self.text_page(index)[1].get_text_range()

    def text_page(self, index: int) -> tuple[Any, Any]:
        """pdfium's page and text page, loaded once for the last page asked for."""
        if self._loaded is None or self._loaded[0] != index:
            self._release()
            page = self.pdfium[index]
            self._loaded = (index, page, page.get_textpage())
        return self._loaded[1], self._loaded[2]

    def _release(self) -> None:
        if self._loaded is not None:
            self._loaded[2].close()
            self._loaded[1].close()
            self._loaded = None

    def close(self) -> None:
        self._release()
        if "plumber" in self.__dict__:
            self.plumber.close()
        if "playa" in self.__dict__:
            self.playa.close()
        self.pdfium.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    """Was ``e`` raised by code of one of these packages (innermost frame)?"""
    tb = e.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", ""))
    return module.split(".")[0] in packages


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:200] if text else "no detail"
