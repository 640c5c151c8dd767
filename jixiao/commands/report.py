"""jixiao report OUT [--source FILE] [--dest DIR]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ExitCode
from . import help_format

EXAMPLE = """\
Example:
  jixiao report data/parquet
  jixiao report data/parquet --source shpf-2023.pdf --dest /tmp/review
  open data/parquet/report/index.html    (xdg-open on Linux, start on Windows)
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    r = sub.add_parser(
        "report",
        help="write a static HTML review report",
        description="Write a static HTML report for checking the dataset at OUT against its PDFs: an index of "
        "every form (filters by department, year, family, warnings and review findings) and of the source PDFs, "
        "and one page per form with its pages (zoomable), the extracted 三级指标, value, header and funds cells "
        "outlined, next to the extracted rows, warnings and review findings. Opens from disk (no server).",
        epilog=EXAMPLE,
        formatter_class=help_format(),
    )
    r.add_argument("out", metavar="OUT", help="dataset folder (as given to jixiao extract --out)")
    r.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="FILE",
        help="only this source PDF: a file name or path from the manifest, a sha256 prefix, or the PDF itself "
        "(then its pages are rendered from this copy; use it when the PDF has moved); repeatable",
    )
    r.add_argument("--dest", metavar="DIR", help="report folder (default: OUT/report)")
    r.add_argument("--dpi", type=int, default=150, help="resolution of the page images (default: 150)")
    r.add_argument("--password", help="password for encrypted source PDFs")
    return r


def run(args: argparse.Namespace) -> int:
    from ..report.render import build_report

    def stderr_line(message: str) -> None:
        print(message, file=sys.stderr)

    if not Path(args.out).is_dir():
        stderr_line(f"jixiao: {args.out}: no such folder")
        return ExitCode.usage
    if not 20 <= args.dpi <= 600:
        stderr_line("jixiao: --dpi must be between 20 and 600")
        return ExitCode.usage
    report = build_report(args.out, args.dest, sources=args.source, dpi=args.dpi, password=args.password)
    for problem in report.problems:
        stderr_line(f"jixiao: {problem}")
    print(report.index)
    return ExitCode.ok
