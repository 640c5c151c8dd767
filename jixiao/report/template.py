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
.form-body { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); gap: 16px;
             align-items: start; }
figure { margin: 0 0 12px; }
figcaption { font-size: 12px; color: var(--muted); }
.sheet { position: relative; border: 1px solid #bbb; max-width: 900px; }
.sheet img { display: block; width: 100%; height: auto; }
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
@media (max-width: 1000px) { .form-body { grid-template-columns: 1fr; } }
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
