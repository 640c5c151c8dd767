"""The report's HTML skeleton and style: one self-contained page each (the CSS
is inlined so a page opens from disk, copied or mailed, without a server)."""

from __future__ import annotations

from string import Template

CSS = """
:root { --warn: #c62828; --warn-bg: #fdecea; --box: #1565c0; --ocr: #6a1b9a; --muted: #666; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
       sans-serif; margin: 0 24px 48px; color: #222; line-height: 1.45; }
header { border-bottom: 1px solid #ddd; margin-bottom: 16px; }
h1 { font-size: 22px; margin: 16px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 4px; padding-top: 8px; border-top: 2px solid #333; }
a { color: var(--box); }
.meta { color: var(--muted); font-size: 13px; margin: 2px 0 8px; }
.meta span + span::before { content: " · "; }
.notice { background: var(--warn-bg); border-left: 4px solid var(--warn); padding: 8px 12px; margin: 12px 0; }
ul.warnings { background: var(--warn-bg); border-left: 4px solid var(--warn); margin: 8px 0;
              padding: 6px 12px 6px 28px; font-size: 13px; }
details { font-size: 13px; margin: 4px 0 8px; }
details p { white-space: pre-line; margin: 4px 0 4px 16px; }
nav ol { columns: 2; font-size: 14px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #f2f2f2; position: sticky; top: 0; }
td.num { text-align: right; white-space: nowrap; }
table.rows { width: 100%; }
td.name { min-width: 9em; }
td.level { min-width: 5em; }
tr.warn td { background: var(--warn-bg); }
tr.warn td.notes { color: var(--warn); }
tr.ocr td.conf { color: var(--ocr); font-weight: bold; }
tr.low td.conf { color: var(--warn); }
tr:target td { outline: 2px solid orange; }
figure.page { margin: 0 0 16px; position: relative; }
figcaption { font-size: 12px; color: var(--muted); }
.zoom { position: sticky; top: 0; z-index: 2; margin-bottom: 4px; }
.zoom button { font-size: 13px; min-width: 2.4em; margin-right: 4px; }
.scroller { overflow: auto; max-height: 92vh; border: 1px solid #bbb; }
.sheet { position: relative; width: 100%; max-width: none; }
.sheet img { display: block; width: 100%; height: auto; }
a.cell { position: absolute; border: 1.5px solid; }
a.cell.value { border-color: #2e7d32; border-style: dashed; }
a.cell.header { border-color: #ef6c00; }
a.cell.funds { border-color: #00838f; }
a.cell.name { border-color: var(--box); background: rgba(21, 101, 192, .07); }
a.cell.name span { position: absolute; left: -2px; top: -2px; transform: translateX(-100%); font-size: 10px;
                   line-height: 1.2; padding: 0 3px; color: #fff; background: var(--box); }
ul.findings { background: #fff8e1; border-left: 4px solid #f9a825; margin: 8px 0;
              padding: 6px 12px 6px 28px; font-size: 13px; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 8px 0 12px;
               font-size: 14px; }
form.filters .count { color: var(--muted); }
table.forms td.bad { color: var(--warn); }
.nav a + a { margin-left: 4px; }
a.box { position: absolute; border: 2px solid var(--box); background: rgba(21, 101, 192, .07); }
a.box span { position: absolute; left: -2px; top: -2px; transform: translateX(-100%); font-size: 10px;
             line-height: 1.2; padding: 0 3px; color: #fff; background: var(--box); text-decoration: none; }
a.box.ocr { border-style: dashed; border-color: var(--ocr); }
a.box.ocr span { background: var(--ocr); }
a.box.warn { border-color: var(--warn); background: rgba(198, 40, 40, .10); }
a.box.warn span { background: var(--warn); }
a.box:target { outline: 3px solid orange; }
table.sources td.bad { color: var(--warn); font-weight: bold; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"""

# The index's filters: each <select data-filter> narrows the rows of
# table.forms by their data- attributes; the choice is kept in the URL's
# fragment (#department=…&review=no-cost), so a filtered view can be linked.
FILTER_JS = """
(() => {
  const selects = [...document.querySelectorAll("select[data-filter]")];
  const rows = [...document.querySelectorAll("table.forms tbody tr")];
  const shown = document.getElementById("shown");
  const keep = (tr, key, v) => {
    if (!v) return true;
    if (key === "warnings") return (tr.dataset.warnings !== "0") === (v === "with");
    if (key === "review") {
      const rules = tr.dataset.rules.trim();
      if (v === "with") return rules !== "";
      if (v === "without") return rules === "";
      return tr.dataset.rules.includes(" " + v + " ");
    }
    return tr.dataset[key] === v;
  };
  const apply = () => {
    const want = selects.map(s => [s.dataset.filter, s.value]);
    let n = 0;
    for (const tr of rows) {
      const ok = want.every(([k, v]) => keep(tr, k, v));
      tr.hidden = !ok;
      n += ok;
    }
    shown.textContent = n + " of " + rows.length + " forms";
    const q = new URLSearchParams(want.filter(([, v]) => v));
    history.replaceState(null, "", q.toString() ? "#" + q.toString() : location.pathname);
  };
  const fromHash = () => {
    const q = new URLSearchParams(location.hash.slice(1));
    for (const s of selects) s.value = q.get(s.dataset.filter) || "";
  };
  selects.forEach(s => s.addEventListener("change", apply));
  window.addEventListener("hashchange", () => { fromHash(); apply(); });
  fromHash();
  apply();
})();
"""

# Page images: − / fit / + scale the sheet (the outlines are in % of it).
ZOOM_JS = """
document.querySelectorAll("figure.page").forEach(fig => {
  const sheet = fig.querySelector(".sheet");
  let z = 1;
  fig.querySelectorAll("button[data-zoom]").forEach(b => b.addEventListener("click", () => {
    z = b.dataset.zoom === "fit" ? 1 : Math.min(4, Math.max(0.5, z * Number(b.dataset.zoom)));
    sheet.style.width = (100 * z) + "%";
  }));
});
"""

PAGE = Template(
    """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="jixiao $version">
<title>$title</title>
<style>$css</style>
</head>
<body>
$body
<footer>jixiao $version review report · dataset $dataset</footer>
</body>
</html>
"""
)


def page(*, title: str, body: str, version: str, dataset: str) -> str:
    """A whole HTML document. Every argument must already be escaped."""
    return PAGE.substitute(title=title, body=body, css=CSS, version=version, dataset=dataset)
