"""jixiao export: CSV, XLSX and the DuckDB / SQLite databases hold the same
rows and values as jixiao.load (nulls, year and department included)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from jixiao.api import read_tables
from jixiao.cli import main
from jixiao.pipelines import schema
from jixiao.report.export import export

KEYS = {"indicators": ["source_sha256", "project_id", "seq", "horizon"], "projects": ["source_sha256", "project_id"]}
SCHEMAS = {"indicators": schema.INDICATORS, "projects": schema.PROJECTS}


@pytest.fixture(scope="module")
def exported(born_digital_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dest = tmp_path_factory.mktemp("export")
    csv = export(born_digital_dataset, "csv", dest)
    xlsx = export(born_digital_dataset, "xlsx", dest / "book.xlsx")
    names = ("indicators", "projects", "review", "review-summary")
    assert csv.files == tuple(dest / f"{n}.csv" for n in names)
    assert xlsx.files == (dest / "book.xlsx",)
    return {"indicators.csv": csv.files[0], "projects.csv": csv.files[1], "review.csv": csv.files[2],
            "xlsx": xlsx.files[0]}  # fmt: skip


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
    fields = {f.name: f for f in SCHEMAS[name]} | {"warnings": pa.field("warnings", pa.list_(pa.string()))}
    rows = [
        tuple(_plain(v, fields.get(c)) for c, v in zip(df.columns, r)) for r in df.itertuples(index=False, name=None)
    ]
    return rows


def _parquet(out: Path, name: str, rounded: bool = False) -> pd.DataFrame:
    """The table as jixiao.load's reader gives it (the export's one source);
    ROUNDED: coordinates to 2 decimals, as the CSV writes them."""
    table = getattr(read_tables(out), name)
    df = table.to_pandas()
    df["year"] = df["year"].astype(int)
    if rounded:
        for c in ("bbox_x0", "bbox_top", "bbox_x1", "bbox_bottom"):
            if c in df:
                df[c] = df[c].round(2)
    return df


def _unguard(df: pd.DataFrame) -> pd.DataFrame:
    """The CSV prefixes text that a spreadsheet would run as a formula with "'"."""
    return df.map(lambda v: v[1:] if isinstance(v, str) and v[:2] in ("'=", "'+", "'@", "'-") else v)


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
    got = _unguard(pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""]))
    want = _parquet(born_digital_dataset, name, rounded=True)
    # numbers come back from their text
    for f in getattr(read_tables(born_digital_dataset), name).schema:
        if f.name != "year" and (pa.types.is_floating(f.type) or pa.types.is_integer(f.type)):
            got[f.name] = pd.to_numeric(got[f.name])
    got["year"] = pd.to_numeric(got["year"])
    _same_table(got, want, name)
    if name == "indicators":
        assert want["operator"].isna().any() and want["value"].isna().any()  # the nulls were exercised
        assert got.year.eq(2023).all() and got.department.str.startswith("上海市").all()


@pytest.mark.parametrize("name", ["indicators", "projects"])
def test_xlsx_round_trips(born_digital_dataset: Path, exported: dict[str, Path], name: str) -> None:
    sheets = pd.read_excel(exported["xlsx"], sheet_name=None, dtype=object)
    assert list(sheets) == ["indicators", "projects", "review", "review_summary", "review_rules", "dictionary"]
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


def test_csv_rounds_coordinates_and_guards_formulas(exported: dict[str, Path]) -> None:
    text = exported["indicators.csv"].read_text(encoding="utf-8-sig")
    got = pd.read_csv(exported["indicators.csv"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for c in ("bbox_x0", "bbox_top", "bbox_x1", "bbox_bottom"):
        assert got[c].str.fullmatch(r"\d+\.\d{1,2}").all(), c
    guarded = got.loc[got["value_raw"].str.startswith("'"), "value_raw"]
    assert len(guarded) > 0 and guarded.str[1].isin(["=", "+", "@", "-"]).all()
    assert not got["value_raw"].str.match(r"^[=+@]").any()
    assert "403.02000000000004" not in text


def test_xlsx_formats_dictionary_and_review(born_digital_dataset: Path, exported: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(exported["xlsx"])
    ws = wb["projects"]
    head = [c.value for c in ws[1]]
    funds = ws.cell(row=2, column=head.index("funds_total") + 1)
    assert isinstance(funds.value, (int, float)) and funds.number_format == "#,##0.00"
    warn_col = head.index("warnings") + 1
    assert all(ws.cell(row=i, column=warn_col).alignment.wrap_text for i in range(2, ws.max_row + 1))
    dictionary = {r[0]: r[1] for r in wb["dictionary"].iter_rows(min_row=2, values_only=True)}
    assert dictionary["level3"] == "三级指标" and dictionary["funds_total"] == "项目资金总额（元）"
    assert set(head) <= set(dictionary)
    from jixiao.review import review

    findings = review(read_tables(born_digital_dataset)).findings
    assert wb["review"].max_row - 1 == findings.num_rows > 0
    csv = pd.read_csv(exported["review.csv"], encoding="utf-8-sig")
    assert list(csv["rule"]) == findings["rule"].to_pylist()


# -- databases ---------------------------------------------------------------------------------------------------------


def _sorted_records(df: pd.DataFrame, keys: list[str]) -> list[tuple]:
    def plain(v: object) -> object:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
            return None
        if isinstance(v, (pd.Timestamp, dt.datetime)):
            return v.date().isoformat()
        if isinstance(v, dt.date):
            return v.isoformat()
        if hasattr(v, "tolist"):
            v = v.tolist()
        if isinstance(v, list):
            return tuple(v)
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        return v

    df = df.sort_values(keys).reset_index(drop=True)
    return [tuple(plain(v) for v in r) for r in df.itertuples(index=False, name=None)]


def _query(db: Path, fmt: str, sql: str) -> pd.DataFrame:
    if fmt == "duckdb":
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            return con.sql(sql).df()
    import json
    import sqlite3

    with sqlite3.connect(db) as con:
        df = pd.read_sql_query(sql, con)
    for col in ("warnings", "row_warnings", "warning_codes"):  # lists are JSON text in SQLite
        if col in df:
            df[col] = [json.loads(w) for w in df[col]]
    return df


@pytest.mark.parametrize("fmt", ["duckdb", "sqlite"])
def test_database_views_return_what_load_returns(born_digital_dataset: Path, tmp_path: Path, fmt: str) -> None:
    import jixiao
    from jixiao.review import review

    result = export(born_digital_dataset, fmt, tmp_path)
    (db,) = result.files
    assert db.name == {"duckdb": "jixiao.duckdb", "sqlite": "jixiao.db"}[fmt]
    d = jixiao.load(born_digital_dataset)
    keys = ["project_id", "seq", "horizon"]
    for view, want in (("indicators_annual", d.indicators), ("indicators_with_project", d.indicators_with_project)):
        got = _query(db, fmt, f"SELECT * FROM {view}")
        assert list(got.columns) == list(want.columns), view
        assert len(got) == len(want) > 0
        assert _sorted_records(got, keys) == _sorted_records(want, keys), view
    projects = _query(db, fmt, "SELECT * FROM projects")
    assert _sorted_records(projects, ["project_id"]) == _sorted_records(d.projects, ["project_id"])
    findings = review(read_tables(born_digital_dataset)).findings.to_pandas()
    got = _query(db, fmt, "SELECT * FROM review")
    assert list(got.columns) == [*findings.columns, "explanation", "source"]
    cols = list(findings.columns)
    assert _sorted_records(got[cols], ["project_id", "rule", "finding"]) == _sorted_records(
        findings, ["project_id", "rule", "finding"]
    )
    titles = _query(db, fmt, "SELECT * FROM dictionary")
    assert titles.set_index("column").loc["level2_std", "title_zh"] == "二级指标（标准）"


def test_datasette_opens_the_sqlite_export(born_digital_dataset: Path, tmp_path: Path) -> None:
    """Datasette serves the SQLite file (checked without a server through
    `datasette --get`); the test extra installs it."""
    import json
    import shutil
    import subprocess
    import sys
    import sysconfig

    datasette = shutil.which("datasette", path=sysconfig.get_path("scripts")) or shutil.which("datasette")
    if datasette is None:
        pytest.skip("datasette is not installed (pip install -e '.[test]' installs it); the sqlite3 test above ran")
    (db,) = export(born_digital_dataset, "sqlite", tmp_path / "jixiao.db").files
    done = subprocess.run(
        [datasette, str(db), "--get", "/jixiao/review.json?_shape=array&_size=max"],
        capture_output=True, text=True, timeout=120, check=False, env={"PATH": str(Path(sys.executable).parent)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    from jixiao.review import review

    assert len(rows) == review(read_tables(born_digital_dataset)).findings.num_rows > 0
    assert {"rule", "finding", "explanation", "source"} <= set(rows[0])


def test_every_column_has_a_chinese_title() -> None:
    from jixiao.api import with_partitions
    from jixiao.report.columns import COLUMNS

    names = [f.name for s in (schema.INDICATORS, schema.PROJECTS, schema.MANIFEST) for f in with_partitions(s)]
    assert [n for n in names if n not in COLUMNS] == []
