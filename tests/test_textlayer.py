"""The text backends read the same cells.

PLAYA (the reference) against pdfplumber's pdfminer view, which it replaced;
PDFium (the default) against PLAYA on every page of every born-digital
fixture. Where PDFium's text page leaves out text it cannot name, the engine
reads that page with PLAYA: those pages are listed here with why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PDFS, REAL01, SAMPLE, SAMPLE_LO

from jixiao.extract import pdfium_layer, playa_layer
from jixiao.extract.geometry import Grid, GridCell, build_grids
from jixiao.extract.model import PageInfo
from jixiao.extract.source import PdfSource
from jixiao.extract.text import Glyph, Line, glyphs_text, group_lines
from jixiao.extract.textlayer import TextLayerEngine, bucket_glyphs
from jixiao.normalize import page_wanted

BORN_DIGITAL = sorted(p for p in PDFS.glob("*.pdf") if "scan" not in p.name)
CORPUS_PREFIXES = ("004_", "015_", "020_", "021_", "025_")

# Pages PDFium's text page may not give in full, which PLAYA then reads.
# template-2015-synthetic prints in STSong-Light, not embedded: PDFium measures
# the glyphs in a system substitute font; without a CJK font installed that has
# no "）", and the text page drops the text object holding only that char
# (p.1-3, "项目资金（万元）" wrapped before "）"). PLAYA decodes it from the
# CMap whatever the fonts: PLAYA is right, and the engine falls back to it.
MAY_FALL_BACK = {"template-2015-synthetic.pdf": {1, 2, 3}}


def _cells(engine: TextLayerEngine, source: PdfSource, index: int) -> tuple[list, list]:
    content = engine.read_page(source, index, PageInfo(index + 1, "sound", "text"))
    tables = [[(c.row, c.col, c.rowspan, c.colspan, c.text, c.bbox) for c in t.cells] for t in content.tables]
    # Free lines by their text only: their boxes are the char boxes', which
    # differ in places (PDFium takes advances and ascent from the embedded font
    # program where PLAYA takes /Widths and the font descriptor's /Ascent; a
    # LibreOffice title's descriptor claims 2.8 em of height), never by enough
    # to move a char to another line or cell on these PDFs.
    return tables, [ln.text for ln in content.lines]


@pytest.mark.parametrize("pdf", [SAMPLE, SAMPLE_LO, REAL01], ids=lambda p: p.name)
def test_playa_reads_what_pdfminer_reads(pdf: Path) -> None:
    fast, reference = TextLayerEngine("playa"), TextLayerEngine("pdfminer")
    with PdfSource(pdf) as source:
        pages = [i for i in range(source.page_count) if page_wanted(source.page_text(i))]
        assert pages
        for i in pages:
            assert _cells(fast, source, i)[0] == _cells(reference, source, i)[0], f"p.{i + 1}"


@pytest.mark.parametrize("pdf", BORN_DIGITAL, ids=lambda p: p.name)
def test_pdfium_reads_what_playa_reads(pdf: Path) -> None:
    """Same cells (text, spans, boxes) and free lines on every form page; the
    pages PDFium gives up on are among the known ones."""
    fast, reference = TextLayerEngine("pdfium"), TextLayerEngine("playa")
    fallback = set()
    with PdfSource(pdf) as source:
        pages = [i for i in range(source.page_count) if page_wanted(source.page_text(i))]
        assert pages
        if len(pages) > 40:  # PDF 10's 140 pages of one layout: every 5th keeps the suite lean
            pages = pages[::5]
        for i in pages:
            page, textpage = source.text_page(i)
            try:
                pdfium_layer.read_page(page, textpage)
            except pdfium_layer.Unreadable:
                fallback.add(i + 1)
            got, want = _cells(fast, source, i), _cells(reference, source, i)
            if pdf.name.startswith(CORPUS_PREFIXES):
                # The corpus PDFs of test_corpus.py: the same cells, boxes equal up
                # to float32's rounding at a 0.01 pt boundary.
                assert _close(got, want), f"p.{i + 1}"
            else:
                assert got == want, f"p.{i + 1}"
    if not pdf.name.startswith(CORPUS_PREFIXES):  # their fonts decide which pages go to PLAYA
        assert fallback <= MAY_FALL_BACK.get(pdf.name, set())


def _close(a: object, b: object) -> bool:
    """Equal, with coordinates equal up to 0.02 pt."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 0.02
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return a == b


def test_printed_spaces_are_restored() -> None:
    """PDFium's text page drops a space printed as an object of its own (PDF
    10 writes one before each amount) and keeps one space of a run printed
    as one object (PDF 06's "目   录"): both come back."""
    pdf10 = PDFS / "10-guangzhou-shengtaihuanjing-2026-project-targets.pdf"
    pdf06 = PDFS / "06-changsha-xinfangju-2026-dept-budget.pdf"
    for pdf, index in ((pdf10, 0), (pdf06, 1)):
        with PdfSource(pdf) as source:
            page, textpage = source.text_page(index)
            glyphs, _ = pdfium_layer.read_page(page, textpage)
            text_page_spaces = sum(
                1
                for i in range(textpage.count_chars())
                if textpage.get_text_range(i, 1) == " " and not pdfium_layer.raw.FPDFText_IsGenerated(textpage, i)
            )
            reference, _ = playa_layer.read_page(source.playa.pages[index])
            spaces = sum(1 for g in glyphs if g.text == " ")
            assert spaces == sum(1 for g in reference if g.text == " ") > text_page_spaces


def test_edge_lookups_are_the_scans_they_replace() -> None:
    """The grids' and stitching's bisections (``geometry.nearest``,
    ``tables._column_of``) give what the linear scans gave, ties and edges
    included, on random strictly increasing edges."""
    import random
    from itertools import pairwise

    from jixiao.extract.geometry import nearest
    from jixiao.extract.tables import _column_of

    rng = random.Random(13)
    for _ in range(3000):
        edges = sorted({round(rng.uniform(0, 600), rng.choice((0, 1, 2))) for _ in range(rng.randint(1, 8))})
        for x in (rng.uniform(-20, 620), *edges, *((a + b) / 2 for a, b in pairwise(edges))):
            assert nearest(edges, x) == min(range(len(edges)), key=lambda i: abs(edges[i] - x))
            first = next((j for j in range(len(edges) - 1) if edges[j] <= x <= edges[j + 1]), None)
            assert _column_of(edges, x) == first


def test_blank_chars_are_what_isspace_says() -> None:
    """read_chars tests a set instead of calling str.isspace per char."""
    blanks = pdfium_layer._blanks()
    assert all((chr(c) in blanks) == (chr(c).isspace() or c == 0) for c in range(0x110000))


# --- the compiled helper (_pdfium_fast.c) against the ctypes path it replaces ---------------------------------------


def _helper_built() -> bool:
    """Built wherever a C compiler is: missing there, the build went wrong."""
    import shutil

    if pdfium_layer.native is None:
        assert not (shutil.which("cc") or shutil.which("gcc")), "a C compiler is here but _pdfium_fast was not built"
        return False
    return True


def _read(page: object, textpage: object, compiled: bool) -> object:
    try:
        return pdfium_layer.read_page(page, textpage, compiled=compiled)
    except pdfium_layer.Unreadable as e:
        return f"unreadable: {e}"


@pytest.mark.parametrize("pdf", BORN_DIGITAL, ids=lambda p: p.name)
def test_compiled_helper_reads_what_ctypes_reads(pdf: Path) -> None:
    """The same glyphs (text and boxes to the last bit) and segments, or the
    same reason to give the page to PLAYA, on every page (every 5th of the
    long PDFs); the pages cover both of read_chars' loops. That the default
    (compiled) path reads what PLAYA reads is the test above."""
    if not _helper_built():
        pytest.skip("built without a C compiler: only the ctypes path exists")
    with PdfSource(pdf) as source:
        pages = range(source.page_count)
        for i in pages if len(pages) <= 40 else pages[::5]:
            page, textpage = source.text_page(i)
            fast, reference = _read(page, textpage, True), _read(page, textpage, False)
            assert fast == reference, f"p.{i + 1}"
            _same_raw_values(page, textpage, i)
            if not isinstance(fast, str):
                glyphs, segments = fast  # type: ignore[misc]
                grids = build_grids(segments)
                cells, loose = bucket_glyphs(glyphs, grids, False)
                assert bucket_glyphs(glyphs, grids, True) == (cells, loose), f"p.{i + 1}"
                for b in [*(b for per_grid in cells for b in per_grid), loose]:
                    assert glyphs_text(b, True) == glyphs_text(b, False), f"p.{i + 1}"
                assert _lines(group_lines(loose, True)) == _lines(group_lines(loose, False)), f"p.{i + 1}"


def test_compiled_ascii85_is_base64s() -> None:
    """The stream check's ASCII85 decoder gives base64.a85decode's bytes, and
    None exactly where base64 raises (then PLAYA decodes and names the damage)."""
    import base64
    import random

    if not _helper_built():
        pytest.skip("built without a C compiler")
    decode = pdfium_layer.native.a85decode
    rng = random.Random(85)
    alphabet = bytes(range(33, 118)) + b"z \t\n\r\v\f~<>{}"
    for k in range(20000):
        if k % 2:
            data = base64.a85encode(rng.randbytes(rng.randrange(40)), wrapcol=rng.choice((0, 7)))
            if data and rng.random() < 0.3:
                j = rng.randrange(len(data))
                data = data[:j] + bytes([rng.choice(alphabet)]) + data[j + 1 :]
        else:
            data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(20)))
        try:
            want = base64.a85decode(data)
        except ValueError:
            want = None
        assert decode(data) == want, data


def _same_raw_values(page: object, textpage: object, i: int) -> None:
    """What the getters gave, compared before any rule or rounding can hide a
    difference: chars, each page and form XObject's objects, each path's
    draw mode, colours, matrix and segments."""
    api = pdfium_layer._api()
    c, py = pdfium_layer.reader(api, True), pdfium_layer.reader(api, False)
    tp = pdfium_layer._handle(textpage)
    text = pdfium_layer.page_chars(textpage)
    assert c.chars(tp, text) == py.chars(tp, text), f"p.{i + 1}"
    stack = [(pdfium_layer._handle(page), False)]
    while stack:
        handle, form = stack.pop()
        objects = c.objects(handle, form)
        assert objects == py.objects(handle, form), f"p.{i + 1}"
        for obj, kind in objects:
            if kind == pdfium_layer.raw.FPDF_PAGEOBJ_PATH:
                assert c.path(obj) == py.path(obj), f"p.{i + 1}"
            elif kind == pdfium_layer.raw.FPDF_PAGEOBJ_FORM:
                stack.append((obj, True))


def test_compiled_helper_drops_fake_bold_as_python_does() -> None:
    """No fixture overprints (fake bold): each char of the sample's first page
    printed again, a little off and far off, and once the space rules see a
    gap. Both loops keep and drop the same."""
    if not _helper_built():
        pytest.skip("built without a C compiler")
    api = pdfium_layer._api()
    with PdfSource(SAMPLE) as source:
        page, textpage = source.text_page(0)
        tp, ctm = pdfium_layer._handle(textpage), pdfium_layer.page_matrix(page)
        rows, objects, infos = pdfium_layer.reader(api, True).chars(tp, pdfium_layer.page_chars(textpage))
        overprinted = [r for row in rows for r in (row, (*row[:2], row[2] + 0.2, *row[3:]), (*row[:2], row[2] + 3, *row[3:]))]

        readers = [pdfium_layer._CRaw(api), pdfium_layer._PyRaw(api)]
        for r in readers:
            r.chars = lambda tp, text: (overprinted, objects, infos)  # type: ignore[method-assign]
        got = [_glyphs_or_why(api, r, tp, ctm) for r in readers]
    assert got[0] == got[1]
    assert isinstance(got[0], list) and len(rows) < len(got[0]) < len(overprinted)


def _glyphs_or_why(api: object, get: object, tp: int, ctm: object) -> object:
    try:
        return pdfium_layer.read_chars(api, get, tp, ctm)[0]  # type: ignore[arg-type]
    except pdfium_layer.Unreadable as e:
        return str(e)


def test_compiled_bucketing_is_the_loops() -> None:
    """Glyphs into cells, compiled and in Python, where the fixtures rarely go:
    middles exactly on an edge (bisect_right's side), outside every grid, NaN,
    two grids holding the same point (the first wins), spans; a coordinate
    that is not a float goes to the Python loop (an int), and still lands."""
    import random

    if not _helper_built():
        pytest.skip("built without a C compiler")

    def grid(xs: tuple[float, ...], ys: tuple[float, ...]) -> Grid:
        cells = [GridCell(0, 0, 1, len(xs) - 1, (xs[0], ys[0], xs[-1], ys[1]))]  # a first row spanning all columns
        cells += [GridCell(r, c, 1, 1, (xs[c], ys[r], xs[c + 1], ys[r + 1])) for r in range(1, len(ys) - 1) for c in range(len(xs) - 1)]
        return Grid(xs, ys, tuple(cells), (False,) * (len(xs) - 1), (False,) * (len(xs) - 1))

    grids = [grid((10.0, 50.5, 80.25, 200.0), (10.0, 30.0, 45.5, 60.0)), grid((40.0, 90.0, 300.0), (20.0, 55.0, 400.0))]
    rng = random.Random(7)
    points = [10.0, 30.0, 45.5, 50.5, 60.0, 80.25, 200.0, 40.0, 90.0, 300.0, 20.0, 55.0, 400.0, 0.0, 1000.0, float("nan")]
    glyphs = []
    for k in range(4000):
        cx = rng.choice(points) if k % 2 else rng.uniform(0, 420)
        cy = rng.choice(points) if k % 3 else rng.uniform(0, 420)
        w, h = rng.choice((0.0, 1.0, 7.5)), rng.choice((0.0, 2.0, 11.0))
        glyphs.append(Glyph("字", cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    compiled, python = bucket_glyphs(glyphs, grids, True), bucket_glyphs(glyphs, grids, False)
    assert repr(compiled) == repr(python)  # repr: NaN glyphs compare by identity in lists, by value in text
    assert sum(map(len, python[0][0])) and sum(map(len, python[0][1])) and python[1]
    on_edge = Glyph("a", 50.5, 30.0, 50.5, 30.0)  # on the rule between row 0 and 1, columns 0 and 1: row 1, column 1
    assert bucket_glyphs([on_edge], grids, True)[0][0][1 + 1] == [on_edge]
    as_int = Glyph("b", 11, 31, 11, 31)  # type: ignore[arg-type]
    assert bucket_glyphs([as_int], grids, True) == bucket_glyphs([as_int], grids, False)
    assert bucket_glyphs([as_int], grids, True)[0][0][1] == [as_int]


def test_triage_counts_are_the_patterns_they_replace() -> None:
    """The text check counts visible chars with str.split and the ideographs
    with one substitution; per code point, what re's \\S and the CJK class
    found with findall."""
    import re

    from jixiao.extract import triage

    visible, cjk = re.compile(r"\S"), re.compile(f"[{triage._CJK_CHARS}]")
    for c in range(0x110000):
        ch = chr(c)
        assert len("".join(ch.split())) == len(visible.findall(ch)), hex(c)
        assert len(triage._NOT_CJK.sub("", ch)) == len(cjk.findall(ch)), hex(c)


def _lines(lines: list[Line]) -> list[tuple[list[Glyph], float]]:
    return [(ln.glyphs, ln.mid_sum) for ln in lines]


def test_compiled_lines_are_the_loops() -> None:
    """A cell's text and lines, compiled and in Python, on glyphs the fixtures
    rarely print: equal middles and x0 (the sorts' stability), -0.0, lines
    on the tolerance's edge, glyphs smaller and larger than 1 pt, a glyph
    that is not finite or not a float (the Python loops then run)."""
    import random

    if not _helper_built():
        pytest.skip("built without a C compiler")
    rng = random.Random(11)
    for k in range(3000):
        glyphs = []
        for n in range(rng.randint(1, 30)):
            top = rng.choice((0.0, -0.0, 10.0, 10.45, 10.5, 11.0, rng.uniform(0, 40)))
            size = rng.choice((0.5, 1.0, 2.0, 10.0, rng.uniform(0, 12)))
            x0 = rng.choice((0.0, -0.0, 5.0, float(n), rng.uniform(0, 100)))
            glyphs.append(Glyph(rng.choice("一二三ab. ，"), x0, top, x0 + rng.uniform(0, 9), top + size))
        if k % 50 == 0:
            glyphs.append(Glyph("x", float("inf"), 1.0, 2.0, 3.0) if k % 100 else Glyph("y", 1, 2, 3, 4))  # type: ignore[arg-type]
        assert glyphs_text(glyphs, True) == glyphs_text(glyphs, False), glyphs
        assert _lines(group_lines(glyphs, True)) == _lines(group_lines(glyphs, False)), glyphs
    one = [Glyph("b", 9.0, 0.0, 10.0, 10.0), Glyph("a", 1.0, 0.0, 2.0, 10.0)]
    assert pdfium_layer.native.glyph_lines(one, True) == "ab"


def test_compiled_subpaths_are_the_loop() -> None:
    """A path's subpaths, compiled and in Python (``_subpaths``): move-to,
    line-to and Bézier runs in any order (points before the first move-to,
    closes on any segment), random matrices, coordinates on and near the
    rounding's half-way points, huge, -0.0, inf and NaN (round's own rules)."""
    import math
    import random

    if not _helper_built():
        pytest.skip("built without a C compiler")
    raw = pdfium_layer.raw
    kinds = (raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_LINETO, raw.FPDF_SEGMENT_BEZIERTO)
    compiled = pdfium_layer._CRaw(pdfium_layer._api()).subpaths
    rng = random.Random(4)
    specials = (0.0, -0.0, 0.00005, 1.23445, 2.5e-5, 1e300, -1e-300, math.inf, -math.inf, math.nan, 595.27559)

    def value() -> float:
        r = rng.random()
        if r < 0.15:
            return rng.choice(specials)
        if r < 0.5:  # printed half-way between two 4th decimals: its double is a little above or below
            return float(f"{rng.randrange(-10**8, 10**8) / 10**4:.4f}5")
        return rng.uniform(-1000, 1000)

    for _ in range(4000):
        segments = [(rng.choice(kinds), value(), value(), rng.random() < 0.2) for _ in range(rng.randint(0, 9))]
        if rng.random() < 0.3 and segments:  # a closed rectangle as PDFium gives one: back to its start
            segments.append((raw.FPDF_SEGMENT_LINETO, segments[0][1], segments[0][2], True))
        matrix = (1.0, 0.0, 0.0, -1.0, 0.0, 841.89) if rng.random() < 0.5 else tuple(value() for _ in range(6))
        assert repr(compiled(segments, matrix)) == repr(pdfium_layer._subpaths(segments, matrix)), (segments, matrix)


def test_compiled_walk_reads_form_xobjects_as_python_does(tmp_path: Path) -> None:
    """No fixture draws its rules in form XObjects: the sample's first page
    drawn through two nested forms (each with a matrix of its own, beside a
    copy drawn directly), and a page drawing an empty form (PDFium gives no
    objects for it: the page goes to PLAYA). The compiled walk and the ctypes
    one read the same, and the forms' rules are there, moved."""
    import pikepdf

    if not _helper_built():
        pytest.skip("built without a C compiler")
    with pikepdf.open(SAMPLE) as src:
        pdf = pikepdf.new()
        pdf.pages.extend(src.pages[0:2])
        page = pdf.pages[0]
        content = b"".join(s.read_bytes() for s in (page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array) else [page.obj.Contents]))
        box = page.obj.MediaBox
        inner = pdf.make_stream(content, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=box,
                                Resources=page.obj.Resources, Matrix=[1, 0, 0, 1, 7, -4])
        outer = pdf.make_stream(b"q 0.5 0 0 0.5 10 10 cm /In Do Q", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                BBox=box, Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(In=inner)),
                                Matrix=[0.9, 0, 0, 0.9, 3, 2])
        page.obj.Resources.XObject = pikepdf.Dictionary(Out=outer)
        page.contents_add(pdf.make_stream(b"q /Out Do Q\n"), prepend=False)
        empty = pdf.make_stream(b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 10, 10])
        second = pdf.pages[1]
        second.obj.Resources.XObject = pikepdf.Dictionary(Fe=empty)
        second.contents_add(pdf.make_stream(b"q /Fe Do Q\n"), prepend=False)
        pdf.save(path := tmp_path / "forms.pdf")
    with PdfSource(SAMPLE) as source:
        plain = pdfium_layer.read_page(*source.text_page(0))[1]
    with PdfSource(path) as source:
        got = [(_read(*source.text_page(i), True), _read(*source.text_page(i), False)) for i in range(2)]
    assert got[0][0] == got[0][1] and got[1][0] == got[1][1]
    assert got[1][0] == "unreadable: an empty form XObject"
    segments = got[0][0][1]  # type: ignore[index]
    assert len(plain) < len(segments) and set(plain) < set(segments)  # the page's own rules and the forms'


def test_common_ideographs_are_the_codes_decoded_one_by_one() -> None:
    """The text check's common ideographs, decoded in one call per codec, are
    what decoding each code of GB 2312 and Big5 level 1 on its own gives."""
    from jixiao.extract import triage

    want: set[str] = set()
    for codec, his, los in (("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),
                            ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])):  # fmt: skip
        for hi in his:
            for lo in los:
                try:
                    want.add(bytes((hi, lo)).decode(codec))
                except UnicodeDecodeError:
                    pass
    assert triage.common_ideographs() == frozenset(c for c in want if len(c) == 1)
    assert len(triage.common_ideographs()) > 6000
