"""jixiao export: the dataset for colleagues in Excel, and as a database.

CSV: UTF-8 with a byte-order mark (Excel otherwise guesses the local code
page and garbles Chinese); indicators.csv, projects.csv, review.csv,
review-summary.csv. XLSX: one workbook with those tables as sheets plus the
review rules and a data dictionary (Chinese column titles); text stays text
(a 指标值 such as "=100(%)" is not turned into a formula), dates are dates,
amounts carry a number format. DuckDB / SQLite: one database file with the
tables and the views indicators_annual, indicators_with_project and review
(database.py).

Every format holds every column, year and department first; rows are in
dataset order (year, department, source, then form and indicator order). A
null is an empty cell; a list (projects.warnings) is one cell with one item
per line.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ..api import read_tables
from ..errors import MissingExtra
from ..review import review, rules_table
from . import columns

FORMATS = ("csv", "xlsx", "duckdb", "sqlite")
SHEETS = ("indicators", "projects", "review", "review_summary")
CSV_NAMES = {"indicators": "indicators", "projects": "projects", "review": "review", "review_summary": "review-summary"}
WORKBOOK = "jixiao.xlsx"
DATABASES = {"duckdb": "jixiao.duckdb", "sqlite": "jixiao.db"}
SORT_KEYS = ("year", "department", "source_file", "source_sha256")
# Characters that make a spreadsheet read a CSV cell as a formula (CWE-1236).
FORMULA_START = ("=", "+", "@", "\t", "\r")
COORDINATE_DECIMALS = 2


@dataclass(frozen=True)
class Exported:
    files: tuple[Path, ...]
    indicators: int
    projects: int
    findings: int = 0


def tables_for_export(out: str | os.PathLike[str]) -> dict[str, pa.Table]:
    """What every format writes: the dataset's tables in dataset order, the
    review's findings and summary, and the rules."""
    t = read_tables(out)
    r = review(t)
    return {
        "indicators": in_dataset_order(t.indicators),
        "projects": in_dataset_order(t.projects),
        "review": r.findings,
        "review_summary": r.summary,
        "review_rules": rules_table(),
        "manifest": t.manifest,
    }


def export(out: str | os.PathLike[str], fmt: str, dest: str | os.PathLike[str] | None = None) -> Exported:
    """Write the dataset at OUT in FMT. DEST: a folder (default OUT/export) or
    a file name (x.csv: the indicators, the other tables in x-projects.csv …;
    x.xlsx: the workbook; x.duckdb / x.db: the database)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    out = Path(out)
    tables = tables_for_export(out)
    paths = destinations(out, fmt, dest)
    if fmt == "csv":
        for name, path in zip(SHEETS, paths):
            write_csv(tables[name], path)
    elif fmt == "xlsx":
        write_xlsx(tables, paths[0])
    else:
        from .database import write_database

        write_database(tables, paths[0], fmt)
    return Exported(tuple(paths), tables["indicators"].num_rows, tables["projects"].num_rows,
                    tables["review"].num_rows)  # fmt: skip


def destinations(out: Path, fmt: str, dest: str | os.PathLike[str] | None) -> list[Path]:
    target = Path(dest) if dest is not None else out / "export"
    if fmt == "csv":
        if target.suffix.lower() == ".csv":
            return [target] + [target.with_name(f"{target.stem}-{CSV_NAMES[n]}.csv") for n in SHEETS[1:]]
        return [target / f"{CSV_NAMES[n]}.csv" for n in SHEETS]
    if fmt == "xlsx":
        return [target if target.suffix.lower() == ".xlsx" else target / WORKBOOK]
    is_file = target.suffix.lower() in (".duckdb", ".db", ".sqlite", ".sqlite3", ".ddb")
    return [target if is_file else target / DATABASES[fmt]]


def in_dataset_order(table: pa.Table) -> pa.Table:
    """Sorted by partition and source; within a source the files' own order
    (forms, then indicators) is kept by the row number as the last key."""
    row = "__row"
    numbered = table.append_column(row, pa.array(range(table.num_rows), pa.int64()))
    keys = [(k, "ascending") for k in (*SORT_KEYS, row)]
    return numbered.sort_by(keys).drop_columns([row])


def rows(table: pa.Table) -> Iterator[list]:
    for batch in table.to_batches(max_chunksize=10_000):
        for record in batch.to_pylist():
            yield list(record.values())


def csv_cell(value: object, name: str = "") -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "\n".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if name in columns.COORDINATES:
            value = round(value, COORDINATE_DECIMALS)  # 403.02000000000004 -> 403.02
        return repr(value)  # shortest text that reads back as the same float
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value  # Excel shows it as text; strip the apostrophe to read the printed value
    return value


def looks_like_formula(text: str) -> bool:
    if text.startswith(FORMULA_START):
        return True
    # "-" starts a formula too ("-1+A1"), but a bare "-" or "-5" is plain
    return text.startswith("-") and len(text) > 1 and not _is_number(text)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    names = table.column_names
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for r in rows(table):
            w.writerow([csv_cell(v, n) for v, n in zip(r, names)])
    os.replace(tmp, path)


XLSX_SHEETS = ("indicators", "projects", "review", "review_summary", "review_rules")


def write_xlsx(tables: dict[str, pa.Table], path: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter
    except ModuleNotFoundError as e:
        raise MissingExtra("jixiao export --format xlsx", "excel") from e

    sheets = {name: tables[name] for name in XLSX_SHEETS}
    used = [c for t in sheets.values() for c in t.column_names]
    sheets["dictionary"] = pa.Table.from_pylist(columns.dictionary_rows(used, rule_titles(tables)))
    wb = Workbook(write_only=True)
    for name, table in sheets.items():
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        for i, field in enumerate(table.schema, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column_width(field)
        ws.append([header_cell(ws, n) for n in table.column_names])
        styles = [cell_style(n) for n in table.column_names]
        for r in rows(table):
            ws.append([xlsx_cell(ws, v, st) for v, st in zip(r, styles)])
        ws.auto_filter.ref = f"A1:{get_column_letter(max(table.num_columns, 1))}{table.num_rows + 1}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    os.replace(tmp, path)


def rule_titles(tables: dict[str, pa.Table]) -> dict[str, str]:
    """The review summary has a column per rule: titled by the rule."""
    return {r["rule"]: r["title"] for r in tables["review_rules"].to_pylist()}


def column_width(field: pa.Field) -> float:
    if pa.types.is_string(field.type) or pa.types.is_list(field.type):
        wide = ("project_name", "level3", "overall_goal", "annual_goal", "warnings", "finding", "explanation",
                "source", "meaning")  # fmt: skip
        return 40 if field.name in wide else 16
    return 14 if field.name in columns.MONEY else 12


@dataclass(frozen=True)
class Style:
    number_format: str | None = None
    wrap: bool = False


def cell_style(name: str) -> Style:
    if name in columns.MONEY:
        return Style("#,##0.00")
    if name in columns.COORDINATES or name == "ocr_confidence":
        return Style("0.00")
    return Style(wrap=name in columns.WRAPPED)


def header_cell(ws, name: str):  # type: ignore[no-untyped-def]
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    c = WriteOnlyCell(ws, value=name)
    c.font = Font(bold=True)
    return c


def xlsx_cell(ws, value: object, style: Style = Style()):  # type: ignore[no-untyped-def]
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment

    if isinstance(value, list):
        value = "\n".join(value)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be stored in XLSX
        if not text.startswith("=") and not style.wrap:
            return text
        c = WriteOnlyCell(ws, value=text)
        c.data_type = "s"  # text as printed, never a formula
        if style.wrap:
            c.alignment = Alignment(wrap_text=True, vertical="top")
        return c
    if isinstance(value, dt.date):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = "yyyy-mm-dd"
        return c
    if isinstance(value, float) and style.number_format:
        c = WriteOnlyCell(ws, value=value)
        c.number_format = style.number_format
        return c
    return value
