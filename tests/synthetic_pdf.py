"""A small synthetic PDF of the 2015-era 项目支出绩效目标表 family (no real PDF of
it is at hand), plus a self-evaluation table and a target-like table of no
known family, to test how normalize treats them.

Written by hand with no PDF library: ruled cells (stroked rectangles) and text
in the standard CJK font STSong-Light (UniGB-UCS2-H, not embedded; every glyph
one em wide), which pdfminer and pdfium both decode. Deterministic, so the
committed fixture can be checked against a fresh build:

    .venv/bin/python tests/synthetic_pdf.py   # rewrites tests/fixtures/pdfs/template-2015-synthetic.pdf
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).parent / "fixtures" / "pdfs" / "template-2015-synthetic.pdf"
PAGE_W, PAGE_H = 595.0, 842.0
SIZE = 9.0  # font size: every glyph is SIZE wide
LEADING = 12.0
PAD = 3.0


@dataclass
class C:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def _hex(s: str) -> str:
    return s.encode("utf-16-be").hex()


def _text(x: float, top: float, s: str, size: float = SIZE) -> str:
    return f"BT /F1 {size:g} Tf {x:.2f} {PAGE_H - top - size * 0.88:.2f} Td <{_hex(s)}> Tj ET\n"


_TOKEN = re.compile(r"[0-9A-Za-z.%\-]+|.", re.DOTALL)


def _wrap(s: str, width: float) -> list[str]:
    """Greedy wrap that never breaks inside a run of Latin letters/digits."""
    per = max(1, int((width - 2 * PAD) // SIZE))
    out: list[str] = []
    for para in s.split("\n"):
        line = ""
        for tok in _TOKEN.findall(para):
            if line and len(line) + len(tok) > per:
                out.append(line)
                line = ""
            line += tok
        out.append(line)
    return out


def table_ops(top: float, xs: list[float], cells: list[C]) -> tuple[str, float]:
    """Draw a ruled table whose fine columns are ``xs``; returns (ops, bottom)."""
    nrows = max(c.row + c.rowspan for c in cells)
    heights = [LEADING + 2 * PAD] * nrows
    for c in cells:  # a row is as tall as its tallest one-row cell
        if c.rowspan == 1:
            lines = len(_wrap(c.text, xs[c.col + c.colspan] - xs[c.col]))
            heights[c.row] = max(heights[c.row], lines * LEADING + 2 * PAD)
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)
    ops = "0.6 w\n"
    for c in cells:
        x0, x1 = xs[c.col], xs[c.col + c.colspan]
        y0, y1 = ys[c.row], ys[c.row + c.rowspan]
        ops += f"{x0:.2f} {PAGE_H - y1:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re S\n"
        for i, line in enumerate(_wrap(c.text, x1 - x0)):
            ops += _text(x0 + PAD, y0 + PAD + i * LEADING, line)
    return ops, ys[-1]


def _pdf(pages: list[str]) -> bytes:
    objs: list[bytes] = []

    def add(b: bytes | None) -> int:
        objs.append(b or b"")
        return len(objs)

    font, cid, desc, pages_id = add(None), add(None), add(None), add(None)
    objs[font - 1] = (
        f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        f"/DescendantFonts [{cid} 0 R] >>"
    ).encode()
    objs[cid - 1] = (
        f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        f"<< /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor {desc} 0 R /DW 1000 >>"
    ).encode()
    objs[desc - 1] = (
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    kids = []
    for ops in pages:
        data = ops.encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
        kids.append(
            add(
                (
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W:g} {PAGE_H:g}] "
                    f"/Contents {content} 0 R /Resources << /Font << /F1 {font} 0 R >> >> >>"
                ).encode()
            )
        )
    objs[pages_id - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    catalog = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for o in offsets:
        out += f"{o:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _title(title: str, year_label: str) -> str:
    w = len(title) * 14.0
    ops = _text((PAGE_W - w) / 2, 50, title, 14)
    ops += _text((PAGE_W - len(year_label) * SIZE) / 2, 72, year_label)
    return ops


XS = [50.0, 122.0, 194.0, 266.0, 410.0, 482.0, 545.0]  # six fine columns


def _label_block(name: str, dept: str, unit: str, funds: tuple[str, ...], goals: list[tuple[str, str]]) -> list[C]:
    mid_total, mid_fiscal, mid_other, year_total, year_fiscal, year_other = funds
    cells = [
        C(0, 0, "项目名称"),
        C(0, 1, name, colspan=5),
        C(1, 0, "主管部门"),
        C(1, 1, dept, colspan=2),
        C(1, 3, "实施单位"),
        C(1, 4, unit, colspan=2),
        C(2, 0, "项目资金（万元）", rowspan=3),
        C(2, 1, "中期资金总额", colspan=2),
        C(2, 3, mid_total),
        C(2, 4, "年度资金总额"),
        C(2, 5, year_total),
        C(3, 1, "其中：财政拨款", colspan=2),
        C(3, 3, mid_fiscal),
        C(3, 4, "其中：财政拨款"),
        C(3, 5, year_fiscal),
        C(4, 1, "其他资金", colspan=2),
        C(4, 3, mid_other),
        C(4, 4, "其他资金"),
        C(4, 5, year_other),
    ]
    for i, (label, text) in enumerate(goals):
        cells += [C(5 + i, 0, label), C(5 + i, 1, text, colspan=5)]
    return cells


def _block(first_row: int, side: str, header: list[str], rows: list[tuple[str, ...]]) -> list[C]:
    """An indicator block: side label, header row, rows (level1, level2, content, value…);
    level1/level2 merged down over equal neighbours."""
    cells = [C(first_row, 0, side, rowspan=len(rows) + 1)]
    cells += [C(first_row, 1 + i, h) for i, h in enumerate(header)]
    r0 = first_row + 1
    for level in (0, 1):
        i = 0
        while i < len(rows):
            j = i
            while j + 1 < len(rows) and rows[j + 1][: level + 1] == rows[i][: level + 1]:
                j += 1
            cells.append(C(r0 + i, 1 + level, rows[i][level], rowspan=j - i + 1))
            i = j + 1
    for i, row in enumerate(rows):
        for k, text in enumerate(row[2:]):
            cells.append(C(r0 + i, 3 + k, text))
    return cells


GOAL_MID = "到2017年，全市社区养老服务设施覆盖率达到百分之九十以上，形成布局合理、功能完善的社区养老服务网络。"
GOAL_YEAR = "2015年新建社区养老服务站点二十个，为五千名以上老年人提供日间照料和助餐服务。"

FORM_A_LONG = [
    ("产出指标", "数量指标", "社区养老服务站点数", "≥60个", "三年累计"),
    ("产出指标", "质量指标", "站点验收合格率", "100%", ""),
    ("效益指标", "社会效益指标", "老年人生活质量", "明显改善", ""),
]
FORM_A_YEAR = [
    ("产出指标", "数量指标", "新建社区养老服务站点数", "≥20个", ""),
    ("产出指标", "数量指标", "服务老年人数", "≥5000人", "按季度统计"),
    ("产出指标", "时效指标", "站点建成时间", "2015年12月底前", ""),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", ""),
]
FORM_B = [
    ("产出指标", "数量指标", "培训养老护理员人数", "≥1500人次", "≥500人次"),
    ("效益指标", "社会效益指标", "持证上岗率", "≥80%", "≥60%"),
]
FORM_C = [
    ("产出指标", "数量指标", "发放高龄津贴人数", "≥12000人", ""),
    ("成本指标", "经济成本指标", "人均补贴标准（元/月）", "≤100", "按月发放"),
    ("满意度指标", "服务对象满意度指标", "受益老人满意度", "≥95%", ""),
]


def build() -> bytes:
    pages = []
    # p.1: form A, with a 长期 and a 年度 indicator block.
    cells = _label_block(
        "社区养老服务设施建设",
        "某市民政局",
        "某市养老服务指导中心",
        ("300.00", "280.00", "20.00", "120.00", "100.00", "20.00"),
        [("中期目标（2015年-2017年）", GOAL_MID), ("年度目标", GOAL_YEAR)],
    )
    header = ["一级指标", "二级指标", "指标内容", "指标值", "备注"]
    cells += _block(7, "长期绩效指标", header, FORM_A_LONG)
    cells += _block(8 + len(FORM_A_LONG), "年度绩效指标", header, FORM_A_YEAR)
    ops, _ = table_ops(95, XS, cells)
    pages.append(_title("项目支出绩效目标表", "（2015年度）") + ops)
    # p.2: form B, one value column per horizon.
    cells = _label_block(
        "养老护理员培训",
        "某市民政局",
        "某市社会福利院",
        ("90.00", "90.00", "0.00", "30.00", "30.00", "0.00"),
        [("年度目标", "全年培训养老护理员五百人次以上。")],
    )
    cells += _block(6, "绩效指标", ["一级指标", "二级指标", "指标内容", "中期指标值", "年度指标值"], FORM_B)
    ops, _ = table_ops(95, XS, cells)
    pages.append(_title("项目支出绩效目标表", "（2015年度）") + ops)
    # p.3: form C, header variant 目标值.
    cells = _label_block(
        "高龄老人津贴",
        "某市民政局",
        "某市老龄工作办公室",
        ("360.00", "360.00", "0.00", "120.00", "120.00", "0.00"),
        [("年度目标", "按时足额发放高龄津贴。")],
    )
    cells += _block(6, "年度绩效指标", ["一级指标", "二级指标", "指标内容", "目标值", "备注"], FORM_C)
    ops, _ = table_ops(95, XS, cells)
    pages.append(_title("项目支出绩效目标表", "（2015年度）") + ops)
    # p.4: a self-evaluation table (left out, reported).
    xs = [50.0, 110.0, 170.0, 270.0, 330.0, 390.0, 430.0, 470.0, 545.0]
    cells = [
        C(0, 0, "项目名称"),
        C(0, 1, "养老护理员培训", colspan=7),
        C(1, 0, "一级指标"),
        C(1, 1, "二级指标"),
        C(1, 2, "三级指标"),
        C(1, 3, "年度指标值"),
        C(1, 4, "实际完成值"),
        C(1, 5, "分值"),
        C(1, 6, "得分"),
        C(1, 7, "偏差原因分析"),
        C(2, 0, "产出指标"),
        C(2, 1, "数量指标"),
        C(2, 2, "培训人次"),
        C(2, 3, "≥500人次"),
        C(2, 4, "520人次"),
        C(2, 5, "20"),
        C(2, 6, "20"),
        C(2, 7, ""),
    ]
    ops, _ = table_ops(95, xs, cells)
    pages.append(_title("项目支出绩效自评表", "（2014年度）") + ops)
    # p.5: a target-like table of no known family (no value column).
    xs = [50.0, 150.0, 250.0, 400.0, 545.0]
    cells = [
        C(0, 0, "项目名称"),
        C(0, 1, "社区养老服务设施建设", colspan=3),
        C(1, 0, "一级指标"),
        C(1, 1, "二级指标"),
        C(1, 2, "考核要点"),
        C(1, 3, "评分方法"),
        C(2, 0, "产出指标"),
        C(2, 1, "数量指标"),
        C(2, 2, "站点建设进度"),
        C(2, 3, "按进度评分"),
    ]
    ops, _ = table_ops(95, xs, cells)
    pages.append(_title("项目绩效考核要点表", "（2015年度）") + ops)
    return _pdf(pages)


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(OUT, math.ceil(OUT.stat().st_size / 1024), "KB")
