"""Every 绩效目标表 family: forms found, and hand-checked forms read exactly.

Each PDF is read once per module (module-scoped cache). Form counts are
established independently of the table reader -- from the raw page text
(pypdfium2) or from lists the document prints elsewhere -- as each test says.
Expected files: tests/fixtures/expected/<pdf-stem>.json (see familycmp.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from familycmp import compare, load_expected
from goldcmp import compare as gold_compare
from goldcmp import exact as gold_exact
from goldcmp import load_gold
from gridkit import doc as _doc
from gridkit import line as _line
from gridkit import table as _table

from jixiao.extract import read_pdf
from jixiao.normalize import DocumentResult, normalize, page_wanted
from jixiao.normalize.families import common, guangdong

PDFS = Path(__file__).parent / "fixtures" / "pdfs"
CENTRAL = "02-central-guojiaxinfangju-2026-dept-budget.pdf"
SHANDONG = "05-yantai-minzhengju-2026-dept-budget.pdf"
HUNAN = "06-changsha-xinfangju-2026-dept-budget.pdf"
CHONGQING = "09-chongqing-shuiliju-2026-dept-budget.pdf"
GUANGDONG = "10-guangzhou-shengtaihuanjing-2026-project-targets.pdf"
SYNTHETIC = "template-2015-synthetic.pdf"


@pytest.fixture(scope="module")
def results() -> dict[str, DocumentResult]:
    """Each PDF read and normalized at most once in this module."""
    return {}


def _result(results: dict[str, DocumentResult], name: str) -> DocumentResult:
    if name not in results:
        results[name] = normalize(read_pdf(PDFS / name, wanted=page_wanted))
    return results[name]


def _page_texts(name: str) -> list[str]:
    doc = pdfium.PdfDocument(PDFS / name)
    try:
        out = []
        for page in doc:
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
        return out
    finally:
        doc.close()


def _compact(text: str) -> str:
    return "".join(text.split())


# --- form counts, established without the table reader ------------------------------
def test_central_count(results: dict[str, DocumentResult]) -> None:
    # Each central form prints its title "<项目>绩效目标表" right above "（2026年度）".
    texts = _page_texts(CENTRAL)
    independent = sum(len(re.findall(r"绩效目标表[（(]2026年度[)）]", _compact(t))) for t in texts)
    assert independent == 3
    r = _result(results, CENTRAL)
    assert len(r.projects) == independent
    assert {p.layout for p in r.projects} == {"central"}
    assert [p.first_page for p in r.projects] == [30, 31, 32]


def test_shandong_count(results: dict[str, DocumentResult]) -> None:
    # Every form (专项资金 or 政策和项目) has exactly one 主管部门 label; count the
    # label on pages that carry an indicator header: 1 专项资金 + 20 项目 (the 20 rows
    # of the 项目支出预算情况表 on pp.26-27).
    texts = _page_texts(SHANDONG)
    independent = sum(t.count("主管部门") for t in texts if "三级指标" in t)
    assert independent == 21
    r = _result(results, SHANDONG)
    assert len(r.projects) == independent
    assert {p.layout for p in r.projects} == {"shandong"}
    assert r.projects[0].project_name == "惠民殡葬补助资金"
    assert [p.first_page for p in r.projects] == list(range(33, 54))


def test_hunan_count(results: dict[str, DocumentResult]) -> None:
    # The budget narrative lists the projects: "一般公共服务支出417.41万元，主要用于
    # A、B、C、D等。"; plus the one 部门整体支出绩效目标表 (its title is printed on
    # each of its pages, pp.30-32, and in the table of contents).
    texts = [_compact(t) for t in _page_texts(HUNAN)]
    listed: list[str] = []
    for t in texts:
        m = re.search(r"支出[\d.,]+万元，主要用于(.*?)等。", t)
        if m and "专项" in m.group(1):
            listed = m.group(1).split("、")
    assert len(listed) == 4
    r = _result(results, HUNAN)
    assert len(r.projects) == len(listed) + 1
    assert {p.project_name for p in r.projects} == set(listed) | {"部门整体支出"}
    assert {p.layout for p in r.projects} == {"hunan-wide"}


def test_chongqing_count(results: dict[str, DocumentResult]) -> None:
    # One 指标性质 header per table (表十 部门整体, 表十一 ×2, 表十二 list); the
    # 表十二 list holds one project (序号 1 only, checked on the page image).
    texts = _page_texts(CHONGQING)
    independent = sum(t.count("指标性质") for t in texts)
    assert independent == 4
    r = _result(results, CHONGQING)
    assert len(r.projects) == independent
    assert [p.layout for p in r.projects] == ["split-column", "split-column", "split-column", "chongqing-list"]


def test_guangdong_count(results: dict[str, DocumentResult]) -> None:
    # Every project's serialized 绩效指标 cell starts with item 1: "1.<code>－".
    texts = [" ".join(t.split()) for t in _page_texts(GUANGDONG)]
    independent = sum(len(re.findall(r"(?<![\d.、])1[.．] ?[1-4] ?[－-]", t)) for t in texts)
    assert independent == 300
    r = _result(results, GUANGDONG)
    assert len(r.projects) == independent
    assert {p.layout for p in r.projects} == {"guangdong-serialized"}
    # Their 总计 add up to the printed 合计 37,367.86 万元, up to the rounding of the
    # printed unit subtotals (0.01 万元 each).
    total = sum(p.funds.annual_request or 0.0 for p in r.projects)  # a one-year budget's 总计
    assert abs(total - 373_678_600.0) < 2_000.0
    # One row per indicator and horizon.
    for p in r.projects:
        horizons = [i.horizon for i in p.indicators]
        assert horizons.count("period") == horizons.count("annual"), p.project_name


# --- hand-checked forms ----------------------------------------------------------------
@pytest.mark.parametrize("name", [CENTRAL, SHANDONG, HUNAN, CHONGQING, GUANGDONG, SYNTHETIC])
def test_expected_forms(results: dict[str, DocumentResult], name: str) -> None:
    expected = load_expected(name[: -len(".pdf")])
    assert len(expected["projects"]) >= 3
    cmp = compare(_result(results, name), expected)
    assert cmp.exact, cmp.report()


# --- the 2015 template, self-evaluations and unknown families (synthetic PDF) ------------
def test_synthetic_fixture_is_reproducible() -> None:
    from synthetic_pdf import OUT, build

    assert OUT.read_bytes() == build(), "run .venv/bin/python tests/synthetic_pdf.py"


def test_left_out_tables_are_reported(results: dict[str, DocumentResult]) -> None:
    r = _result(results, SYNTHETIC)
    assert [p.layout for p in r.projects] == ["template-2015"] * 3
    assert r.skipped == (
        "p.4: 自评表 (实际完成值, 得分, 偏差原因)",
        "p.5: target-like table of no known family (headers: 一级指标, 二级指标, 考核要点, 评分方法)",
    )


# --- Shanghai stays exact --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pdf", "gold"),
    [
        ("shpf-2023.pdf", "shpf-2023.json"),
        ("shpf-2023-libreoffice.pdf", "shpf-2023.json"),
        ("01-sh-putuo-wanli-2023-dept-budget.pdf", "real-sh-putuo-wanli-2023.json"),
    ],
)
def test_shanghai_still_exact(results: dict[str, DocumentResult], pdf: str, gold: str) -> None:
    r = _result(results, pdf)
    cmp = gold_compare(r, load_gold(gold))
    assert gold_exact(cmp), cmp.report()
    assert {p.layout for p in r.projects} == {"sh-declaration"}
    assert r.skipped == ()


# --- small parts -------------------------------------------------------------------------
def test_serialized_cell() -> None:
    cell = (
        "1.1－产出指标，11－数量指标，项目专职环保员数量；实施周期指标值：≦核定人数，年度指标值：≦核定人数；"
        "2、1－产出指标，12－质量指标，专职环保员队伍管理规范化；实施周期指标值：考察是否符合规范，合规得满分。年度指标值：是；"
        "1、2－效益指标，23－生态效益，分区管控成果应用，为决策提供支撑；实施周期指标值：≥80%，年度指标值：7、"
        "3－满意度指标，31－服务对象满意度，满意度；实施周期指标值》90%，年度指标值》90%;"
    )
    assert guangdong.parse_serialized(cell) == [
        ("产出指标", "数量指标", "项目专职环保员数量", "period", "≦核定人数"),
        ("产出指标", "数量指标", "项目专职环保员数量", "annual", "≦核定人数"),
        ("产出指标", "质量指标", "专职环保员队伍管理规范化", "period", "考察是否符合规范，合规得满分。"),
        ("产出指标", "质量指标", "专职环保员队伍管理规范化", "annual", "是"),
        ("效益指标", "生态效益", "分区管控成果应用，为决策提供支撑", "period", "≥80%"),
        ("效益指标", "生态效益", "分区管控成果应用，为决策提供支撑", "annual", ""),
        ("满意度指标", "服务对象满意度", "满意度", "period", "》90%"),
        ("满意度指标", "服务对象满意度", "满意度", "annual", "》90%"),
    ]


@pytest.mark.parametrize(
    ("op", "value", "unit", "raw"),
    [
        ("≥", "95", "%", "≥95%"),
        ("＝", "4", "人次", "＝4人次"),
        ("定性", "按时", "", "按时"),
        ("定性", "无", "", "无"),
        ("≥", "≥95", "%", "≥95%"),
        ("≤", "核定人数", "人", "≤核定人数"),
        ("", "", "%", ""),
    ],
)
def test_compose_value(op: str, value: str, unit: str, raw: str) -> None:
    assert common.compose_value(op, value, unit) == raw


@pytest.mark.parametrize(
    ("cover", "publisher"),
    [
        ("国家信访局 2026 年度部门预算\r\n二〇二六年三月", "国家信访局"),
        ("2026年烟台市民政局部门预算", "烟台市民政局"),
        ("长沙市信访局\r\n2026 年部门预算公开", "长沙市信访局"),
        ("— 1 —\r\n重庆市水利局 2026 年部门预算情况说明\r\n一、单位基本情况", "重庆市水利局"),
        ("上海市普陀区2023年区级部门预算\r\n预算主管部门：上海市普陀区人民政府万里街道办事处", "上海市普陀区人民政府万里街道办事处"),
        ("2026 年度\n福州市商务局\n部门预算", "福州市商务局"),  # one title on three lines
        (".长春市信访局（本级）\n2026年部门预算", "长春市信访局"),  # margin mark and level suffix
        ("西安市信访局（汇总）2026年部门预算公开说明", "西安市信访局"),
        ("西安市人民政府国有资产监督管理委员会2022年部门综合预算", "西安市人民政府国有资产监督管理委员会"),
    ],
)
def test_publisher(cover: str, publisher: str) -> None:
    from jixiao.normalize.document import document_facts

    assert document_facts(_doc(cover=cover)).publisher == publisher


def test_form_titles_name_no_publisher_and_a_department_form_its_unit(tmp_path: Path) -> None:
    """重庆市气象局's target pages without the budget's first page (as a scan
    reads them: the prose page is not OCR'd). "2026年市级一般性项目绩效目标表"
    names the form's kind after its year, not a unit; the department-wide
    form's 单位名称 (重庆市气象局) is its department when nothing else names one."""
    import pikepdf

    from jixiao.normalize.document import publisher_of

    assert publisher_of(["表十二", "2026 年市级一般性项目绩效目标表（一级项目）"]) == ""
    assert publisher_of(["西安市审计局2026年项目绩效目标表"]) == "西安市审计局"
    src = Path(__file__).parent / "fixtures" / "pdfs" / "004_重庆_2026年重庆市气象局部门预算.pdf"
    with pikepdf.open(src) as pdf:
        keep = [pdf.pages[i] for i in (18, 19, 21)]  # pp.19, 20, 22
        out = pikepdf.new()
        out.pages.extend(keep)
        out.save(tmp_path / "cq.pdf")
    result = normalize(read_pdf(tmp_path / "cq.pdf"))
    assert [(p.form_kind, p.department) for p in result.projects] == [("department", "重庆市气象局"), ("project", "重庆市气象局")]


def test_a_line_label_without_its_colon() -> None:
    """A fax loses the colon of "单位名称：重庆市气象局"; a long label opening the
    line still says it. A short one (单位) opens other words too: not without it."""
    assert common.line_fields("单位名称重庆市气象局") == {"单位名称": "重庆市气象局"}
    assert common.line_fields("资金主管部门重庆市气象局") == {"资金主管部门": "重庆市气象局"}
    assert common.line_fields("部门名称：长沙市信访局单位：万元") == {"部门名称": "长沙市信访局", "单位": "万元"}
    assert common.line_fields("单位职能为本行政区域") == {}
    assert common.line_fields("2026年某单位名称项目绩效目标表") == {}


def test_department_code_is_dropped() -> None:
    assert common.strip_code("[292]国家信访局") == "国家信访局"
    assert common.strip_code("233_烟台市民政局") == "烟台市民政局"
    assert common.strip_code("国家信访局") == "国家信访局"
    assert common.strip_code("（101）某局") == "某局"
    assert common.strip_code("2026年度专项") == "2026年度专项"


# --- page breaks that repeat no header (hand-built grids) --------------------------------
def test_wide_table_continued_without_header() -> None:
    edges = [0.0, 100.0, 150.0, 250.0, 300.0, 350.0, 450.0, 480.0, 520.0, 560.0, 600.0]
    one = lambda t: (t, 1, 1)
    head = [
        one(h)
        for h in (
            "项目名称",
            "资金总额",
            "绩效目标",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标值类型",
            "指标值",
            "度量单位",
            "备注",
        )
    ]
    p1 = _table(
        1,
        edges,
        [
            head,
            [one("某单位"), one("30.00"), one(""), one(""), one(""), one(""), one(""), one(""), one(""), one("")],
            [
                ("甲项目", 1, 3),
                ("30.00", 1, 3),
                ("甲目标", 1, 3),
                ("产出指标", 1, 2),
                one("数量指标"),
                one("培训人数"),
                one("≥"),
                one("100"),
                one("人"),
                one("20"),
            ],
            [one("质量指标"), one("合格率"), one("≥"), one("95"), one("%"), one("10")],
            [one("效益指标"), one("社会效益指标"), one("群众知晓度"), one("定性"), one("提高"), one(""), one("10")],
        ],
    )
    p2 = _table(
        2,
        edges,
        [
            [
                ("", 1, 1),
                ("", 1, 1),
                ("", 1, 1),
                one("满意度指标"),
                one("服务对象满意度指标"),
                one("满意度"),
                one("≥"),
                one("90"),
                one("%"),
                one("10"),
            ],
            [
                one("乙项目"),
                one("5.00"),
                one("乙目标"),
                one("成本指标"),
                one("经济成本指标"),
                one("总成本"),
                one("≤"),
                one("5"),
                one("万元"),
                one("20"),
            ],
        ],
    )
    r = normalize(_doc(_line(1, "2026年项目支出绩效目标表"), _line(1, "部门名称：某局 单位：万元"), p1, p2))
    assert [(p.project_name, p.layout, p.implementing_unit, p.department) for p in r.projects] == [
        ("甲项目", "hunan-wide", "某单位", "某局"),
        ("乙项目", "hunan-wide", "某单位", "某局"),
    ]
    a, b = r.projects
    assert [(i.level3, i.value_raw, i.weight, i.page) for i in a.indicators] == [
        ("培训人数", "≥100人", 20.0, 1),
        ("合格率", "≥95%", 10.0, 1),
        ("群众知晓度", "提高", 10.0, 1),
        ("满意度", "≥90%", 10.0, 2),
    ]
    assert a.funds.annual_request == 300_000.0 and a.annual_goal == "甲目标" and a.year == 2026
    assert any(n.code == "rows_without_name" and "without a project name" in n.message for n in a.warnings)
    assert [(i.level1, i.value_raw) for i in b.indicators] == [("成本指标", "≤5万元")]


def test_label_form_continued_without_header() -> None:
    edges = [0.0, 60.0, 140.0, 240.0, 420.0, 520.0]
    one = lambda t: (t, 1, 1)
    p1 = _table(
        1,
        edges,
        [
            [one("项目名称"), ("丙项目", 4, 1)],
            [one("主管部门"), ("某局", 2, 1), one("实施单位"), one("某中心")],
            [one("项目资金（万元）"), ("年度资金总额", 2, 1), ("12.5", 2, 1)],
            [one("年度总体目标"), ("完成任务。", 4, 1)],
            [("绩效指标", 1, 3), one("一级指标"), one("二级指标"), one("三级指标"), one("指标值")],
            [("产出指标", 1, 2), ("数量指标", 1, 2), one("场次"), one("≥4场")],
            [one("人次"), one("≥200人次")],
        ],
    )
    p2 = _table(2, edges, [[one(""), one(""), one("质量指标"), one("合格率"), one("=100%")]])
    r = normalize(_doc(_line(1, "丙项目绩效目标表"), _line(1, "（2026年度）"), p1, p2))
    (p,) = r.projects
    assert (p.project_name, p.layout, p.department, p.implementing_unit) == ("丙项目", "shandong", "某局", "某中心")
    assert p.funds.annual_request == 125_000.0 and p.annual_goal == "完成任务。" and p.year == 2026
    assert [(i.level1, i.level2, i.level3, i.value_raw, i.page) for i in p.indicators] == [
        ("产出指标", "数量指标", "场次", "≥4场", 1),
        ("产出指标", "数量指标", "人次", "≥200人次", 1),
        ("产出指标", "质量指标", "合格率", "=100%", 2),
    ]
    assert (p.first_page, p.last_page) == (1, 2)


def test_a_wide_tables_repeated_header_misread_is_no_project() -> None:
    """A scan's next page prints the header again and OCR misreads a word of
    it (单位（项Ⅱ）名称), so it is no longer taken for the header: a row whose
    name cell reads as the name column's header is still no project."""
    edges = [0.0, 100.0, 150.0, 250.0, 300.0, 350.0, 450.0, 480.0, 520.0, 560.0]
    one = lambda t: (t, 1, 1)
    words = ("单位（项目）名称", "资金总额", "绩效目标", "一级指标", "二级指标", "三级指标", "指标值类型", "指标值", "度量单位")
    row = lambda *c: [one(x) for x in c]
    p1 = _table(1, edges, [row(*words), row("甲项目", "30.00", "甲目标", "产出指标", "数量指标", "培训人数", "≥", "100", "人")])
    misread = ("单位（项Ⅱ）名称", "资金总额", "绩效目标", "级指你", "二级指杯", "三级招标", "指标值类型", "指标值", "度量单位")
    p2 = _table(2, edges, [row(*misread), row("乙项目", "5.00", "乙目标", "成本指标", "经济成本指标", "总成本", "≤", "5", "万元")])
    r = normalize(_doc(_line(1, "2026年项目支出绩效目标表"), _line(1, "部门名称：某局 单位：万元"), p1, p2))
    assert [p.project_name for p in r.projects] == ["甲项目", "乙项目"]


def test_a_speck_in_a_scanned_unit_row_makes_no_project() -> None:
    """A wide table's unit row (编码 | 单位 | 资金, no indicator) on a fax,
    a speck read as "1" in its value cell: still the unit row, not a project."""
    from dataclasses import replace

    edges = [0.0, 100.0, 150.0, 250.0, 300.0, 350.0, 450.0, 480.0, 520.0, 560.0]
    one = lambda t: (t, 1, 1)
    row = lambda *c: [one(x) for x in c]
    words = ("单位（项目）名称", "资金总额", "绩效目标", "一级指标", "二级指标", "三级指标", "指标值类型", "指标值", "度量单位")
    grid = _table(1, edges, [
        row(*words),
        row("某单位", "30.00", "", "", "", "", "", "1", ""),
        row("甲项目", "30.00", "甲目标", "产出指标", "数量指标", "培训人数", "≥", "100", "人"),
    ])
    scanned = replace(grid, cells=tuple(replace(c, confidence=0.9) for c in grid.cells), method="ocr")
    lines = (_line(1, "2026年项目支出绩效目标表"), _line(1, "部门名称：某局 单位：万元"))
    r = normalize(_doc(*lines, scanned))
    assert [(p.project_name, p.implementing_unit) for p in r.projects] == [("甲项目", "某单位")]
