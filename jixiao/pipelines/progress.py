"""Progress bar and end-of-run summary (rich); quiet when not a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from .run import RunSummary
from .task import FileResult


class Progress:
    def __init__(self, total: int, quiet: bool = False) -> None:
        self.err = Console(stderr=True)
        self.enabled = not quiet and sys.stderr.isatty()
        self.pages = 0
        self._bar = RichProgress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[pages]} pages"),
            TextColumn("{task.fields[current]}"),
            TimeElapsedColumn(),
            console=self.err,
            disable=not self.enabled,
        )
        self._task = self._bar.add_task("files", total=total, pages=0, current="")

    def __enter__(self) -> Progress:
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
            self._bar.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr, flush=True)

    @staticmethod
    def print_summary(summary: RunSummary, out: str) -> None:
        console = Console(stderr=True)
        table = Table(title=f"jixiao → {out}", show_header=True)
        for col in ("files ok", "no forms", "errors", "skipped (done before)", "forms", "indicators", "pages", "seconds"):
            table.add_column(col, justify="right")
        table.add_row(
            str(summary.count("ok")),
            str(summary.count("no_forms")),
            str(summary.count("error")),
            str(len(summary.skipped)),
            str(summary.forms),
            str(summary.indicators),
            str(summary.pages),
            f"{summary.seconds:.1f}",
        )
        console.print(table)
