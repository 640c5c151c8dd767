"""jixiao extract PATH... --out DIR"""

from __future__ import annotations

import argparse
import os
import tempfile

from ..errors import ExitCode, UsageError, printable
from ..limits import GIB, MIB, Limits
from . import help_format

PASSWORD_ENV = "JIXIAO_PASSWORD"


def password(args: argparse.Namespace) -> str | None:
    """--password, else --password-file's first line, else $JIXIAO_PASSWORD."""
    if args.password is not None and args.password_file is not None:
        raise UsageError("give --password or --password-file, not both")
    if args.password_file is not None:
        try:
            with open(args.password_file, encoding="utf-8") as f:
                return f.readline().rstrip("\r\n")
        except OSError as e:
            raise UsageError(f"{args.password_file}: cannot read the password file ({e.strerror})") from e
    return args.password if args.password is not None else os.environ.get(PASSWORD_ENV) or None


def limits(args: argparse.Namespace) -> Limits:
    def opt(value: float | None, default: float | None, scale: float) -> float | None:
        if value is None:
            return default
        if value < 0:
            raise UsageError("the --timeout and --max-* options take a positive number (0: no limit)")
        return None if value == 0 else value * scale

    d = Limits()
    memory = opt(args.max_memory, d.memory_bytes, GIB)
    pixels = opt(args.max_page_pixels, d.page_pixels, 1e6)
    images = opt(args.max_image_mb, d.image_bytes, MIB)
    streams = opt(args.max_stream_mb, d.stream_bytes, MIB)
    return Limits(
        page_pixels=None if pixels is None else int(pixels),
        image_bytes=None if images is None else int(images),
        stream_bytes=None if streams is None else int(streams),
        memory_bytes=None if memory is None else int(memory),
        seconds=opt(args.timeout, d.seconds, 1.0),
    )

EXAMPLE = """\
Example:
  jixiao extract data/raw --out data/parquet
  jixiao extract 2024/*.pdf --out archive -j 4
  jixiao extract data/raw --out archive --executor dask --scheduler tcp://10.0.0.5:8786

Exit codes: 0 every file read (files without forms included), 1 some file
could not be read or only in part (each named on stderr, the others are
written), 2 usage, 3 the dataset could not be written, 130/143 interrupted.
Passwords: --password-file FILE (first line) or $JIXIAO_PASSWORD keep them
out of `ps`.
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
    e.add_argument(
        "--password",
        help=f"password for encrypted PDFs (not needed for owner-only protection); visible in `ps`: prefer "
        f"--password-file or ${PASSWORD_ENV}",
    )
    e.add_argument("--password-file", metavar="FILE", help="read the password from the first line of FILE")
    e.add_argument("--timeout", type=float, metavar="SECONDS", help=f"wall time per file (default {Limits().seconds:g}; 0: none)")
    e.add_argument(
        "--max-memory",
        type=float,
        metavar="GB",
        help=f"memory a file may take to read (default {(Limits().memory_bytes or 0) / GIB:g}; 0: none)",
    )
    e.add_argument(
        "--max-image-mb",
        type=float,
        metavar="MB",
        help=f"decompressed size of a page's images (default {(Limits().image_bytes or 0) / MIB:g}; 0: none)",
    )
    e.add_argument(
        "--max-stream-mb",
        type=float,
        metavar="MB",
        help=f"decompressed size of a content stream or font program (default {(Limits().stream_bytes or 0) / MIB:g}; 0: none)",
    )
    e.add_argument(
        "--max-page-pixels",
        type=float,
        metavar="MPX",
        help=f"largest page image rendered for OCR, in megapixels (default {(Limits().page_pixels or 0) / 1e6:g}; 0: none)",
    )
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
    from ..pipelines.executors import get_executor
    from ..pipelines.progress import Progress
    from ..pipelines.run import find_pdfs, run, stderr_line
    from ..pipelines.task import ERROR, FileResult

    secret, file_limits = password(args), limits(args)

    missing = [p for p in args.paths if not os.path.lexists(p)]  # a link loop is reported by the run
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
        executor = get_executor("dask", args.jobs, len(files), args.scheduler, file_limits)

    with (
        tempfile.TemporaryDirectory(prefix="jixiao-pages-") as pages_dir,
        Progress(total=len(files), quiet=args.quiet, files=files, jobs=args.jobs, pages_dir=pages_dir) as progress,
    ):

        def line(message: str) -> None:
            # Names reach the terminal escaped: no newline or escape code from a file name.
            progress.console_line(f"jixiao: {printable(message)}")

        def on_result(r: FileResult) -> None:
            if r.status == ERROR:
                line(r.error)
                if args.debug and r.traceback:
                    progress.console_line(r.traceback.rstrip())
            if r.status != ERROR and r.error:  # no forms, partial: say what was looked at
                line(r.error)
            progress.advance(r)

        summary = run(
            files,
            args.out,
            jobs=args.jobs,
            force=args.force,
            password=secret,
            limits=file_limits,
            executor=executor,
            on_result=on_result,
            on_skip=progress.skip,
            on_note=line,
            pages_dir=pages_dir if progress.enabled else None,  # pages done, for the display only
        )
        for lost in summary.lost:
            line(lost)
    if not args.quiet:
        Progress.print_summary(summary, args.out)
    return ExitCode.some_failed if summary.failed else ExitCode.ok
