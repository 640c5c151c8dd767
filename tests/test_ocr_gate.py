"""The OCR gate (``extract.formgate``): a scanned page without a ruled table
is recorded as skipped and never OCR'd; scanned form pages pass it.

The profiles' form pages against gold are tests/test_scans.py (they go
through the gate); here the pages most likely to fail it: the sideways and
faxed last pages of a form, two rows of a table at the page's edge.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import PDFS, REAL01, SAMPLE
from fixtures.make_scans import build

from jixiao.extract import formgate, read_pdf
from jixiao.extract.ocr import OcrEngine

PROSE = 7  # PDF 01's page 7: 部门职责, prose without a table


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gate")


def test_a_scanned_prose_page_is_skipped_without_ocr(scans: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text page of a 部门预算, scanned with a seal, beside a scanned form
    page: the form page is OCR'd, the prose page is not, and says why."""
    prose = build("seal", scans / "prose.pdf", source=REAL01, pages=[PROSE])
    form = build("seal", scans / "form.pdf", source=SAMPLE, pages=[14])  # a whole form on one page
    both = pdfium.PdfDocument.new()
    for pdf in (prose, form):
        both.import_pages(pdfium.PdfDocument(pdf))
    both.save(scans / "both.pdf")
    read = OcrEngine.read_page
    ocr_pages: list[int] = []

    def counted(self: OcrEngine, source, index, info):  # type: ignore[no-untyped-def]
        ocr_pages.append(index + 1)
        return read(self, source, index, info)

    monkeypatch.setattr(OcrEngine, "read_page", counted)
    doc = read_pdf(scans / "both.pdf")
    first, second = doc.pages
    assert (first.text_layer, first.method, first.reason) == ("absent", "skipped", formgate.NO_TABLE)
    assert second.method == "ocr"
    assert ocr_pages == [2]


@pytest.mark.parametrize(("profile", "page"), [("rotated", 17), ("fax", 17), ("phone", 2)])
def test_hard_form_pages_pass_the_gate(scans: Path, profile: str, page: int) -> None:
    """The sample's page 17 holds the last two rows of a form (fed sideways in
    the rotated profile: its grid runs down the page); page 2 a short tail."""
    pdf = build(profile, scans / f"{profile}-{page}.pdf", pages=[page])
    doc = pdfium.PdfDocument(pdf)
    try:
        assert formgate.holds_table(doc[0])
    finally:
        doc.close()


def test_the_gate_refuses_prose_in_every_profile(scans: Path) -> None:
    for profile in ("fax", "rotated", "phone"):
        doc = pdfium.PdfDocument(build(profile, scans / f"prose-{profile}.pdf", source=REAL01, pages=[PROSE]))
        try:
            assert not formgate.holds_table(doc[0]), profile
        finally:
            doc.close()


def test_a_scanned_chart_is_no_table() -> None:
    """A real budget's page that is one scanned image: a pie chart of staff
    (人员构成), in a frame, with boxed labels. OCR'd before the gate (0.6 CPU-s), it gave
    no record; its frame and label boxes make a grid of 2 cells."""
    doc = pdfium.PdfDocument(PDFS / "020_西安_医疗保障局_2026年部门预算.pdf")
    try:
        assert not formgate.holds_table(doc[15])
        assert formgate.holds_table(doc[46])  # a form page of the same file, rendered (not read this way in a run)
    finally:
        doc.close()


def test_a_cover_of_two_title_lines_only_is_a_cover(scans: Path) -> None:
    """长沙's cover prints its unit and year in two lines of large type and
    nothing else; joined along the lines, they are lines of large type (and
    no glyph stays alone), which is a cover all the same. Its prose page is none."""
    changsha = PDFS / "015_长沙_教育局_2026年部门预算.pdf"
    doc = pdfium.PdfDocument(build("seal", scans / "changsha-cover.pdf", source=changsha, pages=[1]))
    prose = pdfium.PdfDocument(build("seal", scans / "prose-cover.pdf", source=REAL01, pages=[PROSE]))
    try:
        assert formgate.looks_like_cover(doc[0])
        assert not formgate.looks_like_cover(prose[0])
    finally:
        doc.close()
        prose.close()
