"""The form model by its rules (issue 9), on hand-built grids: each test is a
structure seen in real budgets of cities jixiao was not shown, reduced to the
rule it tests. No file, department or city is named in the code under test."""

from __future__ import annotations

from gridkit import doc, line, one, table

from jixiao.normalize import normalize
from jixiao.normalize.document import clean_unit, document_facts

GRID = [0.0, 80.0, 160.0, 240.0, 420.0, 520.0]


def _grid_rows(names: list[tuple[str, str]]) -> list[list[tuple[str, int, int]]]:
    """一级/二级/三级/目标值 rows under a side label."""
    rows = [[("绩效目标指标", 1, len(names) + 1), one("一级指标"), one("二级指标"), one("三级指标"), one("目标值")]]
    for i, (name, value) in enumerate(names):
        if i == 0:
            rows.append([("产出指标", 1, len(names)), ("数量指标", 1, len(names)), one(name), one(value)])
        else:
            rows.append([one(name), one(value)])
    return rows


def _title_named_form(page: int, title: str, total: str, names: list[tuple[str, str]]):
    envelope = [
        [("专项资金情况（万元）", 1, 3), one("资金总额："), (total, 3, 1)],
        [one("财政拨款："), (total, 3, 1)],
        [one("其他资金："), ("0.00", 3, 1)],
        [one("项目实施期目标"), ("有效保障服务，提升水平。", 4, 1)],
    ]
    return [line(page, title), table(page, GRID, envelope + _grid_rows(names))]


def test_forms_named_by_their_title_are_each_a_form() -> None:
    # 泉州: "<名称>项目绩效目标表" over a table with no 项目名称 cell.
    items = [
        *_title_named_form(1, "市级机关保留公务用车委托管理费项目绩效目标表", "1778.31", [("预算执行率", "≥90%")]),
        *_title_named_form(2, "市行政中心保安服务项目绩效目标表", "4200.00", [("服务响应及时率", "≥90%"), ("安全事故发生数", "=0 起")]),
    ]
    r = normalize(doc(*items))
    assert [p.project_name for p in r.projects] == ["市级机关保留公务用车委托管理费", "市行政中心保安服务"]
    a, b = r.projects
    assert (a.year, a.department, a.form_kind) == (2026, "某市某局", "project")
    # A bare 资金总额 in a block that does not say 实施期: the year's budget, in yuan.
    assert (a.funds.annual_request, a.funds.annual_appropriation, a.funds.total) == (17_783_100.0, 17_783_100.0, None)
    assert a.overall_goal == "有效保障服务，提升水平。" and a.annual_goal is None
    assert [(i.level1, i.level2, i.level3, i.value_raw) for i in b.indicators] == [
        ("产出指标", "数量指标", "服务响应及时率", "≥90%"),
        ("产出指标", "数量指标", "安全事故发生数", "=0 起"),
    ]
    codes = {n.code for n in a.warnings}
    assert {"name_from_title", "department_from_document"} <= codes
    assert r.skipped == ()


def test_envelope_table_then_a_grid_that_repeats_the_side_label() -> None:
    # Another generator: the envelope ends the first page; the next page opens with
    # the 项目绩效目标 side label beside the grid.
    envelope = table(
        1,
        [0.0, 120.0, 520.0],
        [
            [one("项目名称"), one("信息化建设项目")],
            [one("主管部门"), one("某市大数据局")],
            [one("年度目标"), one("建成平台。")],
        ],
    )
    grid = table(
        2,
        GRID,
        [
            [("项目绩效目标", 1, 3), one("一级指标"), one("二级指标"), one("三级指标"), one("指标值")],
            [("产出指标", 1, 2), ("数量指标", 1, 2), one("系统数量"), one("≥2个")],
            [one("上线率"), one("100%")],
        ],
    )
    r = normalize(doc(envelope, grid))
    (p,) = r.projects
    assert p.project_name == "信息化建设项目" and p.department == "某市大数据局"
    assert [(i.level3, i.value, i.value_unit, i.page) for i in p.indicators] == [("系统数量", 2.0, "个", 2), ("上线率", 100.0, "%", 2)]
    assert not p.problems


def test_header_words_with_a_stray_glyph_and_a_value_marked_qualitative() -> None:
    # "计量。单位": the unit column is still the unit column; 定性 makes a label of "前三名".
    edges = [0.0, 100.0, 250.0, 300.0, 380.0, 440.0]
    t = table(
        1,
        edges,
        [
            [one("项目名称"), ("文化活动", 4, 1)],
            [one("绩效指标"), one("指标名称"), one("指标性质"), one("指标值"), one("计量。单位")],
            [one(""), one("活动场次"), one("≥"), one("12"), one("场")],
            [one(""), one("全省排名"), one("定性"), one("前三名"), one("")],
        ],
    )
    (p,) = normalize(doc(t)).projects
    a, b = p.indicators
    assert (a.value_raw, a.operator, a.value, a.value_unit) == ("≥12场", ">=", 12.0, "场")
    assert (b.value_raw, b.value_kind, b.label, b.value) == ("前三名", "qualitative", "前三名", None)


def test_a_blank_template_is_no_form_and_is_listed() -> None:
    t = table(
        1,
        GRID,
        [
            [one("项目名称"), ("", 4, 1)],
            *_grid_rows([("", ""), ("", "")]),
        ],
    )
    r = normalize(doc(line(1, "表16 专项资金总体绩效目标表"), t))
    assert r.projects == ()
    assert len(r.skipped) == 1 and "blank template" in r.skipped[0]


def test_a_cover_on_three_lines_names_year_and_unit() -> None:
    t = table(1, GRID, [[one("项目名称"), ("商务发展专项", 4, 1)], *_grid_rows([("展会场次", "≥3场")])])
    d = doc(t, cover="2026 年度\n福州市商务局\n部门预算\n")
    facts = document_facts(d)
    assert (facts.year, facts.publisher) == (2026, "福州市商务局")
    (p,) = normalize(d).projects
    assert (p.year, p.department) == (2026, "福州市商务局")


def test_a_unit_from_the_cover_loses_margin_marks_codes_and_level_suffix() -> None:
    assert clean_unit(".长春市信访局（本级）") == "长春市信访局"
    assert clean_unit("105001 某市审计局") == "某市审计局"
    d = doc(table(1, GRID, [[one("项目名称"), ("信访专项", 4, 1)], *_grid_rows([("接访人次", "≥100人次")])]), cover=".长春市信访局（本级）\n2026年部门预算\n")
    assert normalize(d).projects[0].department == "长春市信访局"


def test_a_form_title_names_no_table_number_as_its_unit() -> None:
    """A form's title ("表十2026年部门整体绩效目标表", as a scan's page reads
    it) names the unit only where it prints one, before the form's words;
    its table number is no unit."""
    from jixiao.normalize.document import publisher_of

    assert publisher_of(["表十2026年部门整体绩效目标表"]) == ""
    assert publisher_of(["表14 2026年西安市审计局部门专项业务经费绩效目标表"]) == "西安市审计局"
    assert publisher_of(["表3-1 2026年长沙市信访局项目绩效目标表"]) == "长沙市信访局"
    assert publisher_of(["2026年重庆市气象局部门整体支出绩效目标表"]) == "重庆市气象局"
    assert publisher_of(["2026年烟台市民政局部门预算"]) == "烟台市民政局"
    # Labelled fields before a title, or on the line above it, are those fields (a
    # scan's free lines joined: 单位名称 names the unit that fills the form, 单位 the money).
    assert publisher_of(["单位名称：长沙职业教育基地综合协调办公室单位：万元2026年项目支出绩效目标表"]) == ""
    assert publisher_of(["单位：万元", "2026年项目支出绩效目标表"]) == ""
    assert publisher_of(["长沙市信访局", "2026 年部门预算公开"]) == "长沙市信访局"


def test_no_year_anywhere_is_year_0_with_a_warning() -> None:
    d = doc(table(1, GRID, [[one("项目名称"), ("某专项", 4, 1)], *_grid_rows([("人次", "≥1人次")])]), cover="某局\n")
    (p,) = normalize(d).projects
    assert p.year == 0 and "no budget year printed: filed under year=0" in p.problems


def test_funds_by_what_the_labels_say_in_stacked_blocks() -> None:
    # 实施期资金总额 and 年度资金总额 blocks stacked in one column pair; each 其中：财政拨款
    # belongs to the head above it; "(万元)" in the block label converts both.
    edges = [0.0, 90.0, 200.0, 520.0]
    t = table(
        1,
        edges,
        [
            [one("项目名称"), ("示范项目", 2, 1)],
            [("项目资金（万元）", 1, 4), one("实施期资金总额"), one("300")],
            [one("其中：财政拨款"), one("280")],
            [one("年度资金总额"), one("120")],
            [one("其中：财政拨款"), one("100")],
            [one("一级指标"), one("三级指标"), one("指标值")],
            [one("产出指标"), one("培训人数"), one("≥100人")],
        ],
    )
    (p,) = normalize(doc(t)).projects
    f = p.funds
    assert (f.total, f.total_fiscal, f.annual_request, f.annual_appropriation) == (3e6, 2.8e6, 1.2e6, 1e6)


def test_serialized_indicators_under_a_goal_header_and_a_bare_name_column() -> None:
    # 广州 variant: 项目 | 预算数 | 绩效目标, the serialized list inside the 绩效目标 cell.
    cell = (
        "提升监管水平。绩效指标：1.1－产出指标，11－数量指标，检查次数；实施周期指标值：≥12次，年度指标值：≥12次；"
        "2.3－满意度指标，31－服务对象满意度，群众满意度；实施周期指标值：≥90%，年度指标值：≥90%"
    )
    t = table(
        1,
        [0.0, 150.0, 220.0, 600.0],
        [
            [one("项目"), one("预算数（万元）"), one("绩效目标")],
            [one("环境监管专项"), one("12.5"), one(cell)],
        ],
    )
    r = normalize(doc(line(1, "2026年项目支出绩效目标表"), t))
    (p,) = r.projects
    assert (p.project_name, p.layout, p.funds.annual_request) == ("环境监管专项", "guangdong-serialized", 125_000.0)
    assert p.annual_goal == "提升监管水平。"
    assert [(i.level1, i.level3, i.horizon, i.value_raw) for i in p.indicators] == [
        ("产出指标", "检查次数", "period", "≥12次"),
        ("产出指标", "检查次数", "annual", "≥12次"),
        ("满意度指标", "群众满意度", "period", "≥90%"),
        ("满意度指标", "群众满意度", "annual", "≥90%"),
    ]


def test_rows_that_cannot_carry_on_the_grid_are_reported() -> None:
    form = table(1, GRID, [[one("项目名称"), ("示范项目", 4, 1)], *_grid_rows([("培训人数", "≥100人")])])
    # Next page: a grid without header whose columns match none of the form's.
    stray = table(2, [0.0, 300.0, 350.0, 600.0], [[one("满意度"), one("≥90%"), one("")], [one("完成率"), one("≥95%"), one("")]])
    (p,) = normalize(doc(form, stray)).projects
    assert [i.level3 for i in p.indicators] == ["培训人数"]
    assert p.problems == ("p.2: a table of indicator-like rows after the form does not carry on its columns: not read",)


def test_forms_without_a_year_take_the_year_the_other_forms_print() -> None:
    # No cover year; one form prints "(2026年度)", the next prints none.
    dept = [one("主管部门"), ("某市某局", 4, 1)]
    a = table(1, GRID, [[one("项目名称"), ("甲专项", 4, 1)], dept, *_grid_rows([("人次", "≥1人次")])])
    b = table(2, GRID, [[one("项目名称"), ("乙专项", 4, 1)], dept, *_grid_rows([("场次", "≥2场")])])
    r = normalize(doc(line(1, "（2026年度）"), a, b, cover="某局\n"))
    assert [p.year for p in r.projects] == [2026, 2026]
    assert not any(p.problems for p in r.projects)


def test_header_words_with_a_qualifier_and_a_target_value_header() -> None:
    # "三级指标名称" is the 三级指标 column, "年度目标值" the value column.
    t = table(
        1,
        [0.0, 100.0, 200.0, 400.0, 520.0],
        [
            [one("项目名称"), ("示范项目", 3, 1)],
            [one("一级指标"), one("二级指标"), one("三级指标名称"), one("年度目标值")],
            [one("产出指标"), one("数量指标"), one("培训人数"), one("≥100人")],
        ],
    )
    (p,) = normalize(doc(t)).projects
    assert [(i.level1, i.level3, i.value, i.horizon) for i in p.indicators] == [("产出指标", "培训人数", 100.0, "annual")]


def test_a_goal_above_a_continuation_grid_keeps_the_funds_unit() -> None:
    # Funds in 万元 on the first page; the next page repeats only a goal over the grid.
    envelope = table(
        1,
        [0.0, 120.0, 520.0],
        [[one("项目名称"), one("示范项目")], [one("年度资金总额（万元）"), one("12.5")]],
    )
    grid = table(2, GRID, [[one("当年绩效目标"), ("完成建设。", 4, 1)], *_grid_rows([("培训人数", "≥100人")])])
    (p,) = normalize(doc(envelope, grid)).projects
    assert (p.funds.annual_request, p.annual_goal, len(p.indicators)) == (125_000.0, "完成建设。", 1)
    assert "no_money_unit" not in {n.code for n in p.warnings}
