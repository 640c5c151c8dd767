"""Progress and end-of-run summary, on stderr (stdout stays clean).

On a terminal: a bar (files, pages with the OCR share, elapsed time, ETA),
one line per file being read (its pages, how long it has been read), and at
the end a summary table that names the forms with warnings and the files
read only in part. Elsewhere (a log, a pipe, CI): no bar, and the summary is
one plain line.

The files in flight are the first unfinished ones in the order they were
given to the executor (which starts them in that order, one per worker); the
ETA comes from the pages left, using the page counts read up front (cheaply,
in a child process) and the pages per second so far.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache, partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .run import RunSummary
from .task import ERROR, NO_FORMS, OK, PARTIAL, FileResult, pages_file

# An OCR page costs about 50 text-layer pages (README, Throughput: ~1.1 s vs ~0.02 s).
OCR_WEIGHT = 50
NAME_WIDTH = 40  # terminal cells of a file name in flight
NAMED_FORMS = 10  # forms with warnings named in the summary; `jixiao check` lists all


def page_count(path: str) -> int:
    """Pages of a PDF without reading it (0 if it cannot be opened)."""
    return survey(path)[0]


def survey(path: str) -> tuple[int, int]:
    """(pages, pages that will go through OCR) of a PDF, from the same text
    layer check the reader makes (a page whose text layer is absent or garbled
    is always read by OCR); (0, 0) if it cannot be opened. Only an estimate
    for the display: the task reports the real problems."""
    from ..extract.source import PdfSource
    from ..extract.triage import triage_page

    try:
        with PdfSource(path) as source:
            ocr = 0
            for index in range(source.page_count):
                state, _ = triage_page(source, index, source.page_text(index))
                ocr += state != "sound"
            return source.page_count, ocr
    except Exception:  # noqa: BLE001 - an estimate; a file that cannot be read is reported by its task
        return 0, 0


def _quiet_child() -> None:
    # Ctrl-C reaches the whole process group: the run handles it; the survey
    # process only stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def ocr_pages(result: FileResult) -> int:
    return sum(1 for d in result.page_decisions if d.endswith(":ocr"))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def stderr_is_terminal() -> bool:
    """What rich's Console(stderr=True).is_terminal says, without importing
    rich (0.02-0.03 CPU-s of a run's start-up) where the answer is plainly
    no: stderr is no terminal and no variable rich reads says otherwise
    (a Jupyter kernel or IDLE is no terminal either)."""
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        plain = isatty is None or not isatty()
    except ValueError:  # closed
        plain = True
    if plain and "FORCE_COLOR" not in os.environ and "TTY_COMPATIBLE" not in os.environ:
        return False
    from rich.console import Console

    return Console(stderr=True).is_terminal


@cache
def _columns() -> tuple[type, type]:
    """The bar's own columns (rich imported only where a bar is shown)."""
    from rich.cells import cell_len, set_cell_size
    from rich.progress import ProgressColumn
    from rich.text import Text

    class _MainOnly(ProgressColumn):
        """A column of the files row, blank on the rows of the files in flight."""

        def __init__(self, inner: ProgressColumn) -> None:
            super().__init__()
            self.inner = inner

        def render(self, task: Task) -> RenderableType:
            return Text("") if task.fields.get("slot") else self.inner.render(task)

    class _Label(ProgressColumn):
        """First column: "files" on the files row; on the row of a file being
        read, its name, pages and the time spent on it (ticking)."""

        def __init__(self, progress: Progress) -> None:
            super().__init__()
            self.progress = progress

        def render(self, task: Task) -> RenderableType:
            if not task.fields.get("slot"):
                return Text("files", style="bold")
            since = task.fields.get("since")
            spent = duration(time.monotonic() - since) if isinstance(since, float) else ""
            path = str(task.fields.get("path", ""))
            name = Path(path).name
            if cell_len(name) > NAME_WIDTH:  # CJK characters take two cells of the terminal
                name = set_cell_size(name, NAME_WIDTH - 1) + "…"
            size = self.progress.size_of(path)  # live: the page survey runs meanwhile
            # One line per file, cut short rather than wrapped (the bar's other columns share the width).
            # Pages and time first: a long name is what gets cut.
            return Text(
                f"  ↳ {size}{', ' if size else ''}{spent}  {name}", style="dim", no_wrap=True, overflow="ellipsis"
            )

    return _MainOnly, _Label


if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.progress import Task


class Progress:
    def __init__(
        self,
        total: int,
        quiet: bool = False,
        files: Sequence[str | Path] = (),
        jobs: int = 1,
        pages_dir: str | None = None,
    ) -> None:
        # Without a bar (-q, a log, a pipe) rich is not imported at all.
        self.enabled = not quiet and stderr_is_terminal()
        self.total = total
        self.pages = 0
        self.ocr = 0
        self.done = 0
        self._order = [str(f) for f in files]
        self._finished: set[str] = set()
        self._since: dict[str, float] = {}
        self._pages_of: dict[str, int] = {}
        self._ocr_of: dict[str, int] = {}  # pages each file will read by OCR
        self._cost_read = 0.0  # work done, in text-page units (OCR pages weigh OCR_WEIGHT)
        self._pages_read = 0  # pages of the files read in this run (not the skipped ones)
        self._jobs = max(1, jobs)
        self._first = 0  # files before this index in _order are all finished (in_flight starts here)
        self._left = 0.0  # cost of the surveyed files not finished, in text-page units (eta)
        self.pages_dir = pages_dir  # where the tasks tell their pages done (pipelines.task.pages_file)
        self._start = time.monotonic()
        self._bar: Any = None  # rich's Progress, where a bar is shown
        self._slots: list[Any] = []
        self._survey: ProcessPoolExecutor | None = None
        if self.enabled:
            self._make_bar(total)
            if self._order:
                self._start_survey()

    def _make_bar(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        main_only, label = _columns()
        self._bar = RichProgress(
            label(self),
            main_only(BarColumn()),
            main_only(MofNCompleteColumn()),
            main_only(TextColumn("{task.fields[pages]}")),
            main_only(TimeElapsedColumn()),
            main_only(TextColumn("ETA {task.fields[eta]}")),
            main_only(TextColumn("{task.fields[current]}")),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._bar.add_task("files", total=total, pages="0 pages", eta="–", current="")
        self._slots = [
            self._bar.add_task("", total=None, visible=False, slot=True, pages="", eta="", current="")
            for _ in range(self._jobs)
        ]

    def _start_survey(self) -> None:
        """Survey the files in a child process: PDFium is not thread-safe (not
        even across documents), and the run may read PDFs in this process."""
        self._survey = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_quiet_child
        )
        for f in self._order:
            self._survey.submit(survey, f).add_done_callback(partial(self._surveyed, f))

    def _surveyed(self, path: str, done: Future) -> None:
        if done.cancelled() or done.exception() is not None or path in self._pages_of:
            return  # a file skipped meanwhile stays at 0
        self.counted(path, *done.result())

    def counted(self, path: str, pages: int, ocr: int) -> None:
        """The survey's count of a file: its pages, and how many go to OCR."""
        if path in self._pages_of:
            return
        self._ocr_of[path] = ocr
        self._pages_of[path] = pages
        if path not in self._finished:
            self._left += self._cost(path)

    def __enter__(self) -> Progress:  # noqa: PYI034 - not subclassed
        if self._bar is not None:
            self._bar.__enter__()
        self._refresh()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self._survey is not None:
            self._survey.shutdown(wait=False, cancel_futures=True)
        if self._bar is None:
            return
        for slot in self._slots:
            self._bar.update(slot, visible=False)
        self._bar.__exit__(et, e, tb)

    # -- events -----------------------------------------------------------------------------------------------------

    def advance(self, result: FileResult) -> None:
        self.pages += result.pages
        self.ocr += ocr_pages(result)
        self._pages_read += result.pages
        self._cost_read += result.pages + (OCR_WEIGHT - 1) * ocr_pages(result)
        self._finish(result.path)
        marks = f" (OCR {ocr_pages(result)} p.)" if ocr_pages(result) else ""
        self._refresh(current=f"last: {Path(result.path).name}{marks}")

    def skip(self, path: Path) -> None:
        self._finish(str(path), counted=False)
        self._refresh(current=f"{path.name} (done before)")

    def _finish(self, path: str, counted: bool = True) -> None:
        self.done += 1
        if path in self._pages_of and path not in self._finished:
            self._left -= self._cost(path)
        self._finished.add(path)
        if not counted:
            self._pages_of[path] = 0  # nothing to read: not in the ETA

    def _cost(self, path: str) -> float:
        return self._pages_of.get(path, 0) + (OCR_WEIGHT - 1) * self._ocr_of.get(path, 0)

    # -- display ----------------------------------------------------------------------------------------------------

    def in_flight(self) -> list[str]:
        """The files most likely being read now: the first unfinished ones."""
        # Incremental, not a scan of every file per refresh (quadratic over a long run).
        while self._first < len(self._order) and self._order[self._first] in self._finished:
            self._first += 1
        flying: list[str] = []
        for f in itertools.islice(self._order, self._first, None):
            if len(flying) == self._jobs:
                break
            if f not in self._finished:
                flying.append(f)
        now = time.monotonic()
        for f in flying:
            self._since.setdefault(f, now)
        return flying

    def size_of(self, path: str) -> str:
        """"12/35 p. [OCR 3 p.]": pages done (as the task reading the file tells
        them), of the pages the survey counted."""
        n, ocr = self._pages_of.get(path), self._ocr_of.get(path, 0)
        done = self.pages_done(path)
        if done is not None:
            n = n or done[1]
        pages = (f"{done[0]}/{n} p." if done is not None else f"{n} p.") if n else ""
        return pages + (f" [OCR {ocr} p.]" if ocr else "")

    def pages_done(self, path: str) -> tuple[int, int] | None:
        """(pages done, pages) of a file being read, or None before its first page."""
        if not self.pages_dir:
            return None
        try:
            done, total = pages_file(self.pages_dir, path).read_text().split()
            return int(done), int(total)
        except (OSError, ValueError):
            return None

    def eta(self) -> float | None:
        """Seconds left, from the pages left and the pages per second so far
        (an OCR page counts as OCR_WEIGHT text pages)."""
        elapsed = time.monotonic() - self._start
        if self._pages_read == 0 or elapsed <= 0:
            return None
        if len(self._pages_of) == len(self._order) and self._order:
            return max(self._left, 0.0) / (self._cost_read / elapsed)
        if self.done == 0:
            return None
        return (self.total - self.done) * elapsed / self.done

    def _refresh(self, current: str | None = None) -> None:
        if not self.enabled:
            return
        pages = f"{self.pages} pages" + (f" ({self.ocr} OCR)" if self.ocr else "")
        fields: dict[str, object] = {"pages": pages, "eta": duration(self.eta())}
        if current is not None:
            fields["current"] = current
        self._bar.update(self._task, completed=self.done, **fields)  # type: ignore[arg-type]
        flying = self.in_flight()
        for i, slot in enumerate(self._slots):
            if i < len(flying):
                f = flying[i]
                self._bar.update(slot, visible=True, path=f, since=self._since[f])
            else:
                self._bar.update(slot, visible=False)

    def console_line(self, message: str) -> None:
        """One line on stderr, above the bar when there is one."""
        if self.enabled:
            self._bar.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            print(message, file=sys.stderr, flush=True)

    @staticmethod
    def print_summary(summary: RunSummary, out: str) -> None:
        if not stderr_is_terminal():
            print(summary_line(summary, out), file=sys.stderr, flush=True)
            return
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        console = Console(stderr=True)
        table = Table(title=f"jixiao → {out}", show_header=True)
        # "skipped": done before (same sha256 and jixiao version).
        cols = ("files ok", "partial", "no forms", "errors", "skipped", "forms", "with warnings", "indicators",
                "pages", "OCR pages", "time")  # fmt: skip
        for col in cols:
            table.add_column(col, justify="right")
        warned = forms_with_warnings(summary)
        table.add_row(
            str(summary.count(OK)),
            f"[yellow]{summary.count(PARTIAL)}[/]" if summary.count(PARTIAL) else "0",
            str(summary.count(NO_FORMS)),
            f"[red]{summary.count(ERROR)}[/]" if summary.count(ERROR) else "0",
            str(len(summary.skipped)),
            str(summary.forms),
            f"[yellow]{len(warned)}[/]" if warned else "0",
            str(summary.indicators),
            str(summary.pages),
            str(sum(ocr_pages(r) for r in summary.results)),
            f"{summary.seconds:.1f} s",
        )
        console.print(table)
        for r in summary.results:
            if r.status == PARTIAL:
                console.print(Text(f"partial: {r.error or Path(r.path).name}", style="yellow"))
        if warned:
            console.print(Text(f"{len(warned)} forms with warnings (all of them: jixiao check {out}):"))
            for line in warned[:NAMED_FORMS]:
                console.print(Text(f"  {line}"))
            if len(warned) > NAMED_FORMS:
                console.print(Text(f"  … and {len(warned) - NAMED_FORMS} more"))


def forms_with_warnings(summary: RunSummary) -> list[str]:
    """One line per form with warnings: file, form, name, how many."""
    lines = []
    for r in summary.results:
        for seq, name, first_page, warnings in r.released().warned_forms:
            lines.append(
                f"{Path(r.path).name} form {seq} (p.{first_page}) '{name or '–'}': "
                f"{len(warnings)} warning{'s' if len(warnings) > 1 else ''}"
            )
    return lines


def summary_line(summary: RunSummary, out: str) -> str:
    line = (
        f"jixiao: {out}: {summary.count(OK)} ok, {summary.count(PARTIAL)} partial, {summary.count(NO_FORMS)} no forms, "
        f"{summary.count(ERROR)} errors, {len(summary.skipped)} done before; "
        f"{summary.forms} forms, {summary.indicators} indicators, {summary.pages} pages in {summary.seconds:.1f} s"
    )
    extra = []
    warned = len(forms_with_warnings(summary))
    if warned:
        extra.append(f"{warned} forms with warnings")
    ocr = sum(ocr_pages(r) for r in summary.results)
    if ocr:
        extra.append(f"{ocr} pages by OCR")
    if extra:
        line += f"; {', '.join(extra)} (jixiao check {out})"
    return line
