"""normalize's help for OCR'd text (``normalize/ocrfix.py``) and the page-break
rule that gives rows their 一级/二级 when a merged cell prints its label on the
next page. The misreadings below are those a 150 dpi fax of the sample gave
(bench/bench_ocr.py --profiles fax); the page-break case is a real PDF's
pages 34-35, checked by eye."""

from __future__ import annotations

from pathlib import Path

from jixiao.extract import read_pdf
from jixiao.normalize import normalize, page_wanted
from jixiao.normalize.fields import period
from jixiao.normalize.ocrfix import (
    close_unit_bracket,
    dashes_as_equals,
    date_text,
    digit_gaps,
    form_labels,
    header_text,
    label_meanings,
    money_text,
    percent_as_digit,
    snap_grid_headers,
    snap_label,
    snap_levels,
    trim_specks,
    value_text,
)

PDFS = Path(__file__).parent / "fixtures" / "pdfs"


def _snap(text: str) -> str:
    return snap_label(text, form_labels(), label_meanings())[0]


def test_labels_snap_past_specks_synonyms_and_brackets() -> None:
    assert _snap(". :\n项目资金总静") == "项目资金总额"  # a speck line above the label
    assert _snap("·主管部门") == "主管部门"
    assert _snap("计划完成日期8") == "计划完成日期"  # one stray mark beside it
    # 主管部门 and 主管单位 mean the same: one lost character is not ambiguous between them.
    assert _snap("主管部") == "主管部门"
    # One edit from 项目总目标, two from 项目总金额: from five characters on, the nearer wins.
    assert _snap("项目总自标 (2023年-2023年)") == "项目总目标 (2023年-2023年)"
    assert _snap("其中财政务金") == "其中财政资金"
    # Never snapped: a label's own unit, a value, a short label two rivals are near.
    for kept in ("项目资金(元)", "2023年", "年度(/项目)指标值", "其中财政务宝", "专项业务费"):
        assert _snap(kept) == kept, kept
    # A header the form prints and jixiao leaves aside (长沙's 指标值内容) is no
    # misread 指标内容: snapped, it took the 三级指标 column's place.
    assert _snap("指标值内容") == "指标值内容"


def test_levels_snap_by_the_tree_and_the_page() -> None:
    rows = [
        ("产出指标", "效量指标", 3, True),  # 数量 or 质量? 质量 is another cell on this page
        ("产出指标", "效量指标", 3, True),
        ("产出指标", "质量指标", 3, True),
        ("欢益指标", "社会效益指标", 3, True),  # 效益 (1 edit) or 成本 (2): 社会效益 stands under 效益
        ("效益指标", "可持续影尊三标", 4, True),  # two edits, but the only 二级 of 效益 that near
        ("产出指标", "效量指标", 4, True),  # alone on its page: 数量 and 质量 stay possible
        ("欢益指标", "社会效益指标", 4, False),  # the text layer is never changed
        ("成本指标", "经济化本指ト", 5, True),  # 长沙's fax: ト is 标 misread, not a speck to strip
    ]
    got = [(a, b) for a, b, _ in snap_levels(rows)]
    assert got == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("产出指标", "质量指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "可持续影响指标"),
        ("产出指标", "效量指标"),
        ("欢益指标", "社会效益指标"),
        ("成本指标", "经济成本指标"),
    ]
    assert [bool(notes) for _, _, notes in snap_levels(rows)] == [True, True, False, True, True, False, False, True]


def test_values_lose_specks_and_keep_their_sign() -> None:
    assert trim_specks("·有效提升") == "有效提升"
    assert trim_specks("及时.") == "及时"
    assert trim_specks(". -服务大厅保洁工作计划完成率") == "服务大厅保洁工作计划完成率"
    assert trim_specks("项目验收通过率。.") == "项目验收通过率"
    assert value_text("=100.00(%) :") == ("=100.00(%)", None)
    assert value_text("=100.00(%) 8 8") == ("=100.00(%)", None)
    for read in ("=100.00%)", "=100.00±%)", "=100.00(9%)"):
        assert value_text(read)[0] == "=100.00(%)" and value_text(read)[1], read
    assert value_text("≥90.00(96)")[0] == "≥90.00(%)"
    assert value_text("≥95 (9)") == ("≥95 (%)", "OCR value '≥95 (9)' read as '≥95 (%)' (the percent unit's brackets)")
    for kept in ("-100.00(%)", "≥95 (%)", "=95%", "-5%", "=12.00(月)", "1 1有效完善"):
        assert value_text(kept) == (kept, None), kept


def test_a_dash_is_an_operator_first_forms_equals() -> None:
    """A fax loses the top bar of "=": on a form whose values open with an
    operator, "-100.00(%)" is "=100.00(%)" (with a note); where the form's
    values do not open with one, a dash stays what it is."""
    form = ["=100.00(%)", "-100.00(%)", "≥95(%)", "－ 12(月)", "及时", "-", "≤5(天)"]
    fixed = dashes_as_equals(form)
    assert [t for t, _ in fixed] == ["=100.00(%)", "=100.00(%)", "≥95(%)", "=12(月)", "及时", "-", "≤5(天)"]
    assert [k for k, (_, note) in enumerate(fixed) if note] == [1, 3]
    plain = ["-5%", "95%", "100%", "=100%"]  # one in four opens with an operator
    assert dashes_as_equals(plain) == [(v, None) for v in plain]
    assert dashes_as_equals([]) == []


def test_a_rates_percent_read_as_a_digit() -> None:
    """Faxes of 烟台's and 泉州's forms: "≥90%" read as "≥908" / "≥904", "100%" as "1003"."""
    assert percent_as_digit("≥908", "服务对象满意率")[0] == "≥90%"
    assert percent_as_digit("≥904", "信访部门来访事项及时受理率")[0] == "≥90%"
    assert percent_as_digit("1003", "政府采购项目合规率")[0] == "100%"
    assert percent_as_digit("≥ 958", "群众满意度")[0] == "≥95%"
    assert percent_as_digit("≥958", "群众满意度")[1] is not None  # the change is a warning
    # Not a rate, a rate that can be over 100, no room for a "%", or a unit already there.
    assert percent_as_digit("≥908", "宣传资料发放份数") == ("≥908", None)
    assert percent_as_digit("≥120", "增长率") == ("≥120", None)
    assert percent_as_digit("≥1000", "覆盖率") == ("≥1000", None)
    assert percent_as_digit("≥95", "满意度") == ("≥95", None)
    assert percent_as_digit("≥908人", "满意率") == ("≥908人", None)


def test_a_names_unit_bracket_left_open_is_closed() -> None:
    """Faxes of 西安审计局's forms: the name's thin closing bracket, last on its line, is lost."""
    assert close_unit_bracket("市内外勤经费标准（元/人/天")[0] == "市内外勤经费标准（元/人/天）"
    assert close_unit_bracket("提交审计报告和信息（篇 ")[0] == "提交审计报告和信息（篇）"
    assert close_unit_bracket("参与审计项目(个")[0] == "参与审计项目(个)"
    assert close_unit_bracket("提交审计报告和信息（篇")[1] is not None  # the change is a warning
    assert close_unit_bracket("满意度（%）") == ("满意度（%）", None)
    assert close_unit_bracket("用户满意度") == ("用户满意度", None)
    assert close_unit_bracket("（按照有关规定及时完成全部审计项目") == ("（按照有关规定及时完成全部审计项目", None)


def test_an_amount_with_gaps_is_flagged_not_guessed() -> None:
    """泉州's fax: 121.60 with its point lost reads "12 1 60". Where the money
    format puts no separator, the gap is doubt (a warning), never a guess."""
    assert digit_gaps("12 1 60") and digit_gaps("1 0.00")
    assert not digit_gaps("720 000.00")  # thousands: money_text puts the comma back
    assert not digit_gaps("121.60") and not digit_gaps("1,778.31")


def test_envelope_fields_lose_specks() -> None:
    assert header_text("project_nature", "其他一次性项目。") == "其他一次性项目"
    assert header_text("project_nature", "·其他一次性项目") == "其他一次性项目"
    assert header_text("department", "上，海市住房和城乡建设管理委员会") == "上海市住房和城乡建设管理委员会"
    # A project's name may list things: its commas stay.
    assert header_text("project_name", "设备购置、运维，及培训") == "设备购置、运维，及培训"


def test_dates_amounts_and_periods_as_a_fax_prints_them() -> None:
    assert date_text("2Q23-12 31")[0] == "2023-12-31"
    assert date_text("2023-010!")[0] == "2023-01-01"  # "!" for 1, the second hyphen lost
    assert date_text('2023·12·31 "')[0] == "2023-12-31"
    assert date_text("202 3-12-31") == ("2023-12-31", None)  # a blank in it: no change of reading
    assert date_text("2023-13-0!")[0] == "2023-13-0!"  # no month 13: left, the field stays null
    assert money_text("720,000:00")[0] == "720,000.00"
    assert money_text("720,000.00 4")[0] == "720,000.00"  # a speck beside it read as a digit
    assert money_text("。 . 3.666.483.00")[0] == "3,666,483.00"
    assert money_text(".0.00")[0] == "0.00"
    assert money_text("1 0.00") == ("1 0.00", None)  # 10.00 or a speck: not guessed
    assert period("项目总目标(2023年2023年)") == "2023年-2023年"
    assert period("2023 2024") is None


def test_merged_cell_labelled_on_the_next_page() -> None:
    """西安应急管理局 p.34 ends with 数量指标's 15 rows and 质量指标's first 4;
    the 产出指标 cell spanning both pages prints its label on p.35, and so
    does 质量指标. The rows of p.34 are 产出指标 all the same."""
    result = normalize(read_pdf(PDFS / "020_西安_应急管理局_2026年部门预算.pdf", wanted=page_wanted))
    form = result.projects[0]
    p34 = [i for i in form.indicators if i.page == 34]
    assert len(p34) == 19
    assert [i.level1 for i in p34] == ["产出指标"] * 19
    assert [i.level2 for i in p34] == ["数量指标"] * 15 + ["质量指标"] * 4
    back = [w for w in form.warnings if "carried back" in w.message and w.message.startswith("p.34:")]
    assert len(back) == 19  # every row of the page, four with their 二级 (质量指标) too
    assert sum("一级/二级" in w.message for w in back) == 4
    # p.36 ends 产出指标 (labelled on p.35) and starts 效益指标 (labelled on p.37): the
    # rows of the second cell are 效益指标, not carried on from 产出指标.
    p36 = [(i.level1, i.level2) for i in form.indicators if i.page == 36]
    assert p36[-7:] == [("效益指标", "经济效益指标")] + [("效益指标", "社会效益指标")] * 6
    assert {lv1 for lv1, _ in p36[:-7]} == {"产出指标"}


def _header(*texts: str, method: str = "ocr") -> tuple[str, ...]:
    """The header row (side label over two rows) after snap_grid_headers."""
    from dataclasses import replace

    from gridkit import table

    row = [("年度绩效指标", 1, 2), *((t, 1, 1) for t in texts)]
    body = [("产出指标", 1, 1), ("数量指标", 1, 1), ("审计项目数", 1, 1), ("≥10个", 1, 1), ("10", 1, 1)]
    grid = replace(table(1, [0, 40, 80, 120, 200, 260, 300], [row, body]), method=method)
    fixed = snap_grid_headers(grid)
    return tuple(c.text for c in sorted(fixed.cells, key=lambda c: (c.row, c.col)) if c.row == 0)[1:]


def test_grid_headers_named_by_their_places() -> None:
    # As a fax of 西安审计局's 项目绩效目标表 read them (bench: the other-city fax scan).
    assert _header("--级指你", "--板指标", "二级指标", "指标值", "分值松重90分") == (
        "一级指标", "二级指标", "三级指标", "指标值", "分值松重90分"
    )
    assert _header("一级指标", "二级指标", "一", "指标值", "分值")[:3] == ("一级指标", "二级指标", "三级指标")
    assert _header("一级指标", "二级指标", "指标名称", "指标值", "分值")[:3] == ("一级指标", "二级指标", "指标名称")
    # 三 and what a fax left of 级指标, next to two level headers read right.
    assert _header("一级指标", "二级指标", "三行地", "指标值", "分值")[:3] == ("一级指标", "二级指标", "三级指标")
    # A fax whose threshold erased the thin numerals of all three (泉州's, 烟台's forms).
    assert _header("级指标", "-级指标", ".级指标", "指标值", "分值")[:3] == ("一级指标", "二级指标", "三级指标")
    # ... one of them a further edit off (泉州's third form: 级指市), but not two.
    assert _header("级指市", "级指标", "级指标", "目标值", "分值")[:3] == ("一级指标", "二级指标", "三级指标")
    assert _header("级指市", "级指你", "级指标", "目标值", "分值")[:3] == ("级指市", "级指你", "级指标")
    # No level header read at all, or the text layer: nothing to anchor on, nothing changed.
    assert _header("--级指你", "--板指标", "级指", "指标值", "分值")[:3] == ("--级指你", "--板指标", "级指")
    assert _header("--级指你", "二级指标", "一", "指标值", "分值", method="text")[:3] == ("--级指你", "二级指标", "一")
