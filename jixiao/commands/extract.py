"""jixiao extract PATH... --out DIR"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import ExitCode, UsageError
from . import help_format

EXAMPLE = """\
Example:
  jixiao extract data/raw --out data/parquet
  jixiao extract 2024/*.pdf --out archive -j 4
  jixiao extract data/raw --out archive --executor dask --scheduler tcp://10.0.0.5:8786

Exit codes: 0 every file read (files without forms included), 1 some file
could not be read (each named on stderr, the others are written), 2 usage.
PDFs the manifest lists as read by this jixiao version are skipped (--force
reads them again); a run can be killed at any time and re-run.
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    e = sub.add_parser(
        "extract",
        help="read PDFs into the dataset",
        description="Read the forms in PDFs (files or folders) into OUT/projects, OUT/indicators "
        "and OUT/manifest.parquet.",
        epilog=EXAMPLE,
        formatter_class=help_format(),
    )
    e.add_argument("paths", nargs="+", metavar="PATH", help="PDF files or folders (searched recursively)")
    e.add_argument("--out", "-o", default="data/parquet", help="dataset folder (default: data/parquet)")
    e.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="parallel worker processes (default: number of cores); with --executor dask and no "
        "--scheduler, the LocalCluster's workers",
    )
    e.add_argument("--force", action="store_true", help="read again PDFs the manifest says are done")
    e.add_argument("--password", help="password for encrypted PDFs (not needed for owner-only protection)")
    e.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local: this machine's cores (default); dask: a dask.distributed cluster (pip install -e '.[dask]')",
    )
    e.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: start a LocalCluster)",
    )
    e.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary (errors still print)")
    e.add_argument("--debug", action="store_true", help="print the traceback of failures inside jixiao")
    return e


def run(args: argparse.Namespace) -> int:
    from ..pipelines.progress import Progress
    from ..pipelines.run import find_pdfs, get_executor, run, stderr_line
    from ..pipelines.task import ERROR, FileResult

    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        stderr_line(f"jixiao: {p}: no such file or folder")
    if missing:
        return ExitCode.usage
    if args.jobs < 1:
        raise UsageError("-j must be at least 1")
    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler goes with --executor dask")
    files = find_pdfs(args.paths)
    if not files:
        stderr_line(f"jixiao: no PDF files under {', '.join(args.paths)}")
        return ExitCode.ok
    executor = None
    if args.executor == "dask":
        executor = get_executor("dask", args.jobs, len(files), args.scheduler)

    with Progress(total=len(files), quiet=args.quiet, files=files, jobs=args.jobs) as progress:

        def on_result(r: FileResult) -> None:
            if r.status == ERROR:
                progress.console_line(f"jixiao: {r.error}")
                if args.debug and r.traceback:
                    progress.console_line(r.traceback.rstrip())
            for note in r.notes:
                progress.console_line(f"jixiao: {note}")
            if r.status != ERROR and r.error:  # no forms: say what was looked at
                progress.console_line(f"jixiao: {r.error}")
            progress.advance(r)

        def on_note(message: str) -> None:
            progress.console_line(f"jixiao: {message}")

        summary = run(
            files,
            args.out,
            jobs=args.jobs,
            force=args.force,
            password=args.password,
            executor=executor,
            on_result=on_result,
            on_skip=progress.skip,
            on_note=on_note,
        )
    if not args.quiet:
        Progress.print_summary(summary, args.out)
    return ExitCode.some_failed if summary.failed else ExitCode.ok
