"""jixiao.load: typed frames, annual rows by default, a join without duplicate
columns, and the analysis-safe columns (normalize/standard.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.dataset as pads
import pytest

import jixiao
from jixiao.errors import NoDataset, UsageError
from jixiao.normalize import standard


def test_frames_are_typed(born_digital_dataset: Path) -> None:
    d = jixiao.load(born_digital_dataset)
    ind, prj = d.indicators, d.projects
    assert str(ind["year"].dtype) == "Int32" and isinstance(ind["department"].dtype, pd.StringDtype)
    assert str(prj["start_date"].dtype) == "datetime64[ns]"
    assert prj["start_date"].min() == pd.Timestamp("2023-01-01")
    assert all(isinstance(w, list) for w in prj["warnings"])
    # the README's groupby: no category partitions, so no empty groups and no warning
    counts = ind.groupby(["department", "value_kind"]).size()
    assert (counts > 0).all() and counts.sum() == len(ind)
    assert set(ind["department"]) == {"上海市住房和城乡建设管理委员会", "上海市普陀区人民政府万里街道办事处"}


def test_horizons_and_counts(fixtures_dataset: Path) -> None:
    raw = pads.dataset(fixtures_dataset / "indicators", format="parquet").to_table(columns=["horizon"])
    horizons = raw["horizon"].to_pylist()
    d = jixiao.load(fixtures_dataset)
    assert len(d.indicators) == horizons.count("annual") and set(d.indicators["horizon"]) == {"annual"}
    assert len(jixiao.load(fixtures_dataset, horizon="all").indicators) == len(horizons)
    assert len(jixiao.load(fixtures_dataset, horizon="period").indicators) == horizons.count("period") > 1000
    with pytest.raises(UsageError):
        jixiao.load(fixtures_dataset, horizon="yearly")  # type: ignore[arg-type]


def test_indicators_with_project_has_no_duplicate_columns(born_digital_dataset: Path) -> None:
    d = jixiao.load(born_digital_dataset)
    ind, prj, both = d.indicators, d.projects, d.indicators_with_project
    assert len(both) == len(ind)
    assert not [c for c in both.columns if c.endswith(("_x", "_y"))]
    assert len(set(both.columns)) == len(both.columns)
    assert set(both.columns) == set(ind.columns) | set(prj.columns)
    # the project's values, on each of its rows
    first = prj.iloc[0]
    rows = both[both["project_id"] == first["project_id"]]
    assert len(rows) == first["indicator_count"]
    assert (rows["funds_total"] == first["funds_total"]).all() and (rows["layout"] == first["layout"]).all()


def test_polars_and_arrow(born_digital_dataset: Path) -> None:
    pl = pytest.importorskip("polars")
    d = jixiao.load(born_digital_dataset, engine="polars")
    assert d.indicators.schema["year"] == pl.Int32 and d.indicators.schema["department"] == pl.String
    assert d.projects.schema["start_date"] == pl.Date
    assert d.indicators.height == len(jixiao.load(born_digital_dataset).indicators)
    arrow = jixiao.load(born_digital_dataset, engine="arrow").projects
    assert arrow.column("start_date").to_pylist()[0] == dt.date(2023, 1, 1)


def test_no_dataset(tmp_path: Path) -> None:
    with pytest.raises(NoDataset):
        jixiao.load(tmp_path)


def test_standard_columns_on_the_dataset(fixtures_dataset: Path) -> None:
    d = jixiao.load(fixtures_dataset, horizon="all")
    ind, prj = d.indicators, d.projects
    # 社会效益 (Shandong, Guangdong) and 社会效益指标 (Shanghai) are one category; the printed text stays
    social = ind[ind["level2_std"] == "社会效益指标"]
    assert set(social["level2"]) == {"社会效益", "社会效益指标"}
    assert set(ind["level1_std"].dropna()) == {"产出指标", "效益指标", "满意度指标", "成本指标"}
    assert ind.loc[ind["level1"] == "双星指标", "level1_std"].isna().all()  # not a standard category
    wan = ind[ind["value_unit"] == "万元"]
    assert len(wan) > 10 and (wan["unit_base"] == "元").all()
    assert (wan["value_base"] == wan["value"] * 10_000).all()
    pct = ind[ind["value_unit"] == "%"]
    assert (pct["unit_base"] == "%").all() and (pct["value_base"] == pct["value"]).all()
    # the year's budget: Shanghai prints 年度资金申请总额, Guangdong a one-year 总计 (annual by contract v2)
    sh = prj[prj["layout"] == "sh-declaration"]
    assert (sh["funds_budget"] == sh["funds_annual_request"]).all()
    gd = prj[prj["layout"] == "guangdong-serialized"]
    assert len(gd) == 300 and (gd["funds_budget"] == gd["funds_annual_request"]).all()
    assert set(prj["form_kind"]) == {"project", "department"}


@pytest.mark.parametrize(
    ("printed", "level1", "level2"),
    [
        ("社会效益", None, "社会效益指标"),
        ("社会效益指标", None, "社会效益指标"),
        (" 经济成本 ", None, "经济成本指标"),
        ("11－数量指标", None, "数量指标"),
        ("满意度", "满意度指标", "服务对象满意度指标"),
        ("产出", "产出指标", None),
        ("1.产出指标", "产出指标", None),
        ("双星指标", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_level_std(printed: str | None, level1: str | None, level2: str | None) -> None:
    assert standard.level1_std(printed) == level1
    assert standard.level2_std(printed) == level2


@pytest.mark.parametrize(
    ("value", "unit", "base"),
    [(2.5, "万元", (25_000.0, "元")), (3.0, "万人", (30_000.0, "人")), (95.0, "％", (95.0, "%")),
     (12.0, "次", (12.0, "次")), (None, "万元", (None, "元")), (1.0, None, (1.0, None))],
)  # fmt: skip
def test_base_units(value: float | None, unit: str | None, base: tuple) -> None:
    assert standard.in_base_unit(value, unit) == base


def test_funds_budget_rules() -> None:
    assert standard.funds_budget({"funds_annual_request": 5.0, "funds_total": 9.0}) == 5.0
    assert standard.funds_budget({"funds_annual_appropriation": 3.0, "funds_annual_other": 1.0}) == 4.0
    assert standard.funds_budget({"funds_total": 9.0}) == 9.0  # a one-year table's bare 资金总额
    assert standard.funds_budget({"funds_total": 9.0, "goal_period": "2015年-2017年"}) is None  # a 3-year total
    assert standard.funds_budget({"funds_total": 9.0, "start_date": dt.date(2023, 1, 1)}) == 9.0
    assert standard.funds_budget({"funds_total": float("nan")}) is None
    assert standard.funds_budget({}) is None


def test_form_kind_prefers_the_column() -> None:
    assert standard.form_kind({"form_kind": "department", "form_title": "项目支出绩效目标表"}) == "department"
    assert standard.form_kind({"form_kind": None, "form_title": "2026年部门整体绩效目标表"}) == "department"
    assert standard.form_kind({"form_title": None, "project_name": None}) == "project"


def test_the_readme_snippet_needs_no_extra() -> None:
    """jixiao.load and the README's first snippet (pandas, DuckDB) run on the
    runtime dependencies alone: `make extract` installs nothing else."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    deps = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {d.split(">")[0].split("=")[0].split("[")[0].strip().lower() for d in deps}
    assert {"pandas", "duckdb", "pyarrow"} <= names
    readme = (root / "README.md").read_text(encoding="utf-8")
    first = readme[readme.index("```python") :].split("```")[1]
    assert "jixiao.load(" in first
    imported = {line.split()[1].split(".")[0] for line in first.splitlines() if line.startswith(("import ", "from "))}
    assert imported <= names | {"jixiao"}, imported


def test_a_dataset_written_before_the_standard_columns(born_digital_dataset: Path, tmp_path: Path) -> None:
    """Files without level1_std … funds_budget (an older jixiao) load with the
    same values as files that have them."""
    import shutil

    import pyarrow.parquet as pq

    old = tmp_path / "old"
    shutil.copytree(born_digital_dataset, old, ignore=shutil.ignore_patterns("report", "export"))
    for part in old.rglob("*.parquet"):
        if part.name == "manifest.parquet":
            continue
        t = pq.read_table(part)
        pq.write_table(t.drop_columns([c for c in (*standard.INDICATOR_COLUMNS, *standard.PROJECT_COLUMNS)
                                       if c in t.column_names]), part)  # fmt: skip
    assert "level1_std" not in pq.read_schema(next((old / "indicators").rglob("*.parquet"))).names
    new_d, old_d = jixiao.load(born_digital_dataset, horizon="all"), jixiao.load(old, horizon="all")
    pd.testing.assert_frame_equal(old_d.indicators, new_d.indicators)
    pd.testing.assert_frame_equal(old_d.projects, new_d.projects)


def test_a_damaged_data_file_is_one_line(born_digital_dataset: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    import shutil

    from jixiao.api import DamagedData
    from jixiao.cli import main

    out = tmp_path / "ds"
    shutil.copytree(born_digital_dataset, out, ignore=shutil.ignore_patterns("report", "export"))
    victim = next((out / "indicators").rglob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[:100])
    with pytest.raises(DamagedData, match="a data file cannot be read"):
        jixiao.load(out)
    assert main(["review", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"jixiao check {out}" in err and "Traceback" not in err
