"""jixiao report: a static HTML report for checking a dataset against its PDFs.

DEST/index.html lists every form (filters by department, year, family,
warnings and review findings, client-side) and the source PDFs;
DEST/<source>-<sha8>.html lists one source PDF's forms; and each form has its
own page, DEST/<source>-<sha8>/form-NN.html, with its pages (rendered from the
PDF the manifest points to, into the same folder) zoomable, every extracted
三级指标 cell outlined and numbered, the values and the header and funds
values outlined too, next to the extracted rows, its warnings and review
findings. Links are relative, so the folder opens from disk and can be copied
as a whole.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..api import read_tables
from ..errors import JixiaoError, UsageError
from ..extract import sha256_file
from ..review import review
from . import pages
from .locate import Box, header_boxes, name_boxes, value_boxes

DPI = 150
# Grey pages make the coloured outlines stand out and compress well as PNG;
# a scanned page (a photo) is kept as JPEG when that is smaller.
PNG_LIMIT = 250_000
JPEG_QUALITY = 80


class UnknownSource(UsageError):
    def __init__(self, source: str, out: Path) -> None:
        super().__init__(f"{source}: not a source of the dataset at {out} (see its manifest.parquet)")


@dataclass(frozen=True)
class PageImage:
    src: str  # file name, next to the form pages
    width_pt: float
    height_pt: float


@dataclass(frozen=True)
class Report:
    index: Path
    pages: tuple[Path, ...]  # the source pages
    forms: tuple[Path, ...]  # the form pages
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
    entries = t.manifest.to_pylist()
    given: dict[str, Path] = {}
    if sources:
        entries, given = select_sources(entries, sources, out)
    forms = group_by_source(t.projects.to_pylist())
    rows = group_by_source(t.indicators.to_pylist())
    findings: dict[str, list[dict]] = defaultdict(list)
    reviewed = review(t)
    for f in reviewed.findings.to_pylist():
        findings[f["project_id"]].append(f)
    dest.mkdir(parents=True, exist_ok=True)
    written, form_pages, missing, problems, listed = [], [], [], [], []
    for entry in entries:
        key = entry["source_sha256"] or entry["source_path"]
        entry_forms = sorted(forms.get(key, []), key=lambda f: (f["form_seq"] or 0, f["first_page"] or 0))
        entry_rows = rows.get(key, [])
        pdf, problem = locate_pdf(entry, out, given.get(entry["source_sha256"])) if entry_forms else (None, "")
        images: dict[int, PageImage] = {}
        boxes: dict[str, list[Box]] = {}
        folder = dest / slug(entry)
        if pdf is not None and entry_forms:
            try:
                images, boxes = render_pages(pdf, entry_forms, entry_rows, folder, dpi, password)
            except JixiaoError as e:
                problem = str(e)
        if problem and entry_forms:
            missing.append(entry["source_file"])
            problems.append(f"{entry['source_file']}: {problem}")
        by_project: dict[str, list[dict]] = defaultdict(list)
        for r in entry_rows:
            by_project[r["project_id"]].append(r)
        names = [form_page_name(f) for f in entry_forms]
        for i, form in enumerate(entry_forms):
            form_rows = sorted(by_project.get(form["project_id"], []), key=lambda r: (r["seq"], r["horizon"] != "annual"))
            html = pages.form_page(
                entry, form, form_rows, images, boxes.get(form["project_id"], []),
                findings.get(form["project_id"], []), problem, out,
                source_href=f"../{slug(entry)}.html", prev_href=names[i - 1] if i else None,
                next_href=names[i + 1] if i + 1 < len(names) else None,
            )  # fmt: skip
            folder.mkdir(parents=True, exist_ok=True)
            write_text(folder / names[i], html)
            form_pages.append(folder / names[i])
        name = f"{slug(entry)}.html"
        links = [f"{slug(entry)}/{n}" for n in names]
        write_text(dest / name, pages.source_page(entry, entry_forms, links, findings, problem, out))
        written.append(dest / name)
        listed.append((entry, entry_forms, name, links))
    index = dest / "index.html"
    write_text(index, pages.index_page(listed, findings, out, reviewed.summary.to_pylist()))
    return Report(index, tuple(written), tuple(form_pages), tuple(missing), tuple(problems))


def form_pages_of(form: dict, rows: list[dict]) -> set[int]:
    pages_ = set(range(form["first_page"] or 0, (form["last_page"] or -1) + 1))
    return pages_ | {r["page"] for r in rows if r["page"]}


def form_page_name(form: dict) -> str:
    return f"form-{form['form_seq'] or 0:02d}.html"


_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def slug(entry: dict) -> str:
    """A readable, unique name for a source: its file name's stem and the
    start of its sha256 ("shpf-2023-1a2b3c4d")."""
    key = entry["source_sha256"] or hashlib.sha256(entry["source_path"].encode()).hexdigest()
    stem = _UNSAFE.sub("_", Path(entry["source_file"] or "source").stem).strip("._")[:60] or "source"
    return f"{stem}-{key[:8]}"


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


def group_by_source(rows: list[dict]) -> dict[str, list[dict]]:
    by: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by[r["source_sha256"]].append(r)
    return by


# -- page images -----------------------------------------------------------------------------------------------------


def render_pages(
    pdf: Path, forms: list[dict], rows: list[dict], folder: Path, dpi: int, password: str | None
) -> tuple[dict[int, PageImage], dict[str, list[Box]]]:
    """Each page of the forms as an image in FOLDER, and per project the boxes
    of its values, header and funds found in the page's text layer."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(pdf, password=password)
    except pdfium.PdfiumError as e:
        raise JixiaoError(f"{pdf}: cannot open the PDF to render its pages ({e}); encrypted? pass --password") from e
    folder.mkdir(parents=True, exist_ok=True)
    by_project: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_project[r["project_id"]].append(r)
    on_page: dict[int, list[dict]] = defaultdict(list)
    for f in forms:
        for n in form_pages_of(f, by_project[f["project_id"]]):
            on_page[n].append(f)
    images: dict[int, PageImage] = {}
    boxes: dict[str, list[Box]] = defaultdict(list)
    try:
        for n in sorted(on_page):
            if not 1 <= n <= len(doc):
                continue
            page = doc[n - 1]
            width, height = page.get_size()
            bitmap = page.render(scale=_scale(width, height, dpi), grayscale=True)
            images[n] = PageImage(save_image(bitmap.to_pil().convert("L"), folder / f"p{n:04d}"), width, height)
            textpage = page.get_textpage()
            try:
                for f in on_page[n]:
                    pid = f["project_id"]
                    boxes[pid] += value_boxes(textpage, height, n, by_project[pid], pages.anchor_of_row)
                    boxes[pid] += name_boxes(textpage, height, n, by_project[pid], pages.anchor_of_row)
                    if f["first_page"] == n:
                        boxes[pid] += header_boxes(textpage, height, n, f)
            finally:
                textpage.close()
            page.close()
    finally:
        doc.close()
    return images, boxes


# A page image in the report is at most this many pixels: a page on a huge
# MediaBox (1e7 pt) is shown small rather than exhausting memory.
MAX_PAGE_PIXELS = 12_000_000


def _scale(width: float, height: float, dpi: int) -> float:
    """``dpi`` / 72, lowered so the page image stays within MAX_PAGE_PIXELS."""
    scale = dpi / 72
    pixels = max(width * scale, 1.0) * max(height * scale, 1.0)
    return scale if pixels <= MAX_PAGE_PIXELS else scale * (MAX_PAGE_PIXELS / pixels) ** 0.5


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


