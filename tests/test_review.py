"""jixiao review: findings checked by hand on the fixture PDFs, and for every
rule a form made to break it (the rule fires) next to a near miss (it stays
silent). The base form is a real one that every rule passes: 长沙市信访局's
基层及其他信访业务工作经费专项 (PDF 06, form 1: all four 一级指标, 成本指标, weights
adding up to 90, a satisfaction target ≥90%)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from jixiao.api import read_tables
from jixiao.cli import main
from jixiao.review import RULES, review
from jixiao.review.rules import BY_CODE, Context, Form, Settings

CHANGSHA = "06-changsha-xinfangju-2026-dept-budget.pdf"
PUTUO = "01-sh-putuo-wanli-2023-dept-budget.pdf"
GUANGZHOU = "10-guangzhou-shengtaihuanjing-2026-project-targets.pdf"


@pytest.fixture(scope="module")
def result(fixtures_dataset: Path):  # type: ignore[no-untyped-def]
    return review(read_tables(fixtures_dataset))


def findings(result, source: str, form_seq: int, rule: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        f["finding"]
        for f in result.findings.to_pylist()
        if f["source_file"] == source and f["form_seq"] == form_seq and (rule is None or f["rule"] == rule)
    ]


# -- hand-checked on the rendered pages ------------------------------------------------------------------------------


def test_putuo_funds_do_not_add_up(result) -> None:  # type: ignore[no-untyped-def]
    # p.35: 年度资金申请总额 10,903,043.00 but 其中：当年财政拨款 11,419,043.00 (结转 0.00, 其他 0.00)
    assert findings(result, PUTUO, 5, "funds-sum") == [
        "年度资金申请总额 10,903,043.00 元 ≠ 当年财政拨款 + 上年结转资金 + 其他资金 = 11,419,043.00 元"
    ]


def test_putuo_satisfaction_targets_of_50_percent(result) -> None:  # type: ignore[no-untyped-def]
    # p.33: 社区居民满意度、幸福感 不低于50%; 市容环境满意度 不低于50%
    assert findings(result, PUTUO, 3, "satisfaction-floor") == [
        "indicator 3 '社区居民满意度、幸福感': satisfaction target '不低于50%' below 80%",
        "indicator 4 '市容环境满意度': satisfaction target '不低于50%' below 80%",
    ]


def test_putuo_values_that_only_name_the_measure(result) -> None:  # type: ignore[no-untyped-def]
    # p.31: 完工及时率 → 及时率, 完善社区基础设施建设 → 完善率, 居民满意度 → 满意度
    got = findings(result, PUTUO, 1, "restated-value")
    assert [g.split(":")[0] for g in got] == [
        "indicator 2 '完工及时率'", "indicator 4 '完善社区基础设施建设'", "indicator 5 '居民满意度'",
    ]  # fmt: skip


def test_sample_empty_value_and_no_cost_indicators(result) -> None:  # type: ignore[no-untyped-def]
    # shpf-2023 form 4: the 微博/微信推送内容相关率 value cell is empty; 2023 forms without 成本指标
    assert findings(result, "shpf-2023.pdf", 4, "empty-target") == [
        "1 of 28 indicators have no target value ('微博/微信推送内容相关率')"
    ]
    assert findings(result, "shpf-2023.pdf", 1, "no-cost") == ["budget year 2023 and no 成本指标 among 11 indicators"]


def test_guangzhou_copied_indicator_sets(result) -> None:  # type: ignore[no-untyped-def]
    # forms 1-9: 广州市镇（街）园区环保监督检查员经费 of nine districts, the same 6 targets each
    copied = [f for f in result.findings.to_pylist() if f["source_file"] == GUANGZHOU and f["rule"] == "copied-set"]
    assert sorted(f["form_seq"] for f in copied) == list(range(1, 10))
    assert all(f["project_name"].startswith("广州市镇（街）园区环保监督检查员经费") for f in copied)
    assert copied[0]["finding"].startswith("the same 6 indicators and values as 8 other projects")


def test_guangzhou_acceptance_target_of_zero(result) -> None:  # type: ignore[no-untyped-def]
    (f,) = [f for f in result.findings.to_pylist() if f["source_file"] == GUANGZHOU and f["rule"] == "completion-floor"
            and "验收通过率" in f["finding"]]  # fmt: skip
    assert f["finding"] == "indicator 8 '验收通过率': completion target '0%' below 90%"


def test_template_2015_missing_categories(result) -> None:  # type: ignore[no-untyped-def]
    src = "template-2015-synthetic.pdf"
    assert findings(result, src, 2) == ["no 满意度指标 among 2 indicators (一级指标 printed: 产出指标、效益指标)"]
    assert findings(result, src, 1) == ["no 效益指标 among 4 indicators (一级指标 printed: 产出指标、满意度指标)"]


def test_summary_per_department(result) -> None:  # type: ignore[no-untyped-def]
    rows = {(s["year"], s["department"]): s for s in result.summary.to_pylist()}
    putuo = rows[(2023, "上海市普陀区人民政府万里街道办事处")]
    assert (putuo["forms"], putuo["funds-sum"], putuo["satisfaction-floor"]) == (5, 1, 2)
    assert rows[(2026, "长沙市信访局")]["findings"] == 0
    assert sum(s["findings"] for s in rows.values()) == result.findings.num_rows
    assert sum(s["forms"] for s in rows.values()) == result.forms


# -- every rule: fires on a broken form, silent on a near miss -------------------------------------------------------


@pytest.fixture(scope="module")
def base(fixtures_dataset: Path) -> Form:
    from jixiao.review import forms_of

    (form,) = [f for f in forms_of(read_tables(fixtures_dataset))
               if f.project["source_file"] == CHANGSHA and f.project["form_seq"] == 1]  # fmt: skip
    return form


def _rows(form: Form, change: Callable[[dict], None] | None = None, keep: Callable[[dict], bool] = lambda r: True):
    rows = [copy.deepcopy(r) for r in form.rows if keep(r)]
    for r in rows:
        if change:
            change(r)
    return tuple(rows)


def _set(seq: int, **values: object) -> Callable[[dict], None]:
    def change(r: dict) -> None:
        if r["seq"] == seq:
            r.update(values)

    return change


def _drop_level1_but_one(level: str) -> Callable[[Form], Form]:
    def mutate(f: Form) -> Form:
        first = next(r["seq"] for r in f.rows if r["level1_std"] == level)
        return replace(f, rows=_rows(f, keep=lambda r: r["level1_std"] != level or r["seq"] == first))

    return mutate


def _qualitative(r: dict) -> None:
    r.update(value_kind="qualitative", label="完成", value=None, operator=None, value_unit=None)


def _project(f: Form, **values: object) -> Form:
    return replace(f, project={**f.project, **values})


def _renamed(f: Form, name: str) -> Form:
    return _project(f, project_name=name, project_id=name)


# rule -> (break it, near miss); each a function of the base form; forms after the first are the context
CASES: dict[str, tuple[Callable[[Form], list[Form]], Callable[[Form], list[Form]]]] = {
    "no-output": (lambda f: [replace(f, rows=_rows(f, keep=lambda r: r["level1_std"] != "产出指标"))],
                  lambda f: [_drop_level1_but_one("产出指标")(f)]),
    "no-benefit": (lambda f: [replace(f, rows=_rows(f, keep=lambda r: r["level1_std"] != "效益指标"))],
                   lambda f: [_drop_level1_but_one("效益指标")(f)]),
    "no-satisfaction": (lambda f: [replace(f, rows=_rows(f, keep=lambda r: r["level1_std"] != "满意度指标"))],
                        lambda f: [_drop_level1_but_one("满意度指标")(f)]),
    "no-cost": (lambda f: [replace(f, rows=_rows(f, keep=lambda r: r["level1_std"] != "成本指标"))],
                lambda f: [_project(replace(f, rows=_rows(f, keep=lambda r: r["level1_std"] != "成本指标")), year=2021)]),
    "only-qualitative": (lambda f: [replace(f, rows=_rows(f, _qualitative))],
                         lambda f: [replace(f, rows=_rows(f, lambda r: None if r["seq"] == 16 else _qualitative(r)))]),
    "restated-value": (lambda f: [replace(f, rows=_rows(f, _set(16, value_raw="满意度", label="满意度",
                                                                value_kind="qualitative", value=None)))],
                       lambda f: [replace(f, rows=_rows(f, _set(16, value_raw="满意", label="满意",
                                                                value_kind="qualitative", value=None)))]),
    "weights-total": (lambda f: [replace(f, rows=_rows(f, _set(4, weight=15.0)))],  # 95
                      lambda f: [replace(f, rows=_rows(f, _set(4, weight=20.0)))]),  # 100
    "satisfaction-floor": (lambda f: [replace(f, rows=_rows(f, _set(16, value=79.0, value_raw="≥79%")))],
                           lambda f: [replace(f, rows=_rows(f, _set(16, value=80.0, value_raw="≥80%")))]),
    "completion-floor": (lambda f: [replace(f, rows=_rows(f, _set(5, level3="经费调拨完成率", value=85.0)))],
                         lambda f: [replace(f, rows=_rows(f, _set(5, level3="经费调拨完成率", value=90.0)))]),
    "copied-set": (lambda f: [f, _renamed(f, "B"), _renamed(f, "C")],
                   lambda f: [f, _renamed(f, "B"), f]),  # the same project twice (two copies of a PDF) is no copying
    "funds-sum": (lambda f: [_project(f, funds_annual_request=100.0, funds_annual_appropriation=90.0)],
                  lambda f: [_project(f, funds_annual_request=100.0, funds_annual_appropriation=90.0,
                                      funds_annual_carryover=10.0)]),
    "same-as-last-year": (lambda f: [f, _project(f, year=2025, project_id="last")],
                          lambda f: [f, _project(replace(f, rows=_rows(f, _set(4, value_raw="≥12个"))), year=2025,
                                                 project_id="last")]),
    "empty-target": (lambda f: [replace(f, rows=_rows(f, _set(4, value_raw="", value_kind="empty", value=None)))],
                     lambda f: [f]),
}  # fmt: skip


def _fires(rule: str, forms: list[Form]) -> list[str]:
    return BY_CODE[rule].check(forms[0], Context(forms, Settings()))


def test_every_rule_has_cases() -> None:
    assert set(CASES) == {r.code for r in RULES}
    assert all(r.explanation and r.source and r.title for r in RULES)


def test_the_base_form_passes_every_rule(base: Form) -> None:
    assert {r.code: _fires(r.code, [base]) for r in RULES} == {r.code: [] for r in RULES}


@pytest.mark.parametrize("rule", list(CASES))
def test_rule_fires_on_a_broken_form(base: Form, rule: str) -> None:
    assert _fires(rule, CASES[rule][0](base))


@pytest.mark.parametrize("rule", list(CASES))
def test_rule_is_silent_on_a_near_miss(base: Form, rule: str) -> None:
    assert _fires(rule, CASES[rule][1](base)) == []


def test_settings_move_the_floors(base: Form) -> None:
    forms = CASES["satisfaction-floor"][1](base)  # ≥80%
    assert BY_CODE["satisfaction-floor"].check(forms[0], Context(forms, Settings(satisfaction_floor=85.0)))


# -- the command -----------------------------------------------------------------------------------------------------


def test_cli_review(fixtures_dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(fixtures_dataset), "--json", "--rule", "funds-sum"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [r["rule"] for r in got["rules"]] == ["funds-sum"]
    assert {(f["source_file"], f["form_seq"]) for f in got["findings"]} == {(PUTUO, 5)}
    assert main(["review", str(fixtures_dataset)]) == 0
    out = capsys.readouterr().out
    assert "review findings, per project and rule" in out and "公共服务设施运行经费" in out
    assert "review summary, per department" in out
    assert main(["review", str(fixtures_dataset), "--rules", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["rules"]
    assert [r["rule"] for r in listed] == [r.code for r in RULES] and all(r["source"] for r in listed)
    assert main(["review", str(fixtures_dataset), "--rule", "nope"]) == 2
    assert "unknown rule nope" in capsys.readouterr().err


def test_weights_are_checked_against_the_total_the_form_prints(base: Form) -> None:
    # PDF 02 prints 分值（90）: its weights must add up to 90 there, and 100 is wrong.
    hundred = replace(base, rows=_rows(base, _set(4, weight=20.0)))  # the base form's weights: 100
    assert _fires("weights-total", [_project(hundred, weight_total=90.0)]) == ["weights add up to 100, not 90"]
    assert _fires("weights-total", [_project(hundred, weight_total=100.0)]) == []


def test_the_printed_weight_total_is_read_from_the_header() -> None:
    from jixiao.extract import read_pdf
    from jixiao.normalize import normalize, page_wanted

    r = normalize(read_pdf(Path(__file__).parent / "fixtures" / "pdfs" / "02-central-guojiaxinfangju-2026-dept-budget.pdf", wanted=page_wanted))
    assert [p.weight_total for p in r.projects] == [90.0, 90.0, 90.0]  # 分值（90） / 分值权重（90）
