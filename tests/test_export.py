"""jixiao export: CSV and XLSX hold the same rows and values as the Parquet
dataset (nulls, year and department included)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from jixiao.cli import main
from jixiao.api import read_tables
from jixiao.pipelines import schema
from jixiao.report.export import export

KEYS = {"indicators": ["source_sha256", "project_id", "seq", "horizon"], "projects": ["source_sha256", "project_id"]}
SCHEMAS = {"indicators": schema.INDICATORS, "projects": schema.PROJECTS}


@pytest.fixture(scope="module")
def exported(born_digital_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dest = tmp_path_factory.mktemp("export")
    csv = export(born_digital_dataset, "csv", dest)
    xlsx = export(born_digital_dataset, "xlsx", dest / "book.xlsx")
    assert csv.files == (dest / "indicators.csv", dest / "projects.csv")
    assert xlsx.files == (dest / "book.xlsx",)
    return {"indicators.csv": csv.files[0], "projects.csv": csv.files[1], "xlsx": xlsx.files[0]}


def _plain(v: object, field: pa.Field | None) -> object:
    """One cell as a comparable Python value. A spreadsheet cell has no null
    apart from empty, so an empty text (value_raw of an empty cell) is null."""
    if field is not None and pa.types.is_list(field.type):  # one item per line; no items: an empty cell
        if isinstance(v, str):
            items = v.split("\n")
        else:
            items = [] if v is None or v is pd.NA or isinstance(v, float) else list(v)  # type: ignore[call-overload]
        return [i for i in items if i != ""]
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if field is not None and pa.types.is_date(field.type) and isinstance(v, str):
        return dt.date.fromisoformat(v)
    if isinstance(v, str):
        return v or None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return v


def _records(df: pd.DataFrame, name: str) -> list[tuple]:
    fields = {f.name: f for f in SCHEMAS[name]}
    rows = [
        tuple(_plain(v, fields.get(c)) for c, v in zip(df.columns, r)) for r in df.itertuples(index=False, name=None)
    ]
    return rows


def _parquet(out: Path, name: str) -> pd.DataFrame:
    """The table as jixiao.load's reader gives it (the export's one source)."""
    table = getattr(read_tables(out), name)
    df = table.to_pandas()
    df["year"] = df["year"].astype(int)
    return df


def _same_table(got: pd.DataFrame, want: pd.DataFrame, name: str, rel_tol: float = 0.0) -> None:
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want) > 0
    key = [list(want.columns).index(k) for k in KEYS[name]]
    g = sorted(_records(got, name), key=lambda r: [str(r[i]) for i in key])
    w = sorted(_records(want, name), key=lambda r: [str(r[i]) for i in key])
    for a, b in zip(g, w, strict=True):
        if rel_tol:
            a = tuple(y if isinstance(x, float) and isinstance(y, float) and math.isclose(x, y, rel_tol=rel_tol) else x
                      for x, y in zip(a, b, strict=True))  # fmt: skip
        assert a == b


@pytest.mark.parametrize("name", ["indicators", "projects"])
def test_csv_round_trips(born_digital_dataset: Path, exported: dict[str, Path], name: str) -> None:
    path = exported[f"{name}.csv"]
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"  # BOM: Excel then reads UTF-8
    got = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""])
    want = _parquet(born_digital_dataset, name)
    # numbers come back from their text
    for f in SCHEMAS[name]:
        if pa.types.is_floating(f.type) or pa.types.is_integer(f.type):
            got[f.name] = pd.to_numeric(got[f.name])
    got["year"] = pd.to_numeric(got["year"])
    _same_table(got, want, name)
    if name == "indicators":
        assert want["operator"].isna().any() and want["value"].isna().any()  # the nulls were exercised
        assert got.year.eq(2023).all() and got.department.str.startswith("上海市").all()


@pytest.mark.parametrize("name", ["indicators", "projects"])
def test_xlsx_round_trips(born_digital_dataset: Path, exported: dict[str, Path], name: str) -> None:
    sheets = pd.read_excel(exported["xlsx"], sheet_name=None, dtype=object)
    assert list(sheets) == ["indicators", "projects"]
    # openpyxl writes numbers with 16 significant digits (Excel shows 15): a float
    # such as 210.60000610351562 comes back one unit in the last place off
    _same_table(sheets[name], _parquet(born_digital_dataset, name), name, rel_tol=1e-15)


def test_xlsx_keeps_text_that_looks_like_a_formula(exported: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(exported["xlsx"])["indicators"]
    col = [c.value for c in ws[1]].index("value_raw") + 1
    cells = [ws.cell(row=i, column=col) for i in range(2, ws.max_row + 1)]
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)


def test_cli_export(born_digital_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(born_digital_dataset), "--format", "csv", "--dest", str(tmp_path / "x.csv")]) == 0
    assert (tmp_path / "x.csv").is_file() and (tmp_path / "x-projects.csv").is_file()
    assert main(["export", str(born_digital_dataset), "-f", "xlsx", "--dest", str(tmp_path)]) == 0
    assert (tmp_path / "jixiao.xlsx").is_file()
    assert capsys.readouterr().out.splitlines()[-1] == str(tmp_path / "jixiao.xlsx")
    with pytest.raises(SystemExit):
        main(["export", str(born_digital_dataset), "--format", "ods"])
