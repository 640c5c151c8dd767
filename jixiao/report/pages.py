"""The report's HTML: the index (forms with filters, source PDFs), one page
per source PDF, one page per form. Every value is escaped here."""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any

from .. import __version__
from ..normalize.ocrfix import looks_doubtful
from . import template
from .locate import Box

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
ZOOM_BUTTONS = (
    '<figure class="page"><div class="zoom"><button type="button" data-zoom="0.8">−</button>'
    '<button type="button" data-zoom="fit">fit</button><button type="button" data-zoom="1.25">+</button></div>'
)
FILTERS = (("department", "department"), ("year", "year"), ("layout", "family"), ("kind", "kind"))


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


def pages_text(first: Any, last: Any) -> str:
    return f"p.{first}" if first == last else f"p.{first}–{last}"


_ROW_WARNING = re.compile(r"^indicator (\d+) ")
_NAME_WARNING = re.compile(r"^(?:三级指标 '(.+)' appears \d+ times|p\.\d+: 一级/二级指标 of '(.+)' carried .*)$")


def row_warnings(form: dict, rows: list[dict]) -> dict[int, list[str]]:
    """The form's warnings that name one of its rows, by row seq: the
    indicators' own `row_warnings` (contract v2) and those read back from the
    project's warning texts (datasets written before)."""
    found: dict[int, list[str]] = defaultdict(list)

    def add(seq: int, w: str) -> None:
        if w not in found[seq]:
            found[seq].append(w)

    by_name: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_name[r["level3"]].append(r["seq"])
        for w in r.get("row_warnings") or []:
            add(r["seq"], w)
    for w in form["warnings"] or []:
        if m := _ROW_WARNING.match(w):
            add(int(m.group(1)), w)
        elif m := _NAME_WARNING.match(w):
            for seq in by_name.get(m.group(1) or m.group(2), []):
                add(seq, w)
    return found


def anchor_of_row(row: dict) -> str:
    suffix = "" if row["horizon"] in (None, "annual") else f"-{row['horizon']}"
    return f"{row['seq']}{suffix}"


def is_ocr(row: dict) -> bool:
    return row["ocr_confidence"] is not None


def _page(title: str, body: str, out: Path) -> str:
    return template.page(title=e(title), body=body, version=__version__, dataset=e(out))


# -- index -----------------------------------------------------------------------------------------------------------


def index_page(
    listed: list[tuple[dict, list[dict], str, list[str]]], findings: dict[str, list[dict]], out: Path,
    summary: list[dict] | None = None,
) -> str:  # fmt: skip
    forms = [(entry, f, link) for entry, fs, _, links in listed for f, link in zip(fs, links)]
    total_rows = sum(entry["indicators"] or 0 for entry, *_ in listed)
    values: dict[str, set[str]] = defaultdict(set)
    for _, f, _ in forms:
        values["department"].add(f["department"] or "")
        values["year"].add(str(f["year"]))
        values["layout"].add(f["layout"] or "")
        values["kind"].add(f.get("form_kind") or "project")
    rules = sorted({x["rule"] for fs in findings.values() for x in fs})
    parts = [
        f"<header><h1>Review report: {e(out)}</h1>",
        (
            f'<p class="meta"><span>{len(listed)} source PDFs</span><span>{len(forms)} forms</span>'
            f"<span>{total_rows} indicators</span></p></header>"
        ),
        '<form class="filters" id="filters" onsubmit="return false">',
    ]
    for key, label in FILTERS:
        opts = "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in sorted(values[key]))
        parts.append(f'<label>{label} <select data-filter="{key}"><option value="">all</option>{opts}</select></label>')
    parts.append(
        '<label>warnings <select data-filter="warnings"><option value="">all</option>'
        '<option value="with">with warnings</option><option value="without">without</option></select></label>'
    )
    opts = "".join(f'<option value="{e(r)}">{e(r)}</option>' for r in rules)
    parts.append(
        '<label>review <select data-filter="review"><option value="">all</option>'
        f'<option value="with">with findings</option><option value="without">without</option>{opts}</select></label>'
    )
    parts.append(f'<span class="count" id="shown">{len(forms)} of {len(forms)} forms</span></form>')
    parts.append(
        '<table class="forms"><thead><tr><th>year</th><th>department</th><th>project</th><th>family</th>'
        "<th>kind</th><th>indicators</th><th>warnings</th><th>review</th><th>source (pages)</th></tr></thead><tbody>"
    )
    for entry, f, link in forms:
        found = findings.get(f["project_id"], [])
        codes = sorted({x["rule"] for x in found})
        n_warn = len(f["warnings"] or [])
        kind = f.get("form_kind") or "project"
        parts.append(
            f'<tr data-department="{e(f["department"])}" data-year="{e(f["year"])}" data-layout="{e(f["layout"])}"'
            f' data-kind="{e(kind)}" data-warnings="{n_warn}" data-rules=" {e(" ".join(codes))} ">'
            f'<td class="num">{e(f["year"])}</td><td>{e(f["department"])}</td>'
            f'<td><a href="{e(link)}">{e(f["project_name"] or "–")}</a></td><td>{e(f["layout"])}</td><td>{e(kind)}</td>'
            f'<td class="num">{e(f["indicator_count"])}</td>'
            f'<td class="num{" bad" if n_warn else ""}">{n_warn}</td>'
            f'<td class="{"bad" if found else ""}" title="{e(", ".join(codes))}">{len(found) or ""}'
            f"{' ' + e(', '.join(codes)) if codes else ''}</td>"
            f'<td>{e(entry["source_file"])} ({e(pages_text(f["first_page"], f["last_page"]))})</td></tr>'
        )
    parts.append("</tbody></table>")
    if summary:
        parts.append(summary_table(summary))
    parts.append(sources_table(listed))
    parts.append(f"<script>{template.FILTER_JS}</script>")
    return _page("jixiao review report", "\n".join(parts), out)


def summary_table(summary: list[dict]) -> str:
    """The review per department and year (jixiao review's summary)."""
    skip = ("year", "department", "forms", "forms_with_findings", "findings")
    parts = [
        "<h2>Review summary per department</h2>",
        (
            '<table class="review-summary"><thead><tr><th>year</th><th>department</th><th>forms</th>'
            "<th>with findings</th><th>findings by rule</th></tr></thead><tbody>"
        ),
    ]
    for s in summary:
        by_rule = ", ".join(f"{k} {v}" for k, v in s.items() if k not in skip and v)
        parts.append(
            f'<tr><td class="num">{e(s["year"])}</td><td>{e(s["department"])}</td><td class="num">{e(s["forms"])}</td>'
            f'<td class="num">{e(s["forms_with_findings"])}</td><td>{e(by_rule or "–")}</td></tr>'
        )
    parts.append("</tbody></table>")
    return "\n".join(parts)


def sources_table(listed: list[tuple[dict, list[dict], str, list[str]]]) -> str:
    parts = [
        "<h2>Source PDFs</h2>",
        (
            '<table class="sources"><thead><tr><th>source PDF</th><th>status</th><th>pages</th><th>forms</th>'
            "<th>indicators</th><th>warnings</th><th>read as</th><th>error</th></tr></thead><tbody>"
        ),
    ]
    for entry, forms, name, _ in listed:
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
    return "\n".join(parts)


# -- one source PDF --------------------------------------------------------------------------------------------------


def source_meta(entry: dict) -> str:
    return "".join([
        '<p class="meta">',
        f"<span>status {e(entry['status'])}</span><span>{e(entry['pages'])} pages</span>",
        f"<span>{e(entry['forms'])} forms</span><span>{e(entry['indicators'])} indicators</span>",
        f"<span>read as {e(', '.join(entry['extraction_methods'] or []) or '–')}</span>",
        f"<span>path {e(entry['source_path'])}</span><span>sha256 {e(entry['source_sha256'])}</span>",
        "</p>",
    ])  # fmt: skip


def source_page(
    entry: dict, forms: list[dict], links: list[str], findings: dict[str, list[dict]], problem: str, out: Path
) -> str:
    parts = ['<header><p><a href="index.html">← all forms</a></p>', f"<h1>{e(entry['source_file'])}</h1>",
             source_meta(entry), "</header>"]  # fmt: skip
    if entry["error"]:
        parts.append(f'<p class="notice">Extraction failed: {e(entry["error"])}</p>')
    if problem and forms:
        parts.append(f'<p class="notice missing-pdf">{e(problem)}</p>')
    if not forms and not entry["error"]:
        parts.append('<p class="notice">No 绩效目标表 form was found in this PDF.</p>')
    if forms:
        parts.append('<table class="forms"><thead><tr><th>form</th><th>project</th><th>pages</th><th>indicators</th>'
                     "<th>warnings</th><th>review</th></tr></thead><tbody>")  # fmt: skip
        for f, link in zip(forms, links):
            found = findings.get(f["project_id"], [])
            parts.append(
                f'<tr><td class="num">{e(f["form_seq"])}</td><td><a href="{e(link)}">{e(f["project_name"] or "–")}</a></td>'
                f'<td>{e(pages_text(f["first_page"], f["last_page"]))}</td><td class="num">{e(f["indicator_count"])}</td>'
                f'<td class="num">{len(f["warnings"] or [])}</td>'
                f"<td>{e(', '.join(sorted({x['rule'] for x in found})))}</td></tr>"
            )
        parts.append("</tbody></table>")
    return _page(f"{entry['source_file']} · jixiao review", "\n".join(parts), out)


# -- one form --------------------------------------------------------------------------------------------------------


def form_page(
    entry: dict, form: dict, rows: list[dict], images: dict, boxes: list[Box], findings: list[dict],
    problem: str, out: Path, *, source_href: str, prev_href: str | None, next_href: str | None,
) -> str:  # fmt: skip
    nav = ['<a href="../index.html">← all forms</a>', f'<a href="{e(source_href)}">{e(entry["source_file"])}</a>']
    nav += [f'<a href="{e(prev_href)}">‹ previous form</a>'] if prev_href else []
    nav += [f'<a href="{e(next_href)}">next form ›</a>'] if next_href else []
    parts = [f'<header><p class="nav">{" · ".join(nav)}</p>']
    parts.append(form_section(form, rows, images, boxes, findings, problem))
    return _page(f"{form['project_name'] or entry['source_file']} · jixiao review", "\n".join(parts), out)


def form_section(
    form: dict, rows: list[dict], images: dict, boxes: list[Box], findings: list[dict], problem: str
) -> str:
    warned = row_warnings(form, rows)
    parts = [
        f"<h1>{e(form['form_seq'])}. {e(form['project_name'] or '–')}</h1>",
        '<p class="meta">',
        f"<span>{e(form['form_title'])}</span><span>{e(form['department'])}</span><span>{e(form['year'])}</span>",
        f"<span>实施单位 {e(form['implementing_unit'])}</span>",
        f"<span>pages {e(form['first_page'])}–{e(form['last_page'])}</span>",
        f"<span>layout {e(form['layout'])}</span><span>{e(form.get('form_kind') or 'project')}</span>",
        f"<span>read from {e(form['extraction_method'])}</span>",
        f"<span>项目资金总额 {e(yuan(form['funds_total']))}</span>",
        f"<span>年度资金申请总额 {e(yuan(form['funds_annual_request']))}</span>",
        f"<span>年度预算 (funds_budget) {e(yuan(form.get('funds_budget')))}</span>",
        "</p></header>",
        f'<section class="form" id="form-{e(form["form_seq"])}" data-project-id="{e(form["project_id"])}">',
    ]
    if problem:
        parts.append(f'<p class="notice missing-pdf">{e(problem)}</p>')
    if form["warnings"]:
        parts.append('<ul class="warnings">')
        parts += [f"<li>{e(w)}</li>" for w in form["warnings"]]
        parts.append("</ul>")
    if findings:
        parts.append('<ul class="findings">')
        parts += [f'<li><b>{e(f["rule"])}</b> ({e(f["title"])}): {e(f["finding"])}</li>' for f in findings]
        parts.append("</ul>")
    for label, key in (("项目总目标", "overall_goal"), ("年度总体目标", "annual_goal")):
        if form[key]:
            parts.append(f"<details><summary>{label}</summary><p>{e(form[key])}</p></details>")
    parts.append('<div class="pages">')
    for n in sorted(set(range(form["first_page"] or 0, (form["last_page"] or -1) + 1)) | {r["page"] for r in rows if r["page"]}):
        if n in images:
            page_rows = [r for r in rows if r["page"] == n]
            parts.append(page_figure(n, images[n], page_rows, [b for b in boxes if b.page == n], warned))
    parts.append("</div>")
    parts.append(rows_table(form, rows, warned))
    parts.append("</section>")
    parts.append(f"<script>{template.ZOOM_JS}</script>")
    return "\n".join(parts)


def _style(image: Any, x0: float, top: float, x1: float, bottom: float) -> str:
    return (
        f"left:{100 * x0 / image.width_pt:.3f}%;top:{100 * top / image.height_pt:.3f}%;"
        f"width:{100 * (x1 - x0) / image.width_pt:.3f}%;height:{100 * (bottom - top) / image.height_pt:.3f}%"
    )


def page_figure(n: int, image: Any, rows: list[dict], boxes: list[Box], warned: dict[int, list[str]]) -> str:
    parts = [ZOOM_BUTTONS + f'<div class="scroller"><div class="sheet"><img src="{e(image.src)}" alt="page {n}" loading="lazy">']
    seen: set[tuple] = set()
    for r in rows:
        box = (r["bbox_x0"], r["bbox_top"], r["bbox_x1"], r["bbox_bottom"])
        if None in box or box in seen:  # an indicator's annual and period rows share one cell
            continue
        seen.add(box)
        classes = " ".join(["box"] + (["warn"] if warned.get(r["seq"]) else []) + (["ocr"] if is_ocr(r) else []))
        a = anchor_of_row(r)
        parts.append(
            f'<a class="{classes}" id="box-{e(a)}" href="#row-{e(a)}" style="{_style(image, *box)}"'  # type: ignore[arg-type]
            f' title="{e(r["seq"])}. {e(r["level3"])}"><span>{e(r["seq"])}</span></a>'
        )
    for b in boxes:
        href = f' href="#row-{e(b.anchor)}"' if b.anchor else ""
        number = f"<span>{e(b.label.split('.')[0])}</span>" if b.kind == "name" else ""
        parts.append(
            f'<a class="cell {e(b.kind)}"{href} style="{_style(image, b.x0, b.top, b.x1, b.bottom)}"'
            f' title="{e(b.label)}">{number}</a>'
        )
    parts.append(f"</div></div><figcaption>page {n}</figcaption></figure>")
    return "".join(parts)


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
        a = anchor_of_row(r)
        cells = [
            f'<td class="num"><a href="#box-{e(a)}">{e(r["seq"])}</a></td>',
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
        parts.append(f'<tr id="row-{e(a)}"{cls}>{"".join(cells)}</tr>')
    parts.append("</tbody></table>")
    return "".join(parts)
