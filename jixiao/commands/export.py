"""jixiao export OUT --format csv|xlsx [--dest FILE_OR_DIR]"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ExitCode
from . import help_format

EXAMPLE = """\
Example:
  jixiao export data/parquet --format xlsx --dest jixiao.xlsx
  jixiao export data/parquet --format csv --dest exports/
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    x = sub.add_parser(
        "export",
        help="write the tables as CSV or XLSX for Excel",
        description="Write the indicator and project tables of the dataset at OUT for Excel: CSV (UTF-8 with BOM, "
        "indicators.csv and projects.csv) or XLSX (one workbook, sheets indicators and projects).",
        epilog=EXAMPLE,
        formatter_class=help_format(),
    )
    x.add_argument("out", metavar="OUT", help="dataset folder (as given to jixiao extract --out)")
    x.add_argument("--format", "-f", choices=("csv", "xlsx"), required=True, help="file format")
    x.add_argument(
        "--dest",
        metavar="FILE_OR_DIR",
        help="folder (default: OUT/export), or a file: x.xlsx, or x.csv (projects then go to x-projects.csv)",
    )
    return x


def run(args: argparse.Namespace) -> int:
    from ..pipelines.run import stderr_line
    from ..report.export import export

    if not Path(args.out).is_dir():
        stderr_line(f"jixiao: {args.out}: no such folder")
        return ExitCode.usage
    result = export(args.out, args.format, args.dest)
    for path in result.files:
        print(path)
    return ExitCode.ok
