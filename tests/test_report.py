"""jixiao report: the HTML review report, checked against the dataset it
shows; its filters and page images in headless Chromium (with screenshots)."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REAL01, SAMPLE

from jixiao.api import read_tables
from jixiao.cli import main
from jixiao.report.render import build_report, slug

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not installed (make test installs it with apt-get: apt-get install -y chromium)",
)
SHOWN = ("seq", "level1", "level2", "level3", "value_raw", "operator", "value", "unit", "label")


class Page(HTMLParser):
    """What the report shows: its tables' rows (cell texts), outlined boxes,
    images and notices, from HTML text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[dict] = []  # {"attrs", "head", "rows": [[text]], "row_classes"}
        self.boxes: list[dict] = []
        self.cells: list[dict] = []  # outlined value, header and funds cells
        self.images: list[str] = []
        self.classes_seen: set[str] = set()
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.classes_seen.update((a.get("class") or "").split())
        if tag == "table":
            self.tables.append({"attrs": a, "head": [], "rows": [], "row_classes": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr" and self.tables:
            self._row = []
            if not self._in_head:
                self.tables[-1]["row_classes"].append(set((a.get("class") or "").split()))
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a" and "box" in (a.get("class") or "").split():
            self.boxes.append(a)
        elif tag == "a" and "cell" in (a.get("class") or "").split():
            self.cells.append(a)
        elif tag == "img":
            self.images.append(a["src"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (self.tables[-1]["head"] if self._in_head else self.tables[-1]["rows"]).append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def chromium(*args: str, profile: Path) -> str:
    cmd = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def report(born_digital_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    dest = tmp_path_factory.mktemp("report")
    result = build_report(born_digital_dataset, dest)
    assert result.missing == ()
    return born_digital_dataset, dest


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chromium-profile")


def expected_rows(indicators: list[dict]) -> list[list[object]]:
    return [
        [r["seq"], r["level1"], r["level2"], r["level3"], r["value_raw"], r["operator"],
         (r["value"], r["value_max"]) if r["operator"] == "range" else r["value"], r["value_unit"], r["label"]]
        for r in sorted(indicators, key=lambda r: (r["seq"], r["horizon"] != "annual"))
    ]  # fmt: skip


def shown_rows(table: dict) -> list[list[object]]:
    """The table's first columns as typed values: blank cells are nulls."""
    assert table["head"][0][: len(SHOWN)] == list(SHOWN)
    out = []
    for cells in table["rows"]:
        seq, *texts, value, unit, label = cells[: len(SHOWN)]
        if "–" in value:
            lo, hi = value.split("–")
            number: object = (float(lo), float(hi))
        else:
            number = float(value) if value else None
        row = [int(seq), *[t or None for t in texts], number, unit or None, label or None]
        row[4] = texts[3]  # value_raw is "" (not null) when the cell is empty
        out.append(row)
    return out


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _table(page: Page, cls: str) -> dict:
    (table,) = [t for t in page.tables if cls in (t["attrs"].get("class") or "").split()]
    return table


def test_index_lists_every_source_and_form(report: tuple[Path, Path]) -> None:
    out, dest = report
    page = Page((dest / "index.html").read_text(encoding="utf-8"))
    t = read_tables(out)
    manifest, projects = t.manifest.to_pylist(), t.projects.to_pylist()
    table = _table(page, "sources")
    assert table["head"][0][:5] == ["source PDF", "status", "pages", "forms", "indicators"]
    shown = {r[0]: r for r in table["rows"]}
    assert set(shown) == {m["source_file"] for m in manifest}
    for m in manifest:
        assert shown[m["source_file"]][1:5] == [m["status"], str(m["pages"]), str(m["forms"]), str(m["indicators"])]
        warnings = sum(len(p["warnings"]) for p in projects if p["source_sha256"] == m["source_sha256"])
        assert shown[m["source_file"]][5] == str(warnings)
    forms = _table(page, "forms")
    assert sorted(r[2] for r in forms["rows"]) == sorted(p["project_name"] for p in projects)
    summary = {(r[0], r[1]): r for r in _table(page, "review-summary")["rows"]}
    assert summary[("2023", "上海市普陀区人民政府万里街道办事处")][2:4] == ["5", "5"]
    assert "funds-sum 1" in summary[("2023", "上海市普陀区人民政府万里街道办事处")][4]


def test_one_page_per_form_with_readable_names(report: tuple[Path, Path]) -> None:
    out, dest = report
    projects = read_tables(out).projects.to_pylist()
    names = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("form-*.html"))
    assert len(names) == len(projects)
    assert "shpf-2023-" in names[-1] and names[-1].endswith("/form-08.html")
    (sample,) = [m for m in read_tables(out).manifest.to_pylist() if m["source_file"] == SAMPLE.name]
    assert slug(sample) == f"shpf-2023-{sample['source_sha256'][:8]}"


def form_pages(dest: Path, entry: dict) -> list[Path]:
    return sorted((dest / slug(entry)).glob("form-*.html"))


@pytest.mark.parametrize("pdf", [SAMPLE, REAL01], ids=["shpf-2023", "real-01"])
def test_form_pages_show_the_extracted_rows(report: tuple[Path, Path], pdf: Path) -> None:
    out, dest = report
    t = read_tables(out)
    (entry,) = [m for m in t.manifest.to_pylist() if m["source_file"] == pdf.name]
    rows = [r for r in t.indicators.to_pylist() if r["source_file"] == pdf.name]
    forms = sorted((p for p in t.projects.to_pylist() if p["source_file"] == pdf.name), key=lambda f: f["form_seq"])
    htmls = form_pages(dest, entry)
    assert len(htmls) == len(forms)
    all_images: set[str] = set()
    for form, html in zip(forms, htmls):
        page = Page(html.read_text(encoding="utf-8"))
        (table,) = [t for t in page.tables if "rows" in (t["attrs"].get("class") or "")]
        assert table["attrs"]["data-project-id"] == form["project_id"]
        want = expected_rows([r for r in rows if r["project_id"] == form["project_id"]])
        got = shown_rows(table)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert all(same(x, y) for x, y in zip(g, w, strict=True)), (g, w)
        mine = [r for r in rows if r["project_id"] == form["project_id"]]
        # every 三级指标 cell outlined once
        assert len(page.boxes) == len({(r["page"], r["bbox_x0"], r["bbox_top"]) for r in mine})
        # and the values, the header and the funds found again in the text layer
        kinds = [c["class"].split()[1] for c in page.cells]
        printed = [r for r in mine if r["value_raw"]]
        assert kinds.count("value") >= 0.9 * len(printed)
        assert "header" in kinds and "funds" in kinds
        assert all(c["href"].startswith("#row-") for c in page.cells if "value" in c["class"])
        pages = set(range(form["first_page"], form["last_page"] + 1))
        assert len(set(page.images)) == len(pages)
        all_images |= {(html.parent / src).as_posix() for src in page.images}
        named = [w for w in form["warnings"] if w.startswith("indicator ")]
        assert sum(1 for c in table["row_classes"] if "warn" in c) >= len(named)
        assert ("warnings" in page.classes_seen) == bool(form["warnings"])
    assert all(Path(src).is_file() and Path(src).stat().st_size < 400_000 for src in all_images)


def test_review_findings_on_the_form_page(report: tuple[Path, Path]) -> None:
    out, dest = report
    (entry,) = [m for m in read_tables(out).manifest.to_pylist() if m["source_file"] == REAL01.name]
    html = (dest / slug(entry) / "form-05.html").read_text(encoding="utf-8")
    assert '<ul class="findings">' in html and "funds-sum" in html and "10,903,043.00" in html


def _visible_forms(dom: str) -> list[list[str]]:
    page = Page(dom)
    table = _table(page, "forms")
    hidden = re.findall(r"<tr [^>]*data-department[^>]*>", dom)
    assert len(hidden) == len(table["rows"])
    return [row for row, tag in zip(table["rows"], hidden) if " hidden" not in tag]


@needs_chromium
def test_index_filters_in_chromium(report: tuple[Path, Path], profile: Path) -> None:
    out, dest = report
    projects = read_tables(out).projects.to_pylist()
    index = (dest / "index.html").as_uri()
    everything = _visible_forms(chromium("--dump-dom", index, profile=profile))
    assert len(everything) == len(projects)
    dept = "上海市普陀区人民政府万里街道办事处"
    shown = _visible_forms(chromium("--dump-dom", f"{index}#department={quote(dept)}", profile=profile))
    assert {r[1] for r in shown} == {dept}
    assert len(shown) == sum(p["department"] == dept for p in projects) == 5
    # filters combine: this department's forms with a funds-sum finding
    shown = _visible_forms(chromium("--dump-dom", f"{index}#department={quote(dept)}&review=funds-sum",
                                    profile=profile))  # fmt: skip
    assert [r[2] for r in shown] == ["公共服务设施运行经费"]
    shown = _visible_forms(chromium("--dump-dom", f"{index}#warnings=without", profile=profile))
    assert len(shown) == sum(not p["warnings"] for p in projects) > 0

    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / "report-index-filtered.png"
    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", "--window-size=1400,900", f"{index}#department={quote(dept)}", profile=profile)
    from PIL import Image

    with Image.open(shot) as img:
        assert img.size == (1400, 900)


@needs_chromium
@pytest.mark.parametrize("pdf", [SAMPLE, REAL01], ids=["shpf-2023", "real-01"])
def test_form_page_renders_in_chromium(report: tuple[Path, Path], profile: Path, pdf: Path) -> None:
    out, dest = report
    (entry,) = [m for m in read_tables(out).manifest.to_pylist() if m["source_file"] == pdf.name]
    html = form_pages(dest, entry)[0]
    page = Page(chromium("--dump-dom", html.as_uri(), profile=profile))
    assert page.boxes and page.images
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / f"report-{pdf.stem}.png"
    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", "--window-size=1400,3000", html.as_uri(), profile=profile)
    from PIL import Image

    with Image.open(shot) as img:
        assert img.size == (1400, 3000)
        # the page images and their outlines were painted: some of the outline blue, plenty of grey page
        rgb = np.asarray(img.convert("RGB").resize((350, 750)), dtype=np.int16)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        assert ((b > 150) & (r < 90) & (g < 140)).sum() > 50
        assert ((r == g) & (g == b) & (r > 40) & (r < 220)).sum() > 500


def _copy(dataset: Path, dest: Path) -> Path:
    shutil.copytree(dataset, dest, ignore=shutil.ignore_patterns("report", "export"))
    return dest


def test_moved_pdf_is_reported_and_source_renders_it(born_digital_dataset: Path, tmp_path: Path) -> None:
    out = _copy(born_digital_dataset, tmp_path / "ds")
    manifest = pq.read_table(out / "manifest.parquet")
    moved = pa.array([f"/nonexistent/{n}" for n in manifest["source_file"].to_pylist()])
    pq.write_table(manifest.set_column(manifest.schema.get_field_index("source_path"), "source_path", moved),
                   out / "manifest.parquet")  # fmt: skip

    result = build_report(out, tmp_path / "r1")
    assert set(result.missing) == set(manifest["source_file"].to_pylist())
    entry = next(m for m in manifest.to_pylist() if m["source_file"] == REAL01.name)
    html = (tmp_path / "r1" / f"{slug(entry)}.html").read_text(encoding="utf-8")
    assert "is no longer at /nonexistent/" in html and "<img" not in html
    forms = form_pages(tmp_path / "r1", entry)
    assert len(forms) == 5  # the rows are still shown, one page per form
    assert all("<img" not in f.read_text(encoding="utf-8") and "no longer at" in f.read_text(encoding="utf-8")
               for f in forms)  # fmt: skip
    assert all(len(Page(f.read_text(encoding="utf-8")).tables) == 1 for f in forms)

    # --source with the PDF itself: matched by content, rendered from that copy
    result = build_report(out, tmp_path / "r2", sources=[str(REAL01)])
    assert result.missing == () and len(result.pages) == 1 and len(result.forms) == 5
    assert "no longer" not in result.pages[0].read_text(encoding="utf-8")
    assert sum(f.read_text(encoding="utf-8").count("<img") for f in result.forms) == 5
    # by file name: only that source, still missing
    result = build_report(out, tmp_path / "r3", sources=[REAL01.name])
    assert result.missing == (REAL01.name,)


def _rewrite(out: Path, table: str, pdf: Path, **columns: pa.Array) -> list[dict]:
    """Replace columns of one source PDF's rows in a copy of the dataset."""
    (part,) = [p for p in (out / table).rglob("*.parquet") if p.stem == _sha(pdf)[:16]]
    t = pq.read_table(part)
    for name, values in columns.items():
        t = t.set_column(t.schema.get_field_index(name), name, values)
    pq.write_table(t, part)
    return t.to_pylist()


def test_ocr_rows_warnings_and_escaping(born_digital_dataset: Path, tmp_path: Path) -> None:
    out = _copy(born_digital_dataset, tmp_path / "ds")
    rows = pq.read_table(next((out / "indicators").rglob(f"{_sha(REAL01)[:16]}.parquet")))
    n = rows.num_rows
    names = ["<script>alert(1)</script> & co", *rows["level3"].to_pylist()[1:]]
    _rewrite(
        out, "indicators", REAL01,
        ocr_confidence=pa.array([0.62, 0.97] + [None] * (n - 2), pa.float64()), level3=pa.array(names),
    )  # fmt: skip
    # the first form's warnings name its rows 3 (by seq) and 4 (by name)
    projects = pq.read_table(next((out / "projects").rglob(f"{_sha(REAL01)[:16]}.parquet")))
    first_form = min(range(projects.num_rows), key=lambda i: projects["form_seq"][i].as_py())
    row4 = names[3]
    warnings = projects["warnings"].to_pylist()
    warnings[first_form] = ["indicator 3 'x': empty value cell", f"三级指标 '{row4}' appears 2 times"]
    _rewrite(out, "projects", REAL01, warnings=pa.array(warnings, pa.list_(pa.string())))

    result = build_report(out, tmp_path / "r", sources=[REAL01.name])
    html = result.forms[0].read_text(encoding="utf-8")  # PDF 01's first form
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    page = Page(html)
    (first,) = page.tables
    assert first["rows"][0][0:4][3] == "<script>alert(1)</script> & co"
    classes = first["row_classes"]
    assert {"ocr", "low"} <= classes[0] and "ocr" in classes[1] and "low" not in classes[1]
    assert "ocr" not in classes[2]
    conf_col = first["head"][0].index("OCR")
    assert [r[conf_col] for r in first["rows"][:3]] == ["OCR 0.62", "OCR 0.97", ""]
    assert sum("ocr" in (b.get("class") or "") for b in page.boxes) == 2
    # warnings: listed on the form, and the rows they name highlighted with the text
    assert [("warn" in c) for c in classes[:5]] == [False, False, True, True, False]
    notes = first["head"][0].index("warnings")
    assert first["rows"][2][notes] == "indicator 3 'x': empty value cell"
    assert first["rows"][3][notes] == f"三级指标 '{row4}' appears 2 times"
    assert sum("warn" in (b.get("class") or "") for b in page.boxes) >= 2


def _sha(pdf: Path) -> str:
    from jixiao.extract import sha256_file

    return sha256_file(pdf)


def test_cli_report(born_digital_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(born_digital_dataset), "--dest", str(tmp_path), "--source", SAMPLE.name]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "index.html")
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert main(["report", str(born_digital_dataset), "--dest", str(tmp_path), "--source", "nope.pdf"]) == 2
    assert "nope.pdf: not a source of the dataset" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2  # a folder without a manifest
    assert "no jixiao dataset here" in capsys.readouterr().err


def test_serialized_cell_outlines_each_indicator(fixtures_dataset: Path, tmp_path: Path) -> None:
    """The Guangdong family prints a form's indicators serialized in one cell
    (so the dataset gives them all that cell's box): the report outlines each
    indicator's name inside it, numbered and linked to its row."""
    pdf = "10-guangzhou-shengtaihuanjing-2026-project-targets.pdf"
    result = build_report(fixtures_dataset, tmp_path, sources=[pdf], dpi=30)
    rows = [r for r in read_tables(fixtures_dataset).indicators.to_pylist() if r["source_file"] == pdf]
    first = [r for r in rows if r["project_id"] == rows[0]["project_id"]]
    page = Page(result.forms[0].read_text(encoding="utf-8"))
    names = [c for c in page.cells if "name" in c["class"].split()]
    assert [c["title"].split(". ", 1)[1] for c in names] == list(dict.fromkeys(r["level3"] for r in first))
    annual = {r["level3"]: r["seq"] for r in first if r["horizon"] == "annual"}
    assert [c["href"] for c in names] == [f"#row-{annual[c['title'].split('. ', 1)[1]]}" for c in names]
    assert len(page.boxes) == 1  # the one cell the dataset records
    total = sum(len([c for c in Page(f.read_text(encoding="utf-8")).cells if "name" in c["class"]])
                for f in result.forms)  # fmt: skip
    distinct = len({(r["project_id"], r["level3"]) for r in rows})
    assert total >= 0.99 * distinct


def test_a_page_on_a_huge_mediabox_is_rendered_small(tmp_path: Path) -> None:
    """A 1e7 pt MediaBox at the report's resolution would be 4e10 pixels: the
    page image is bounded (issue 11), the aspect kept."""
    import pikepdf
    import pypdfium2 as pdfium

    from jixiao.report.render import DPI, MAX_PAGE_PIXELS, _scale

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[0].MediaBox = pikepdf.Array([0, 0, 10_000_000, 10_000_000])  # past what pikepdf allows to make
    pdf.save(tmp_path / "huge.pdf")
    doc = pdfium.PdfDocument(tmp_path / "huge.pdf")
    page = doc[0]
    width, height = page.get_size()
    bitmap = page.render(scale=_scale(width, height, DPI), grayscale=True)
    assert bitmap.width * bitmap.height <= 1.01 * MAX_PAGE_PIXELS and bitmap.width == bitmap.height > 1000
    assert _scale(595, 842, DPI) == DPI / 72  # an A4 page keeps the report's resolution
    page.close()
    doc.close()


def test_values_on_a_scanned_page_are_outlined(tmp_path: Path) -> None:
    """The value cell's box is in the dataset (value_bbox_*), so a scanned page,
    which has no text layer to search, outlines the values too (issue 12)."""
    from conftest import SCAN

    from jixiao.pipelines.run import run

    out = tmp_path / "ds"
    run([SCAN], out, jobs=1)
    rows = read_tables(out).indicators.to_pylist()
    assert rows and all(r["value_bbox_x0"] is not None and r["value_bbox_x0"] > r["bbox_x1"] - 1 for r in rows)
    result = build_report(out, tmp_path / "r", dpi=30)
    html = result.forms[0].read_text(encoding="utf-8")
    first = [r for r in rows if r["project_id"] == min(rows, key=lambda r: (r["page"], r["seq"]))["project_id"]]
    assert html.count('class="cell value"') == len(first)
