"""An open PDF: pypdfium2 for speed and rendering, pdfplumber for geometry.

All library exceptions raised while opening are translated here, by type.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from ..errors import DamagedPdf, EmptyFile, EncryptedPdf, NotAPdf


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

        try:
            return playa.open(self.path, password=self.password or "")
        except playa.PDFPasswordIncorrect as e:
            raise EncryptedPdf(self.path, bool(self.password)) from e
        except (playa.PDFSyntaxError, playa.PDFEncryptionError) as e:
            raise DamagedPdf(self.path, type(e).__name__) from e

    def page_text(self, index: int) -> str:
        """The page's text layer as pdfium decodes it (fast, no layout)."""
        page = self.pdfium[index]
        tp = page.get_textpage()
        try:
            return tp.get_text_range()
        finally:
            tp.close()
            page.close()

    def close(self) -> None:
        if "plumber" in self.__dict__:
            self.plumber.close()
        if "playa" in self.__dict__:
            self.playa.close()
        self.pdfium.close()

    def __enter__(self) -> PdfSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _translate_pdfium(path: str, e: Exception, password: str | None) -> Exception:
    # pdfium reports FPDF_GetLastError codes; 4 is "password required/incorrect".
    code = getattr(e, "err_code", None)
    if code == pdfium.raw.FPDF_ERR_PASSWORD:
        return EncryptedPdf(path, bool(password))
    return DamagedPdf(path, str(e).splitlines()[0] if str(e) else "")
