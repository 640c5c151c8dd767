"""jixiao report: a static HTML review report of a dataset.

DEST/index.html lists the source PDFs of the manifest; DEST/<sha16>.html
shows, for each form of one source PDF, its pages (rendered from the PDF the
manifest points to, into DEST/<sha16>/) with every extracted 三级指标 cell
outlined, next to the extracted rows. Links are relative, so the folder opens
from disk and can be copied as a whole.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .. import __version__
from ..errors import JixiaoError, UsageError
from ..extract import sha256_file
from ..normalize.ocrfix import looks_doubtful
from . import template
from ..api import read_tables

DPI = 100
# Grey pages make the coloured outlines stand out and compress well as PNG;
# a scanned page (a photo) is kept as JPEG when that is smaller.
PNG_LIMIT = 200_000
JPEG_QUALITY = 80

COLUMNS = ("seq", "level1", "level2", "level3", "value_raw", "operator", "value", "unit", "label")
COLUMN_TITLES = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "value_raw": "指标值 as printed",
    "operator": "parsed operator",
    "value": "parsed number (range: low–high)",
    "unit": "value_unit",
    "label": "qualitative value",
}


class UnknownSource(UsageError):
    def __init__(self, source: str, out: Path) -> None:
        super().__init__(f"{source}: not a source of the dataset at {out} (see its manifest.parquet)")


@dataclass(frozen=True)
class PageImage:
    src: str  # relative to the HTML page
    width_pt: float
    height_pt: float


@dataclass(frozen=True)
class Report:
    index: Path
    pages: tuple[Path, ...]
    missing: tuple[str, ...]  # source files whose pages could not be shown
    problems: tuple[str, ...]  # why, one line each


def build_report(
    out: str | os.PathLike[str],
    dest: str | os.PathLike[str] | None = None,
    *,
    sources: Sequence[str] = (),
    dpi: int = DPI,
    password: str | None = None,
) -> Report:
    """Write the report for the dataset at OUT into DEST (default OUT/report)."""
    out = Path(out)
    dest = Path(dest) if dest is not None else out / "report"
    t = read_tables(out)
    manifest, projects, indicators = t.manifest, t.projects, t.indicators
    entries = manifest.to_pylist()
    given: dict[str, Path] = {}
    if sources:
        entries, given = select_sources(entries, sources, out)
    forms = group_by_source(projects.to_pylist())
    rows = group_by_source(indicators.to_pylist())
    dest.mkdir(parents=True, exist_ok=True)
    written, missing, problems, listed = [], [], [], []
    for entry in entries:
        key = entry["source_sha256"] or entry["source_path"]
        entry_forms = sorted(forms.get(key, []), key=lambda f: (f["form_seq"] or 0, f["first_page"] or 0))
        pdf, problem = locate_pdf(entry, out, given.get(entry["source_sha256"])) if entry_forms else (None, "")
        images: dict[int, PageImage] = {}
        if pdf is not None and entry_forms:
            try:
                images = render_pages(
                    pdf, pages_to_render(entry_forms, rows.get(key, [])), dest / slug(entry), dpi, password
                )
            except JixiaoError as e:
                problem = str(e)
        if problem and entry_forms:
            missing.append(entry["source_file"])
            problems.append(f"{entry['source_file']}: {problem}")
        name = f"{slug(entry)}.html"
        html = source_page(entry, entry_forms, rows.get(key, []), images, problem, out)
        write_text(dest / name, html)
        written.append(dest / name)
        listed.append((entry, entry_forms, name))
    index = dest / "index.html"
    write_text(index, index_page(listed, out))
    return Report(index=index, pages=tuple(written), missing=tuple(missing), problems=tuple(problems))


# -- finding the sources ---------------------------------------------------------------------------------------------


def select_sources(entries: list[dict], sources: Iterable[str], out: Path) -> tuple[list[dict], dict[str, Path]]:
    """The manifest rows named by --source: a path to the PDF itself (matched
    by content, and then used to render it), a file name, the path recorded at
    extraction, or a sha256 prefix."""
    chosen: dict[int, dict] = {}
    given: dict[str, Path] = {}
    for s in sources:
        p = Path(s)
        if p.is_file():
            sha = sha256_file(p)
            hits = [e for e in entries if e["source_sha256"] == sha]
            if hits:
                given[sha] = p
        else:
            hits = [
                e
                for e in entries
                if s in (e["source_file"], e["source_path"]) or (len(s) >= 8 and e["source_sha256"].startswith(s))
            ]
        if not hits:
            raise UnknownSource(s, out)
        chosen.update((entries.index(e), e) for e in hits)
    return [chosen[i] for i in sorted(chosen)], given


def locate_pdf(entry: dict, out: Path, given: Path | None = None) -> tuple[Path | None, str]:
    """The source PDF, checked by sha256, or None and why. The manifest keeps
    the path as given to `jixiao extract`, so a relative path is tried from the
    working directory and from the dataset folder's ancestors."""
    recorded = Path(entry["source_path"])
    candidates = [given] if given else []
    if recorded.is_absolute():
        candidates.append(recorded)
    else:
        candidates += [Path.cwd() / recorded] + [a / recorded for a in out.resolve().parents]
    changed = None
    seen = set()
    for c in candidates:
        if c in seen or not c.is_file():
            continue
        seen.add(c)
        if not entry["source_sha256"]:
            return c, ""
        if c.stat().st_size == entry["size_bytes"] and sha256_file(c) == entry["source_sha256"]:
            return c, ""
        changed = changed or c
    if changed is not None:
        return None, (
            f"The PDF at {changed} is no longer the file that was read (its sha256 differs), so its pages are not "
            "shown. Pass the original with --source PATH."
        )
    where = "" if recorded.is_absolute() else " (looked for from the working directory and the folders above OUT)"
    return None, (
        f"The source PDF is no longer at {entry['source_path']}{where}, so its pages are not shown. "
        "Pass it with --source PATH."
    )


def slug(entry: dict) -> str:
    key = entry["source_sha256"] or hashlib.sha256(entry["source_path"].encode()).hexdigest()
    return key[:16]


def group_by_source(rows: list[dict]) -> dict[str, list[dict]]:
    by: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by[r["source_sha256"]].append(r)
    return by


# -- page images -----------------------------------------------------------------------------------------------------


def pages_to_render(forms: list[dict], rows: list[dict]) -> list[int]:
    pages = {r["page"] for r in rows if r["page"]}
    for f in forms:
        if f["first_page"] and f["last_page"]:
            pages.update(range(f["first_page"], f["last_page"] + 1))
    return sorted(pages)


def render_pages(pdf: Path, pages: list[int], folder: Path, dpi: int, password: str | None) -> dict[int, PageImage]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(pdf, password=password)
    except pdfium.PdfiumError as e:
        raise JixiaoError(f"{pdf}: cannot open the PDF to render its pages ({e}); encrypted? pass --password") from e
    folder.mkdir(parents=True, exist_ok=True)
    images = {}
    try:
        for n in pages:
            if not 1 <= n <= len(doc):
                continue
            page = doc[n - 1]
            width, height = page.get_size()
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            name = save_image(bitmap.to_pil().convert("L"), folder / f"p{n:04d}")
            page.close()
            images[n] = PageImage(f"{folder.name}/{name}", width, height)
    finally:
        doc.close()
    return images


def save_image(img, stem: Path) -> str:  # type: ignore[no-untyped-def]
    """PNG, or JPEG when that is smaller for a page past PNG_LIMIT; returns the file name."""
    buf = io.BytesIO()
    img.save(buf, "PNG")
    data, ext = buf.getvalue(), ".png"
    if len(data) > PNG_LIMIT:
        jpeg = io.BytesIO()
        img.save(jpeg, "JPEG", quality=JPEG_QUALITY)
        if len(jpeg.getvalue()) < len(data):
            data, ext = jpeg.getvalue(), ".jpg"
    path = stem.with_suffix(ext)
    for stale in (stem.with_suffix(".png"), stem.with_suffix(".jpg")):
        if stale != path and stale.exists():
            stale.unlink()
    tmp = path.with_suffix(ext + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path.name


def write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# -- HTML ------------------------------------------------------------------------------------------------------------


def e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def num(value: float | None) -> str:
    return "" if value is None else f"{value:.15g}"


def shown_value(row: dict) -> str:
    if row["operator"] == "range" and row["value_max"] is not None:
        return f"{num(row['value'])}–{num(row['value_max'])}"
    return num(row["value"])


def yuan(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f} 元"


_ROW_WARNING = re.compile(r"^indicator (\d+) ")
_NAME_WARNING = re.compile(r"^(?:三级指标 '(.+)' appears \d+ times|p\.\d+: 一级/二级指标 of '(.+)' carried .*)$")


def row_warnings(form: dict, rows: list[dict]) -> dict[int, list[str]]:
    """The form's warnings that name one of its rows, by row seq."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_name[r["level3"]].append(r["seq"])
    found: dict[int, list[str]] = defaultdict(list)
    for w in form["warnings"] or []:
        if m := _ROW_WARNING.match(w):
            found[int(m.group(1))].append(w)
        elif m := _NAME_WARNING.match(w):
            for seq in by_name.get(m.group(1) or m.group(2), []):
                found[seq].append(w)
    return found


def anchor(form: dict, row: dict) -> str:
    suffix = "" if row["horizon"] in (None, "annual") else f"-{row['horizon']}"
    return f"f{form['form_seq']}-{row['seq']}{suffix}"


def source_page(
    entry: dict, forms: list[dict], rows: list[dict], images: dict[int, PageImage], problem: str, out: Path
) -> str:
    parts = [
        '<header><p><a href="index.html">← all source PDFs</a></p>',
        f"<h1>{e(entry['source_file'])}</h1>",
        '<p class="meta">',
        f"<span>status {e(entry['status'])}</span><span>{e(entry['pages'])} pages</span>",
        f"<span>{e(entry['forms'])} forms</span><span>{e(entry['indicators'])} indicators</span>",
        f"<span>read as {e(', '.join(entry['extraction_methods'] or []) or '–')}</span>",
        f"<span>path {e(entry['source_path'])}</span><span>sha256 {e(entry['source_sha256'])}</span>",
        "</p></header>",
    ]
    if entry["error"]:
        parts.append(f'<p class="notice">Extraction failed: {e(entry["error"])}</p>')
    if problem and forms:
        parts.append(f'<p class="notice missing-pdf">{e(problem)}</p>')
    if not forms and not entry["error"]:
        parts.append('<p class="notice">No 绩效目标表 form was found in this PDF.</p>')
    by_project: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_project[r["project_id"]].append(r)
    if len(forms) > 1:
        parts.append("<nav><ol>")
        parts += [f'<li><a href="#form-{e(f["form_seq"])}">{e(f["project_name"])}</a></li>' for f in forms]
        parts.append("</ol></nav>")
    for form in forms:
        form_rows = sorted(by_project.get(form["project_id"], []), key=lambda r: (r["seq"], r["horizon"] != "annual"))
        parts.append(form_section(form, form_rows, images))
    return template.page(
        title=e(entry["source_file"]) + " · jixiao review", body="\n".join(parts), version=__version__, dataset=e(out)
    )


def form_section(form: dict, rows: list[dict], images: dict[int, PageImage]) -> str:
    warned = row_warnings(form, rows)
    parts = [
        f'<section class="form" id="form-{e(form["form_seq"])}" data-project-id="{e(form["project_id"])}">',
        f"<h2>{e(form['form_seq'])}. {e(form['project_name'])}</h2>",
        '<p class="meta">',
        f"<span>{e(form['form_title'])}</span><span>{e(form['department'])}</span><span>{e(form['year'])}</span>",
        f"<span>实施单位 {e(form['implementing_unit'])}</span>",
        f"<span>pages {e(form['first_page'])}–{e(form['last_page'])}</span>",
        f"<span>layout {e(form['layout'])}</span><span>read from {e(form['extraction_method'])}</span>",
        f"<span>项目资金总额 {e(yuan(form['funds_total']))}</span>",
        f"<span>年度资金申请总额 {e(yuan(form['funds_annual_request']))}</span>",
        "</p>",
    ]
    if form["warnings"]:
        parts.append('<ul class="warnings">')
        parts += [f"<li>{e(w)}</li>" for w in form["warnings"]]
        parts.append("</ul>")
    for label, key in (("项目总目标", "overall_goal"), ("年度总体目标", "annual_goal")):
        if form[key]:
            parts.append(f"<details><summary>{label}</summary><p>{e(form[key])}</p></details>")
    parts.append('<div class="form-body"><div class="pages">')
    pages = range(form["first_page"] or 0, (form["last_page"] or -1) + 1)
    for n in sorted(set(pages) | {r["page"] for r in rows if r["page"]}):
        if n in images:
            parts.append(page_figure(n, images[n], form, [r for r in rows if r["page"] == n], warned))
    parts.append("</div>")
    parts.append(rows_table(form, rows, warned))
    parts.append("</div></section>")
    return "\n".join(parts)


def page_figure(n: int, image: PageImage, form: dict, rows: list[dict], warned: dict[int, list[str]]) -> str:
    parts = [f'<figure><div class="sheet"><img src="{e(image.src)}" alt="page {n}" loading="lazy">']
    boxes: set[tuple] = set()
    for r in rows:
        box = (r["bbox_x0"], r["bbox_top"], r["bbox_x1"], r["bbox_bottom"])
        if None in box or box in boxes:  # an indicator's annual and period rows share one cell
            continue
        boxes.add(box)
        x0, top, x1, bottom = box  # type: ignore[misc]
        style = (
            f"left:{100 * x0 / image.width_pt:.3f}%;top:{100 * top / image.height_pt:.3f}%;"
            f"width:{100 * (x1 - x0) / image.width_pt:.3f}%;height:{100 * (bottom - top) / image.height_pt:.3f}%"
        )
        classes = " ".join(["box"] + (["warn"] if warned.get(r["seq"]) else []) + (["ocr"] if is_ocr(r) else []))
        parts.append(
            f'<a class="{classes}" id="box-{e(anchor(form, r))}" href="#row-{e(anchor(form, r))}" style="{style}"'
            f' title="{e(r["seq"])}. {e(r["level3"])}"><span>{e(r["seq"])}</span></a>'
        )
    parts.append(f"</div><figcaption>page {n}</figcaption></figure>")
    return "".join(parts)


def is_ocr(row: dict) -> bool:
    return row["ocr_confidence"] is not None


def rows_table(form: dict, rows: list[dict], warned: dict[int, list[str]]) -> str:
    horizons = any(r["horizon"] not in (None, "annual") for r in rows)
    weights = any(r["weight"] is not None for r in rows)
    head = [f'<th title="{e(COLUMN_TITLES.get(c, ""))}">{c}</th>' for c in COLUMNS]
    head += ['<th title="分值/权重">weight</th>'] if weights else []
    head += ["<th>horizon</th>"] if horizons else []
    head += ['<th>page</th><th title="lowest OCR confidence of the row; blank: text layer">OCR</th><th>warnings</th>']
    parts = [f'<table class="rows" data-project-id="{e(form["project_id"])}"><thead><tr>{"".join(head)}</tr></thead>']
    parts.append("<tbody>")
    for r in rows:
        notes = warned.get(r["seq"], [])
        classes = (["warn"] if notes or r["value_kind"] == "empty" else []) + (["ocr"] if is_ocr(r) else [])
        if looks_doubtful(r["ocr_confidence"]):
            classes.append("low")
        conf = f"OCR {r['ocr_confidence']:.2f}" if is_ocr(r) else ""
        cells = [
            f'<td class="num"><a href="#box-{e(anchor(form, r))}">{e(r["seq"])}</a></td>',
            f'<td class="level">{e(r["level1"])}</td><td class="level">{e(r["level2"])}</td>',
            f'<td class="name">{e(r["level3"])}</td>',
            f"<td>{e(r['value_raw'])}</td><td>{e(r['operator'])}</td>",
            f'<td class="num">{e(shown_value(r))}</td><td>{e(r["value_unit"])}</td><td>{e(r["label"])}</td>',
        ]
        cells += [f'<td class="num">{e(num(r["weight"]))}</td>'] if weights else []
        cells += [f"<td>{e(r['horizon'])}</td>"] if horizons else []
        cells += [f'<td class="num">{e(r["page"])}</td><td class="conf">{e(conf)}</td>']
        cells += [f'<td class="notes">{"<br>".join(e(n) for n in notes)}</td>']
        cls = f' class="{" ".join(classes)}"' if classes else ""
        parts.append(f'<tr id="row-{e(anchor(form, r))}"{cls}>{"".join(cells)}</tr>')
    parts.append("</tbody></table>")
    return "".join(parts)


def index_page(listed: list[tuple[dict, list[dict], str]], out: Path) -> str:
    total_forms = sum(len(f) for _, f, _ in listed)
    total_rows = sum(entry["indicators"] or 0 for entry, _, _ in listed)
    parts = [
        f"<header><h1>Review report: {e(out)}</h1>",
        (
            f'<p class="meta"><span>{len(listed)} source PDFs</span><span>{total_forms} forms</span>'
            f"<span>{total_rows} indicators</span></p></header>"
        ),
        (
            '<table class="sources"><thead><tr><th>source PDF</th><th>status</th><th>pages</th><th>forms</th>'
            "<th>indicators</th><th>warnings</th><th>read as</th><th>error</th></tr></thead><tbody>"
        ),
    ]
    for entry, forms, name in listed:
        n_warn = sum(len(f["warnings"] or []) for f in forms)
        status_cls = "" if entry["status"] == "ok" else ' class="bad"'
        warn_cls = ' class="num bad"' if n_warn else ' class="num"'
        parts.append(
            f'<tr><td><a href="{e(name)}">{e(entry["source_file"])}</a></td><td{status_cls}>{e(entry["status"])}</td>'
            f'<td class="num">{e(entry["pages"])}</td><td class="num">{e(entry["forms"])}</td>'
            f'<td class="num">{e(entry["indicators"])}</td><td{warn_cls}>{n_warn}</td>'
            f"<td>{e(', '.join(entry['extraction_methods'] or []))}</td><td>{e(entry['error'])}</td></tr>"
        )
    parts.append("</tbody></table>")
    return template.page(title="jixiao review report", body="\n".join(parts), version=__version__, dataset=e(out))
