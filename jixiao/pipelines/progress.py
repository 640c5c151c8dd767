"""Progress bar and end-of-run summary, on stderr (stdout stays clean).

On a terminal: a rich bar (files, pages, last file) and a summary table.
Elsewhere (a log, a pipe, CI): no bar, and the summary is one plain line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from .run import RunSummary
from .task import ERROR, NO_FORMS, OK, PARTIAL, FileResult


class Progress:
    def __init__(self, total: int, quiet: bool = False) -> None:
        self.err = Console(stderr=True)
        self.enabled = not quiet and self.err.is_terminal
        self.pages = 0
        self._bar = RichProgress(
            TextColumn("[bold]files"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[pages]} pages"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}"),
            console=self.err,
            disable=not self.enabled,
            transient=False,
        )
        self._task = self._bar.add_task("files", total=total, pages=0, current="")

    def __enter__(self) -> Progress:  # noqa: PYI034 - not subclassed
        self._bar.__enter__()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._bar.__exit__(et, e, tb)

    def advance(self, result: FileResult) -> None:
        self.pages += result.pages
        self._bar.update(self._task, advance=1, pages=self.pages, current=Path(result.path).name)

    def skip(self, path: Path) -> None:
        self._bar.update(self._task, advance=1, current=f"{path.name} (done before)")

    def console_line(self, message: str) -> None:
        """One line on stderr, above the bar when there is one."""
        if self.enabled:
            self._bar.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            print(message, file=sys.stderr, flush=True)

    @staticmethod
    def print_summary(summary: RunSummary, out: str) -> None:
        console = Console(stderr=True)
        if not console.is_terminal:
            print(summary_line(summary, out), file=sys.stderr, flush=True)
            return
        table = Table(title=f"jixiao → {out}", show_header=True)
        # "skipped": done before (same sha256 and jixiao version).
        for col in ("files ok", "partial", "no forms", "errors", "skipped", "forms", "indicators", "pages", "time"):
            table.add_column(col, justify="right")
        table.add_row(
            str(summary.count(OK)),
            f"[yellow]{summary.count(PARTIAL)}[/]" if summary.count(PARTIAL) else "0",
            str(summary.count(NO_FORMS)),
            f"[red]{summary.count(ERROR)}[/]" if summary.count(ERROR) else "0",
            str(len(summary.skipped)),
            str(summary.forms),
            str(summary.indicators),
            str(summary.pages),
            f"{summary.seconds:.1f} s",
        )
        console.print(table)


def summary_line(summary: RunSummary, out: str) -> str:
    return (
        f"jixiao: {out}: {summary.count(OK)} ok, {summary.count(NO_FORMS)} no forms, "
        f"{summary.count(ERROR)} errors, "
        + (f"{summary.count('partial')} partial, " if summary.count("partial") else "")  # read in part
        + f"{len(summary.skipped)} done before; "
        f"{summary.forms} forms, {summary.indicators} indicators, {summary.pages} pages in {summary.seconds:.1f} s"
    )
