"""Text-layer triage and the OCR engine, on the samples.

* triage: every page of every born-digital fixture is "sound", the scan's pages
  are "absent", the garbled twin's (``fixtures/make_garbled.py``) "garbled";
* a clean PDF never reaches OCR;
* OCR of the scan, page by page, against the text engine on its born-digital
  twin (``shpf-2023-libreoffice.pdf``: same geometry): same grids (spans and
  open page-edge sides), same cell texts; OCR of the garbled twin, stitched,
  against the text engine on ``shpf-2023.pdf``;
* per field, the cells whose reference text is a gold value (project names,
  header fields, funds, level 1/2/3 names, values) must come out exact at the
  project's bar; and the whole pipeline against gold.

Misses are printed (``pytest -s``) with the reference text.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from conftest import PDFS, SAMPLE, SAMPLE_LO, SCAN
from fixtures.make_garbled import build as build_garbled
from goldcmp import compare, load_gold

from jixiao.extract import read_pdf
from jixiao.extract.model import PageContent, PageInfo, Table
from jixiao.extract.ocr import OcrEngine, Recognised, fix_punctuation, place_spaces
from jixiao.extract.source import PdfSource
from jixiao.extract.textlayer import TextLayerEngine
from jixiao.extract.triage import triage_page
from jixiao.normalize import normalize
from jixiao.normalize.ocrfix import correct, edit_distance, looks_doubtful

REAL = sorted(PDFS.glob("[0-9][0-9]-*.pdf"))
BORN_DIGITAL = [SAMPLE, SAMPLE_LO, *REAL]
GOLD = "shpf-2023.json"


@pytest.fixture(scope="module")
def garbled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_garbled(tmp_path_factory.mktemp("garbled") / "shpf-2023-garbled.pdf")


# --- triage --------------------------------------------------------------------


def _verdicts(pdf: Path) -> tuple[list[str], list[str], float]:
    verdicts, reasons, spent = [], [], 0.0
    with PdfSource(pdf) as source:
        for i in range(source.page_count):
            text = source.page_text(i)
            t = time.perf_counter()
            verdict, reason = triage_page(source, i, text)
            spent += time.perf_counter() - t
            verdicts.append(verdict)
            reasons.append(reason)
    return verdicts, reasons, spent / max(1, len(verdicts))


@pytest.mark.parametrize("pdf", BORN_DIGITAL, ids=[p.name for p in BORN_DIGITAL])
def test_triage_born_digital_pages_are_sound(pdf: Path) -> None:
    verdicts, reasons, mean = _verdicts(pdf)
    wrong = [(i + 1, v, r) for i, (v, r) in enumerate(zip(verdicts, reasons)) if v != "sound"]
    assert not wrong, wrong
    assert mean < 0.003, f"triage costs {mean * 1000:.2f} ms per clean page"  # ~0.2 ms measured; loose for CI


def test_triage_scan_is_absent() -> None:
    verdicts, _, _ = _verdicts(SCAN)
    assert set(verdicts) == {"absent"}


def test_triage_garbled_is_garbled(garbled: Path) -> None:
    verdicts, reasons, _ = _verdicts(garbled)
    assert verdicts == ["garbled"] * len(verdicts), list(zip(verdicts, reasons))


def test_triage_signals_on_text() -> None:
    """Kangxi radicals are ideographs; Latin-decoded CJK codes and arbitrary
    rare ideographs are garbage."""
    with PdfSource(SAMPLE) as source:
        kangxi = "项目名称 ⽬标 ⼀级指标 ⼆级指标 三级指标 " * 5
        assert triage_page(source, 0, kangxi)[0] == "sound"
        assert triage_page(source, 0, "")[0] == "absent"
        latin = "œæÑ‡ ¤¯Êâäãå çéè êëíì " * 10 + "2023-01-01"
        assert triage_page(source, 0, latin)[0] == "garbled"
        rare = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(200))
        assert triage_page(source, 0, rare)[0] == "garbled"
        letters = "QxvRtzKpLmWbNcJdHfGs" * 3 + " 2023 01"
        assert triage_page(source, 0, letters)[0] == "garbled"
        english = "Performance targets of the 2023 budget, by project and indicator. " * 3
        assert triage_page(source, 0, english)[0] == "sound"


# --- the garbled fixture ----------------------------------------------------------


def test_garbled_fixture_renders_the_same_and_reads_as_garbage(garbled: Path) -> None:
    a, b = pdfium.PdfDocument(str(SAMPLE)), pdfium.PdfDocument(str(garbled))
    try:
        assert len(a) == len(b)
        for i in range(len(a)):
            x = a[i].render(scale=1.0, grayscale=True).to_numpy().astype(np.int16)
            y = b[i].render(scale=1.0, grayscale=True).to_numpy().astype(np.int16)
            assert x.shape == y.shape
            assert (np.abs(x - y) > 32).mean() < 0.001, f"page {i + 1} renders differently"
            text = b[i].get_textpage().get_text_range()
            assert not any("\u4e00" <= c <= "\u9fff" for c in text), f"page {i + 1} still has CJK text"
            assert "项目" not in text and "指标" not in text
    finally:
        a.close()
        b.close()


def test_garbled_fixture_is_deterministic(tmp_path: Path, garbled: Path) -> None:
    again = build_garbled(tmp_path / "again.pdf")
    assert again.read_bytes() == garbled.read_bytes()


# --- routing ----------------------------------------------------------------------


def test_clean_pdf_never_goes_through_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> PageContent:
        raise AssertionError("OCR called on a born-digital page")

    monkeypatch.setattr(OcrEngine, "read_page", boom)
    doc = read_pdf(SAMPLE)
    assert {p.method for p in doc.pages} == {"text"}
    assert {p.text_layer for p in doc.pages} == {"sound"}


# --- OCR against the text engine ------------------------------------------------


def _cells(table: Table) -> dict[tuple[int, int, int, int], tuple[str, float | None]]:
    return {(c.row, c.col, c.rowspan, c.colspan): (c.text, c.confidence) for c in table.cells}


def _gold_fields() -> dict[str, set[str]]:
    """Gold strings by field: a reference cell holding one of them is that field."""
    gold = load_gold(GOLD)
    fields: dict[str, set[str]] = defaultdict(set)
    for p in gold["projects"]:
        fields["project_name"].add(p["project_name"])
        for f in ("project_nature", "project_category", "department", "implementing_unit", "start_date", "end_date"):
            fields["header"].add(p[f])
        for v in p["funds"].values():
            fields["funds"].add(f"{v:,.2f}")
        for ind in p["indicators"]:
            fields["level1"].add(ind["level1"])
            fields["level2"].add(ind["level2"])
            fields["level3"].add(ind["level3"])
            if ind["value_raw"]:
                fields["value"].add(ind["value_raw"])
    return fields


# Bars (the project's): names, header fields, funds and levels 1/2 exact;
# values >= 98 %, level-3 names >= 95 %; all cells >= 98 %.
BARS = {"project_name": 1.0, "header": 1.0, "funds": 1.0, "level1": 1.0, "level2": 1.0, "value": 0.98, "level3": 0.95}


class Tally:
    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.cells = [0, 0]
        self.misses: list[str] = []
        self.structure: list[str] = []

    def table_pair(self, where: str, got: Table, ref: Table, gold: dict[str, set[str]]) -> None:
        if (got.nrows, got.ncols) != (ref.nrows, ref.ncols):
            self.structure.append(f"{where}: {got.nrows}x{got.ncols} != {ref.nrows}x{ref.ncols}")
        if got.open_top != ref.open_top or got.open_bottom != ref.open_bottom:
            self.structure.append(f"{where}: open sides differ")
        mine = _cells(got)
        for k, (text, _) in _cells(ref).items():
            found = mine.get(k)
            ok = found is not None and found[0] == text
            self.cells[0] += ok
            self.cells[1] += 1
            for field, values in gold.items():
                if text in values:
                    self.fields[field][0] += ok
                    self.fields[field][1] += 1
                    break
            if not ok:
                shown = "no such cell" if found is None else f"{found[0]!r} (conf {found[1]:.2f})"
                self.misses.append(f"{where} cell {k}: {shown} != {text!r}")

    def report(self) -> str:
        lines = [f"{self.name}: cells {self.cells[0]}/{self.cells[1]}"]
        lines += [f"  {f}: {r}/{t}" for f, (r, t) in sorted(self.fields.items())]
        return "\n".join(lines + self.structure + self.misses)

    def check(self) -> None:
        print(self.report())
        assert not self.structure, self.structure
        assert self.cells[0] >= 0.98 * self.cells[1]
        for field, bar in BARS.items():
            right, total = self.fields[field]
            assert total and right >= bar * total, f"{field}: {right}/{total} < {bar:.0%}"


@pytest.fixture(scope="module")
def scan_pages() -> list[tuple[PageContent, PageContent]]:
    """(OCR of the scan, text engine on its born-digital twin), page by page."""
    ocr, text = OcrEngine(), TextLayerEngine()
    pairs = []
    with PdfSource(SCAN) as scan, PdfSource(SAMPLE_LO) as twin:
        assert scan.page_count == twin.page_count
        for i in range(scan.page_count):
            got = ocr.read_page(scan, i, PageInfo(i + 1, "absent", "ocr"))
            ref = text.read_page(twin, i, PageInfo(i + 1, "sound", "text"))
            pairs.append((got, ref))
    return pairs


def test_ocr_scan_matches_its_born_digital_twin(scan_pages: list[tuple[PageContent, PageContent]]) -> None:
    tally = Tally("scan vs libreoffice")
    gold = _gold_fields()
    for got, ref in scan_pages:
        page = ref.info.number
        assert len(got.tables) == len(ref.tables), f"page {page}"
        for t, (a, b) in enumerate(zip(got.tables, ref.tables)):
            assert a.method == "ocr"
            tally.table_pair(f"p{page} t{t}", a, b, gold)
        assert all(c.confidence is not None for t in got.tables for c in t.cells)
    tally.check()


def test_ocr_scan_reads_titles(scan_pages: list[tuple[PageContent, PageContent]]) -> None:
    got, _ = scan_pages[0]
    assert [ln.text for ln in got.lines] == [
        "上海市公积金管理中心2023年度项目绩效目标汇总表",
        "财政项目支出绩效目标申报表",
        "(2023年度)",
    ]
    for got, ref in scan_pages[1:]:
        visible = [ln.text for ln in ref.lines if ln.text in {"财政项目支出绩效目标申报表", "(2023年度)"}]
        assert [ln.text for ln in got.lines] == visible, f"page {ref.info.number}"


@pytest.fixture(scope="module")
def garbled_docs(garbled: Path):  # type: ignore[no-untyped-def]
    return read_pdf(garbled), read_pdf(SAMPLE)


def test_ocr_garbled_matches_the_text_layer(garbled_docs) -> None:  # type: ignore[no-untyped-def]
    got, ref = garbled_docs
    assert {p.method for p in got.pages} == {"ocr"}
    assert {p.text_layer for p in got.pages} == {"garbled"}
    tables = [it for it in got.items if isinstance(it, Table)]
    ref_tables = [it for it in ref.items if isinstance(it, Table)]
    # Stitched across page breaks exactly as the text engine's.
    assert [t.pages for t in tables] == [t.pages for t in ref_tables]
    tally = Tally("garbled vs shpf-2023")
    gold = _gold_fields()
    for i, (a, b) in enumerate(zip(tables, ref_tables)):
        tally.table_pair(f"table {i} (pages {b.pages})", a, b, gold)
    lines = [it.text for it in got.items if not isinstance(it, Table)]
    ref_lines = [it.text for it in ref.items if not isinstance(it, Table)]
    assert lines == ref_lines
    tally.check()


# --- the whole pipeline against gold ------------------------------------------------


def _gold_check(doc, name: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 3's bar: all 8 projects with exact names; header fields and funds
    exact; level1/level2 exact on every row; value_raw and the parsed value
    exact on >= 98 % of the 143 rows; level3 exact on >= 95 %."""
    cmp = compare(normalize(doc), load_gold(GOLD))
    print(f"{name}:\n{cmp.report()}")
    assert cmp.projects_found == cmp.projects_expected == 8
    assert cmp.rows_found == cmp.rows_expected == 143
    bars = {"level1": 1.0, "level2": 1.0, "level3": 0.95}
    bars |= {f: 0.98 for f in ("value_raw", "operator", "value", "unit", "label")}
    for field, bar in bars.items():
        right, total = cmp.indicator_fields[field]
        assert right >= bar * total, f"{field}: {right}/{total}"
    # Long goal texts may differ by a space; every other header field is exact.
    header = [m for m in cmp.misses if " row " not in m and "_goal:" not in m]
    assert not header, header


def test_gold_from_garbled(garbled_docs) -> None:  # type: ignore[no-untyped-def]
    _gold_check(garbled_docs[0], "garbled")


def test_gold_from_scan() -> None:
    doc = read_pdf(SCAN)
    assert {p.method for p in doc.pages} == {"ocr"}
    _gold_check(doc, "scan")


# --- small parts ---------------------------------------------------------------------


def test_punctuation_next_to_cjk_is_full_width() -> None:
    assert fix_punctuation("其中:财政资金") == "其中：财政资金"
    assert fix_punctuation("可靠性;确保") == "可靠性；确保"
    assert fix_punctuation("720,000.00") == "720,000.00"
    assert fix_punctuation("; </p>", context="率") == "； </p>"
    assert fix_punctuation("10:30") == "10:30"


def _rec(text: str, centres: Iterable[float]) -> Recognised:
    return Recognised(text, 1.0, tuple(centres))


def test_spaces_from_ink_gaps() -> None:
    em = 20.0
    # "≥95 (%)" with a 0.4 em blank before "(": a space; "95" touching: none.
    cols = np.ones(200, dtype=np.int32)
    cols[60:68] = 0  # 8 px = 0.4 em
    rec = _rec("≥95(%)", [10, 30, 50, 75, 90, 105])
    assert place_spaces(rec, cols, em) == "≥95 (%)"
    # CJK never splits, whatever the gap.
    cols2 = np.ones(100, dtype=np.int32)
    cols2[20:40] = 0
    assert place_spaces(_rec("网点", [10, 50]), cols2, em) == "网点"
    # A model space over no blank is dropped.
    assert place_spaces(_rec("1 2", [10, 12, 15]), np.ones(30, dtype=np.int32), em) == "12"


def test_ocrfix_snaps_only_unambiguous_labels() -> None:
    vocab = ("数量指标", "质量指标", "时效指标", "社会效益指标", "经济效益指标", "服务对象满意度指标")
    assert correct("服务对象满意度指际", vocab) == ("服务对象满意度指标", correct("服务对象满意度指际", vocab)[1])
    assert correct("服务对象满意度指际", vocab)[1] is not None
    assert correct("数量指标", vocab) == ("数量指标", None)
    assert correct("数量 指标", vocab) == ("数量 指标", None)  # same label after key(): unchanged
    assert correct("X量指标", vocab) == ("X量指标", None)  # 数量/质量 both one edit away: ambiguous
    assert correct("效益指标", vocab) == ("效益指标", None)  # two edits from two entries
    assert correct("指标", vocab) == ("指标", None)  # too short to correct
    assert correct("", vocab) == ("", None)
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("abc", "abcdef", limit=1) == 2
    assert looks_doubtful(0.5) and not looks_doubtful(0.99) and not looks_doubtful(None)
