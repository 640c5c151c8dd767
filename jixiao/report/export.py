"""jixiao export: the indicator and project tables for colleagues in Excel.

CSV: two files, UTF-8 with a byte-order mark (Excel otherwise guesses the
local code page and garbles Chinese). XLSX: one workbook with the sheets
`indicators` and `projects`; text stays text (a 指标值 such as "=100(%)" is
not turned into a formula), dates are dates.

Both hold every column of the dataset, year and department first; rows are
in dataset order (year, department, source, then form and indicator order).
A null is an empty cell; a list (projects.warnings) is one cell with one
item per line.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ..errors import MissingExtra
from ..api import read_tables

FORMATS = ("csv", "xlsx")
SHEETS = ("indicators", "projects")
WORKBOOK = "jixiao.xlsx"
SORT_KEYS = ("year", "department", "source_file", "source_sha256")


@dataclass(frozen=True)
class Exported:
    files: tuple[Path, ...]
    indicators: int
    projects: int


def export(out: str | os.PathLike[str], fmt: str, dest: str | os.PathLike[str] | None = None) -> Exported:
    """Write the dataset at OUT as CSV files or an XLSX workbook. DEST: a
    folder (default OUT/export) or a file name (x.csv: the indicators, with
    the projects in x-projects.csv; x.xlsx: the workbook)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    out = Path(out)
    t = read_tables(out)
    projects, indicators = t.projects, t.indicators
    tables = {"indicators": in_dataset_order(indicators), "projects": in_dataset_order(projects)}
    paths = destinations(out, fmt, dest)
    if fmt == "csv":
        for name, path in zip(SHEETS, paths):
            write_csv(tables[name], path)
    else:
        write_xlsx(tables, paths[0])
    return Exported(tuple(paths), indicators.num_rows, projects.num_rows)


def destinations(out: Path, fmt: str, dest: str | os.PathLike[str] | None) -> list[Path]:
    target = Path(dest) if dest is not None else out / "export"
    if fmt == "csv":
        if target.suffix.lower() == ".csv":
            return [target, target.with_name(f"{target.stem}-projects.csv")]
        return [target / "indicators.csv", target / "projects.csv"]
    return [target if target.suffix.lower() == ".xlsx" else target / WORKBOOK]


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


def csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    return value


def write_csv(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(table.column_names)
        for r in rows(table):
            w.writerow([csv_cell(v) for v in r])
    os.replace(tmp, path)


def write_xlsx(tables: dict[str, pa.Table], path: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter
    except ModuleNotFoundError as e:
        raise MissingExtra("jixiao export --format xlsx", "excel") from e

    wb = Workbook(write_only=True)
    for name, table in tables.items():
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        for i, field in enumerate(table.schema, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column_width(field)
        ws.append([header_cell(ws, n) for n in table.column_names])
        for r in rows(table):
            ws.append([xlsx_cell(ws, v) for v in r])
        ws.auto_filter.ref = f"A1:{get_column_letter(max(table.num_columns, 1))}{table.num_rows + 1}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    os.replace(tmp, path)


def column_width(field: pa.Field) -> float:
    if pa.types.is_string(field.type) or pa.types.is_list(field.type):
        return 40 if field.name in ("project_name", "level3", "overall_goal", "annual_goal", "warnings") else 16
    return 12


def header_cell(ws, name: str):  # type: ignore[no-untyped-def]
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    c = WriteOnlyCell(ws, value=name)
    c.font = Font(bold=True)
    return c


def xlsx_cell(ws, value: object):  # type: ignore[no-untyped-def]
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, list):
        value = "\n".join(value)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be stored in XLSX
        if text.startswith("="):
            c = WriteOnlyCell(ws, value=text)
            c.data_type = "s"  # text as printed, never a formula
            return c
        return text
    if isinstance(value, dt.date):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = "yyyy-mm-dd"
        return c
    return value
