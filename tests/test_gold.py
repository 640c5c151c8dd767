"""End to end: PDF -> Parquet dataset, compared field by field with gold."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import REAL01, SAMPLE, SAMPLE_LO
from goldcmp import FUNDS, load_gold

CASES = [
    (SAMPLE, "shpf-2023.json"),
    (SAMPLE_LO, "shpf-2023.json"),
    (REAL01, "real-sh-putuo-wanli-2023.json"),
]


def _load(out: Path, pdf: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    projects = pd.read_parquet(out / "projects")
    indicators = pd.read_parquet(out / "indicators")
    projects = projects[projects.source_file == pdf.name].sort_values("form_seq")
    indicators = indicators[indicators.source_file == pdf.name]
    return projects, indicators


def _none(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    return v


@pytest.mark.parametrize(("pdf", "gold_name"), CASES, ids=[c[0].name for c in CASES])
def test_dataset_equals_gold(born_digital_dataset: Path, pdf: Path, gold_name: str) -> None:
    gold = load_gold(gold_name)
    projects, indicators = _load(born_digital_dataset, pdf)
    misses: list[str] = []
    assert len(projects) == len(gold["projects"])
    for gp, (_, p) in zip(gold["projects"], projects.iterrows()):
        tag = f"{pdf.name} project {gp['seq']}"
        expect = {
            "project_name": gp["project_name"],
            "project_nature": gp["project_nature"],
            "project_category": gp["project_category"],
            "department": gp["department"],
            "implementing_unit": gp["implementing_unit"],
            "start_date": dt.date.fromisoformat(gp["start_date"]),
            "end_date": dt.date.fromisoformat(gp["end_date"]),
            "goal_period": gp["overall_goal_period"],
            "overall_goal": gp["overall_goal"],
            "annual_goal": gp["annual_goal"],
            "indicator_count": len(gp["indicators"]),
            "year": gold["document"]["year"],
            **{f"funds_{k}": gp["funds"][k] for k in FUNDS},
        }
        for col, want in expect.items():
            got = _none(p[col])
            if col == "year":
                got = int(got)
            if got != want:
                misses.append(f"{tag} {col}: {got!r} != {want!r}")
        rows = indicators[indicators.project_id == p.project_id].sort_values("seq")
        assert list(rows.seq) == list(range(1, len(rows) + 1))
        if len(rows) != len(gp["indicators"]):
            misses.append(f"{tag}: {len(rows)} rows != {len(gp['indicators'])}")
        for n, (gi, (_, r)) in enumerate(zip(gp["indicators"], rows.iterrows()), start=1):
            for col, key in [
                ("level1", "level1"),
                ("level2", "level2"),
                ("level3", "level3"),
                ("value_raw", "value_raw"),
                ("operator", "operator"),
                ("value", "value"),
                ("value_unit", "unit"),
                ("label", "label"),
            ]:
                if _none(r[col]) != gi[key]:
                    misses.append(f"{tag} row {n} {col}: {_none(r[col])!r} != {gi[key]!r}")
            kind = "empty" if gi["value_raw"] == "" else ("qualitative" if gi["label"] is not None else "numeric")
            if r.value_kind != kind:
                misses.append(f"{tag} row {n} value_kind: {r.value_kind!r} != {kind!r}")
    assert not misses, "\n".join(misses)


def test_row_counts(born_digital_dataset: Path) -> None:
    indicators = pd.read_parquet(born_digital_dataset / "indicators")
    counts = indicators.groupby("source_file").size().to_dict()
    assert counts == {SAMPLE.name: 143, SAMPLE_LO.name: 143, REAL01.name: 65}


def test_pages_of_rows_across_page_breaks(born_digital_dataset: Path) -> None:
    """The label of a merged cell printed after a page break still applies to
    the rows above the break; each row keeps the page its name is printed on."""
    ind = pd.read_parquet(born_digital_dataset / "indicators")
    ind = ind[ind.source_file == SAMPLE.name]
    row = ind[ind.level3 == "对外服务能力"].iloc[0]
    assert (row.level1, row.level2, int(row.page)) == ("双星指标", "行业双星指标", 1)
    nxt = ind[ind.level3 == "中心本部与管理部协助能力"].iloc[0]
    assert int(nxt.page) == 2
    proj = pd.read_parquet(born_digital_dataset / "projects")
    p8 = proj[(proj.source_file == SAMPLE.name) & (proj.form_seq == 8)].iloc[0]
    assert (int(p8.first_page), int(p8.last_page)) == (15, 17)  # crosses two page breaks
