"""A wide table (hunan-wide) read from a fax: a project continued over a page
break whose name and amounts, printed again on the next page, read differently
there. The grids are the real OCR of tests/fixtures/pdfs/015_长沙_教育局_2026年部门预算.pdf's
pages 22-25 in the ``fax`` profile (seed 0), saved by tests/fixtures/fax-grids'
source line, so no OCR runs here."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from jixiao.extract.model import Cell, Document, PageInfo, Table, TextLine
from jixiao.normalize import normalize

GRIDS = Path(__file__).parent / "fixtures" / "fax-grids" / "changsha-wide-p2-5.json"


def _items() -> list[Table | TextLine]:
    items: list[Table | TextLine] = []
    for it in json.loads(GRIDS.read_text(encoding="utf-8"))["items"]:
        if "line" in it:
            items.append(TextLine(it["line"], it["page"], tuple(it["bbox"])))
            continue
        t = it["table"]
        cells = tuple(
            Cell(r, c, rs, cs, text, page, tuple(bbox), confidence=conf)
            for r, c, rs, cs, text, page, bbox, conf in t["cells"]
        )
        items.append(
            Table(
                cells,
                t["nrows"],
                t["ncols"],
                tuple(t["col_edges"]),
                tuple(t["row_pages"]),
                tuple(t["first_bbox"]),
                tuple(t["last_bbox"]),
                tuple(t["open_top"]),
                tuple(t["open_bottom"]),
                t["method"],
            )
        )
    return items


def _doc(items: list[Table | TextLine]) -> Document:
    infos = tuple(PageInfo(p, "sound", "ocr") for p in (2, 3, 4, 5))
    return Document("fax.pdf", "0" * 64, 5, infos, tuple(items), "2026年部门预算")


def test_project_continued_where_its_copy_reads_differently() -> None:
    # p.2 reads the name 经常性运转费水电 (0.87), p.3 经常性工转学费：水电 (0.51);
    # the amount 270.00 reads "1 270.0M" on p.2; the unit 万元 reads 力儿 there.
    # The department form's unit name reads 长沙职业行业どか (0.28) on p.4 and
    # K少果单为自地动南办お (0.39) on p.5: its code 20105h and 656.73 read alike.
    result = normalize(_doc(_items()))
    got = [(p.form_kind, p.first_page, p.last_page) for p in result.projects]
    assert got == [("project", 2, 3), ("department", 4, 5)]
    project, dept = result.projects
    assert len(project.indicators) == 12
    assert project.funds.annual_request == 2_700_000.0  # the copy's 270.00, in 万元 as p.3 prints
    assert project.annual_goal == "保障基地正常运转"  # p.3's reading (0.82), not p.2's 化向基地止常运转 (0.51)
    assert project.project_name == "经常性运转费水电"  # p.2's (0.87), not p.3's (0.51)
    assert {n.code for n in project.warnings} >= {"continued_as_read", "money_unit_elsewhere"}
    assert "no_money_unit" not in {n.code for n in project.warnings}
    assert any(n.code == "continued_as_read" and "p.5" in n.message for n in dept.warnings)
    # p.4's rows 生态环境成本指标 and 经济效益指标 print no indicator; a speck in
    # their value cells reads "°" and ".": blank rows, not indicators.
    assert len(dept.indicators) == 12
    assert all(i.level3 for i in dept.indicators)


def test_new_project_at_the_top_of_the_page_is_not_continued() -> None:
    # The same p.3 with another project's name read surely and another amount:
    # a project of the same unit (same code) that starts on the new page.
    items = _items()
    i, p3 = next((i, t) for i, t in enumerate(items) if isinstance(t, Table) and t.pages == (3,))
    other = {"经常性工转学费：水电": ("培训经费", 0.97), "270.00": ("35.00", 0.98)}
    cells = tuple(
        dataclasses.replace(c, text=other[c.text][0], confidence=other[c.text][1])
        if c.text in other and c.row == 2
        else c
        for c in p3.cells
    )
    items[i] = dataclasses.replace(p3, cells=cells)
    result = normalize(_doc(items))
    assert [(p.first_page, p.last_page) for p in result.projects][:2] == [(2, 2), (3, 3)]
    assert result.projects[1].project_name == "培训经费"
