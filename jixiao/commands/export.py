"""jixiao export OUT --format csv|xlsx|duckdb|sqlite [--dest FILE_OR_DIR]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ExitCode
from . import help_format

EXAMPLE = """\
Example:
  jixiao export data/parquet --format xlsx --dest jixiao.xlsx
  jixiao export data/parquet --format csv --dest exports/
  jixiao export data/parquet --format sqlite --dest jixiao.db
  jixiao export data/parquet --format duckdb --dest jixiao.duckdb
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    x = sub.add_parser(
        "export",
        help="write the tables as CSV, XLSX, or a DuckDB / SQLite database",
        description="Write the indicator and project tables of the dataset at OUT, with the review's findings: "
        "CSV (UTF-8 with BOM: indicators.csv, projects.csv, review.csv, review-summary.csv), XLSX (one workbook "
        "with those sheets, the review rules and a data dictionary with Chinese column titles), or one DuckDB or "
        "SQLite database with the tables and the views indicators_annual, indicators_with_project and review "
        "(browse the SQLite file with `datasette jixiao.db`).",
        epilog=EXAMPLE,
        formatter_class=help_format(),
    )
    x.add_argument("out", metavar="OUT", help="dataset folder (as given to jixiao extract --out)")
    x.add_argument(
        "--format", "-f", choices=("csv", "xlsx", "duckdb", "sqlite"), required=True, help="file format"
    )
    x.add_argument(
        "--dest",
        metavar="FILE_OR_DIR",
        help="folder (default: OUT/export), or a file: x.xlsx, x.duckdb, x.db, or x.csv (the other tables then go "
        "to x-projects.csv, x-review.csv, x-review-summary.csv)",
    )
    return x


def run(args: argparse.Namespace) -> int:
    from ..report.export import export

    if not Path(args.out).is_dir():
        print(f"jixiao: {args.out}: no such folder", file=sys.stderr)
        return ExitCode.usage
    result = export(args.out, args.format, args.dest)
    for path in result.files:
        print(path)
    return ExitCode.ok
