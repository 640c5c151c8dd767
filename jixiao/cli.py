"""Command line: thin over the library. Known errors -> one line and an exit
code; anything else is a bug and keeps its traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import ExitCode

EXTRACT_EXAMPLE = """\
Example:
  jixiao extract data/raw --out data/parquet
  jixiao extract 2024/*.pdf --out archive -j 4
"""

MAIN_EXAMPLE = """\
Example:
  jixiao extract data/raw --out data/parquet
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jixiao",
        description="Budget performance-target forms (绩效目标表) from PDF to a Parquet dataset.",
        epilog=MAIN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser(
        "extract",
        help="read PDFs into the dataset",
        description="Read the forms in PDFs (files or folders) into OUT/projects, OUT/indicators and OUT/manifest.parquet.",
        epilog=EXTRACT_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument("paths", nargs="+", metavar="PATH", help="PDF files or folders (searched recursively)")
    e.add_argument("--out", "-o", default="data/parquet", help="dataset folder (default: data/parquet)")
    e.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="parallel worker processes")
    e.add_argument("--force", action="store_true", help="re-read PDFs the manifest says are done")
    e.add_argument("--password", help="password for encrypted PDFs")
    e.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "extract":
        return _extract(args)
    return ExitCode.usage


def _extract(args: argparse.Namespace) -> int:
    from .pipelines.progress import Progress
    from .pipelines.run import find_pdfs, run, stderr_line

    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        stderr_line(f"jixiao: {p}: no such file or folder")
    if missing:
        return ExitCode.usage
    if args.jobs < 1:
        stderr_line("jixiao: -j must be at least 1")
        return ExitCode.usage
    files = find_pdfs(args.paths)
    with Progress(total=len(files), quiet=args.quiet) as progress:

        def on_result(r):  # type: ignore[no-untyped-def]
            if r.status == "error":
                progress.console_line(f"jixiao: {r.error}")
            progress.advance(r)

        summary = run(
            args.paths,
            args.out,
            jobs=args.jobs,
            force=args.force,
            password=args.password,
            on_result=on_result,
            on_skip=progress.skip,
        )
    if not args.quiet:
        Progress.print_summary(summary, args.out)
    return ExitCode.some_failed if summary.count("error") else ExitCode.ok


if __name__ == "__main__":
    sys.exit(main())
