"""Where the report outlines the cells the dataset has no box for: the value
of each indicator, and the form's header and funds values.

The dataset records the box of each 三级指标 cell; the value printed on the
same row has its own box where it is a cell of its own (value_bbox_*, text
and scanned pages alike); otherwise, and for the header/funds values, the
text is found again in the page's text layer (PDFium's text search), on the
row's band for a value. Header and funds values on scanned pages are not
outlined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Header and funds fields outlined on a form's first page: column -> label.
HEADER_FIELDS = {"project_name": "项目名称", "implementing_unit": "实施单位", "department": "主管部门"}
FUNDS_FIELDS = {
    "funds_total": "项目资金总额",
    "funds_total_fiscal": "财政资金",
    "funds_annual_request": "年度资金申请总额",
    "funds_annual_appropriation": "当年财政拨款",
}
SEARCH_CHARS = 16  # a long text wraps inside its cell: search its first characters
BAND_SLACK = 2.0  # points
LINE_SLACK = 3.0  # points: characters of one line
PAD = 1.5  # points around the characters, so the outline does not cover them


Rect = tuple[float, float, float, float]  # x0, top, x1, bottom; PDF points from the top-left corner


@dataclass(frozen=True)
class Box:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    kind: str  # "value", "header", "funds", "name" (a 三级指标 inside a cell shared by several)
    label: str
    anchor: str = ""  # the row anchor a value box links to


def _hits(textpage, text: str, height: float) -> list[Rect]:  # type: ignore[no-untyped-def]
    """Boxes (x0, top, x1, bottom; top-left origin) of TEXT on the page."""
    for needle in dict.fromkeys((" ".join(text.split())[:SEARCH_CHARS], "".join(text.split())[:SEARCH_CHARS])):
        if needle and (found := _search(textpage, needle, height)):
            return found
    return []


def _search(textpage, needle: str, height: float) -> list[Rect]:  # type: ignore[no-untyped-def]
    out = []
    searcher = textpage.search(needle, match_case=True)
    try:
        while (found := searcher.get_next()) is not None:
            start, count = found
            boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
            # A text wrapped in its cell: outline its first line (the line
            # break's own box spans the page).
            first = boxes[0]
            boxes = [b for b in boxes if abs(b[1] - first[1]) < LINE_SLACK and abs(b[3] - first[3]) < LINE_SLACK]
            x0, x1 = min(b[0] for b in boxes), max(b[2] for b in boxes)
            y0, y1 = min(b[1] for b in boxes), max(b[3] for b in boxes)
            p = PAD
            out.append((x0 - p, height - y1 - p, x1 + p, height - y0 + p))
            if len(out) > 50:
                break
    finally:
        searcher.close()
    return out


def value_boxes(textpage, height: float, page: int, rows: list[dict], anchor) -> list[Box]:  # type: ignore[no-untyped-def]
    """The printed value of each row, on the row's band right of its 三级指标 cell."""
    found: list[Box] = []
    seen: set[tuple] = set()
    for r in rows:
        if r["page"] != page or not r["value_raw"] or r["bbox_top"] is None:
            continue
        cell = tuple(r.get(k) for k in ("value_bbox_x0", "value_bbox_top", "value_bbox_x1", "value_bbox_bottom"))
        if None not in cell and not any(isinstance(v, float) and math.isnan(v) for v in cell):
            # The dataset has the value cell's box (scanned pages too): no search needed.
            x0, top, x1, bottom = (float(v) for v in cell)  # type: ignore[arg-type]
            found.append(Box(page, x0, top, x1, bottom, "value", f"{r['seq']}. 指标值", anchor(r)))
            continue
        for text in _value_texts(r):
            box = _in_band(_hits(textpage, text, height), r, seen)
            if box is not None:
                seen.add(box[:2])
                found.append(Box(page, *box, "value", f"{r['seq']}. 指标值", anchor(r)))
                break
    return found


def name_boxes(textpage, height: float, page: int, rows: list[dict], anchor) -> list[Box]:  # type: ignore[no-untyped-def]
    """Where one cell holds several indicators (the Guangdong family prints
    them serialized in one cell, so the dataset gives them all that cell's
    box), each indicator's name inside it, in reading order."""
    by_cell: dict[tuple, list[dict]] = {}
    for r in rows:
        box = (r["bbox_x0"], r["bbox_top"], r["bbox_x1"], r["bbox_bottom"])
        if r["page"] == page and None not in box:
            by_cell.setdefault(box, []).append(r)
    found: list[Box] = []
    for (cx0, ctop, cx1, cbottom), members in by_cell.items():
        names = list(dict.fromkeys(r["level3"] for r in sorted(members, key=lambda r: r["seq"]) if r["level3"]))
        if len(names) < 2:
            continue
        after = (ctop - BAND_SLACK, cx0 - BAND_SLACK)  # reading position reached so far (top, x0)
        for name in names:
            inside = [h for h in _hits(textpage, name, height)
                      if cx0 - BAND_SLACK <= h[0] and h[2] <= cx1 + BAND_SLACK
                      and ctop - BAND_SLACK <= h[1] and h[3] <= cbottom + BAND_SLACK
                      and (h[1], h[0]) > after]  # fmt: skip
            if not inside:
                continue
            hit = min(inside, key=lambda h: (h[1], h[0]))
            after = (hit[1], hit[0])
            first = min((r for r in members if r["level3"] == name), key=lambda r: (r["horizon"] != "annual", r["seq"]))
            found.append(Box(page, *hit, "name", f"{first['seq']}. {name}", anchor(first)))
    return found


def _value_texts(r: dict) -> list[str]:
    """The value as printed; where a family prints operator, number and unit
    in separate columns, the number (or the label) alone."""
    texts = [r["value_raw"]]
    if r["label"]:
        texts.append(r["label"])
    if r["value"] is not None:
        texts.append(f"{r['value']:.15g}")
    return texts


def _in_band(hits: list[Rect], r: dict, seen: set[tuple]) -> Rect | None:
    for x0, top, x1, bottom in hits:
        middle = (top + bottom) / 2
        in_band = r["bbox_top"] - BAND_SLACK <= middle <= r["bbox_bottom"] + BAND_SLACK
        if in_band and x0 >= r["bbox_x1"] - BAND_SLACK and (x0, top) not in seen:
            return (x0, top, x1, bottom)
    return None


def _amount_texts(v: float) -> list[str]:
    """How a yuan amount may be printed: in yuan or in 万元, with or without separators."""
    texts = []
    for amount in (v, v / 1e4):
        for fmt in ("{:,.2f}", "{:.2f}", "{:,.0f}", "{:.0f}", "{:,.4f}"):
            t = fmt.format(amount)
            if t not in texts and len(t.replace("0", "").replace(".", "").replace(",", "")) > 0:
                texts.append(t)
    return texts


def header_boxes(textpage, height: float, page: int, form: dict) -> list[Box]:  # type: ignore[no-untyped-def]
    found = []
    for field, label in HEADER_FIELDS.items():
        text = form.get(field)
        if text and (hits := _hits(textpage, text, height)):
            found.append(Box(page, *hits[0], "header", label))
    used: set[Rect] = set()
    for field, label in FUNDS_FIELDS.items():
        v = form.get(field)
        if not isinstance(v, float) or math.isnan(v) or v == 0:
            continue
        labels = _hits(textpage, label, height)
        for text in _amount_texts(v):
            if hit := _beside(_hits(textpage, text, height), labels, used):
                used.add(hit)
                found.append(Box(page, *hit, "funds", label))
                break
    return found


def _beside(hits: list[Rect], labels: list[Rect], used: set[Rect]) -> Rect | None:
    """The first hit on a label's band right of it (several funds fields often
    print the same amount); else the first hit not taken yet."""
    free = [h for h in hits if h not in used]
    for lx0, ltop, lx1, lbottom in labels:
        right = [h for h in free if h[0] >= lx1 - BAND_SLACK and ltop - BAND_SLACK <= (h[1] + h[3]) / 2 <= lbottom + BAND_SLACK]
        if right:
            return min(right, key=lambda h: h[0])
    return free[0] if free else None
