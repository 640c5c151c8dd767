"""The doubts recorded on projects (`warnings`) and `jixiao check OUT`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import REAL01, SAMPLE

from jixiao.cli import main
from jixiao.normalize.document import DocumentFacts
from jixiao.normalize.forms import to_project
from jixiao.normalize.model import FormDraft, IndicatorDraft
from jixiao.pipelines.run import run

BOX = (0.0, 0.0, 10.0, 10.0)


def draft(**changes: object) -> FormDraft:
    """A well-formed form as printed, with ``changes`` applied."""
    d = FormDraft(
        header={"project_name": "测试项目", "department": "上海市测试局", "implementing_unit": "上海市测试中心"},
        funds={
            "total": "100.00",
            "total_fiscal": "80.00",
            "total_other": "20.00",
            "annual_request": "100.00",
            "annual_appropriation": "60.00",
            "annual_carryover": "30.00",
            "annual_other": "10.00",
        },
        year_label="(2023年度)",
        indicators=[
            IndicatorDraft("产出指标", "数量指标", "培训人次", "≥100 (人次)", 1, BOX, None),
            IndicatorDraft("效益指标", "社会效益指标", "服务覆盖率", "≥95 (%)", 1, BOX, None),
            IndicatorDraft("满意度指标", "服务对象满意度指标", "满意度", "≥90 (%)", 1, BOX, None),
        ],
        pages={1},
    )
    for k, v in changes.items():
        setattr(d, k, v)
    return d


def facts(year: int = 2023) -> DocumentFacts:
    return DocumentFacts(title=f"{year}年度项目绩效目标汇总表", year=year, publisher="上海市测试局")


def messages(d: FormDraft, year: int = 2023) -> list[str]:
    return [n.message for n in to_project(d, 1, facts(year)).warnings]


def test_a_sound_form_has_no_warnings() -> None:
    assert to_project(draft(), 1, facts()).warnings == ()


@pytest.mark.parametrize(
    ("funds", "expect"),
    [
        ({"total_other": "25.00"}, "项目资金总额 ≠ 财政资金 + 其他资金"),
        ({"annual_carryover": "0.00"}, "年度资金申请总额 ≠ 当年财政拨款 + 上年结转资金 + 其他资金"),
    ],
)
def test_funds_that_do_not_add_up(funds: dict[str, str], expect: str) -> None:
    d = draft()
    d.funds = {**d.funds, **funds}
    warnings = messages(d)
    assert [w for w in warnings if w.startswith("funds do not add up")] == [
        next(w for w in warnings if expect in w)
    ]


def test_empty_value_cell() -> None:
    d = draft()
    d.indicators[1].value_raw = ""
    warnings = messages(d)
    assert "indicator 2 '服务覆盖率': empty value cell" in warnings


def test_levels_outside_the_vocabulary() -> None:
    d = draft()
    d.indicators[0].level1 = "产量指标"
    d.indicators[2].level2 = "群众口碑指标"
    warnings = messages(d)
    assert any("一级指标 '产量指标' outside the known vocabulary" in w for w in warnings)
    assert any("二级指标 '群众口碑指标' outside the known vocabulary" in w for w in warnings)


def test_same_level3_twice() -> None:
    d = draft()
    d.indicators[2].level3 = "培训人次"
    warnings = messages(d)
    assert "三级指标 '培训人次' appears 2 times" in warnings


def test_form_year_differs_from_document() -> None:
    p = to_project(draft(), 1, facts(2024))
    assert "form year 2023 differs from the document's 2024" in [n.message for n in p.warnings]
    assert p.year == 2023  # the form's own label wins


def test_form_without_indicator_table() -> None:
    p = to_project(draft(indicators=[]), 1, facts())
    assert "form has no indicator table" in [n.message for n in p.warnings]
    assert p.problems == ("form has no indicator table",)  # the file is `partial`


# --- jixiao check OUT on a real dataset ------------------------------------------


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(SAMPLE, raw / SAMPLE.name)
    shutil.copy(REAL01, raw / REAL01.name)
    with pikepdf.open(SAMPLE) as src:  # page 12: form 6's header, its indicators are on page 13
        cut = pikepdf.new()
        cut.pages.append(src.pages[11])
        cut.save(raw / "form-without-indicators.pdf")
    (raw / "not-a-pdf.pdf").write_text("hello")
    out = tmp_path_factory.mktemp("out")
    run([raw], out)
    return out


def test_check_json(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(dataset), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    by_file: dict[str, list[str]] = {}
    for p in found["projects"]:
        by_file.setdefault(p["source_file"], []).extend(p["warnings"])
    assert found["projects_checked"] == 8 + 5 + 1
    assert any("empty value cell" in w for w in by_file[SAMPLE.name])
    assert any(w.startswith("funds do not add up") for w in by_file[REAL01.name])
    assert by_file["form-without-indicators.pdf"] == ["form has no indicator table"]
    assert sorted((f["source_file"], f["status"]) for f in found["files"]) == [
        ("form-without-indicators.pdf", "partial"),
        ("not-a-pdf.pdf", "error"),
    ]
    assert "not a PDF" in next(f["error"] for f in found["files"] if f["status"] == "error")


def test_check_table(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(dataset)]) == 0
    out = capsys.readouterr().out
    assert "projects with warnings" in out
    assert "form has no indicator table" in out
    assert "form-without-indicators.pdf" in out
    assert "not-a-pdf.pdf" in out
    assert "projects have warnings; 1 source files could not be read; 5 data files verified, 0 sources damaged" in out


def test_check_without_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    assert "no jixiao dataset here" in capsys.readouterr().err
