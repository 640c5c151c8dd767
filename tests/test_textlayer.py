"""The fast text backend (PLAYA) reads the same cells as pdfplumber's
pdfminer view, the reference it replaced, on both generators and a real PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REAL01, SAMPLE, SAMPLE_LO

from jixiao.extract.model import PageInfo
from jixiao.extract.source import PdfSource
from jixiao.extract.textlayer import TextLayerEngine
from jixiao.normalize import page_wanted


def _cells(engine: TextLayerEngine, source: PdfSource, index: int) -> list[list[tuple]]:
    content = engine.read_page(source, index, PageInfo(index + 1, "sound", "text"))
    return [[(c.row, c.col, c.rowspan, c.colspan, c.text) for c in t.cells] for t in content.tables]


@pytest.mark.parametrize("pdf", [SAMPLE, SAMPLE_LO, REAL01], ids=lambda p: p.name)
def test_playa_reads_what_pdfminer_reads(pdf: Path) -> None:
    fast, reference = TextLayerEngine("playa"), TextLayerEngine("pdfminer")
    with PdfSource(pdf) as source:
        pages = [i for i in range(source.page_count) if page_wanted(source.page_text(i))]
        assert pages
        for i in pages:
            assert _cells(fast, source, i) == _cells(reference, source, i), f"p.{i + 1}"
