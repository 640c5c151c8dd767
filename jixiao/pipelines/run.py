"""The batch: find PDFs, skip those already done, map the per-file task,
write each result as it arrives, update the manifest, summarise.

The orchestrator does not know how files are mapped: an executor takes the
task and the files and yields results in any order (serial, a process pool
here, dask in ``dask_executor``). Output does not depend on the order: each
PDF's rows go to files named by its sha256, and the manifest is sorted.
Only this process writes; workers only read PDFs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from .. import __version__
from ..errors import CannotWrite, JixiaoError, OutputError, UsageError, WorkerDied, printable
from ..extract import sha256_file
from ..extract.engines import OCR_THREADS_ENV
from ..limits import Limits
from .guard import can_fork, forked, guarded, set_notes_dir, worker_death
from .manifest import DAMAGED_SUFFIX, NAME, PARTIAL, Manifest, path_bytes
from .task import ERROR, FileResult, failed, process_file
from .verify import verify
from .write import (
    existing_files,
    file_stem,
    is_dataset_error,
    quarantine,
    remove_files,
    remove_temp_files,
    rename_source,
    run_lock,
    write_result,
)

Task = Callable[[Path], FileResult]
Executor = Callable[[Task, list[Path]], Iterator[FileResult]]

MANIFEST_EVERY = 2.0  # seconds between manifest writes during a run
TASKS_PER_WORKER = 50  # then a fresh worker process: PDF libraries may leak


def find_pdfs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given; folders searched recursively for *.pdf (any case).
    Paths come back absolute (they are recorded in the manifest and may be
    read by workers elsewhere) and each file once.

    Anything named *.pdf that is not a folder is kept, also FIFOs, devices,
    broken links and link loops: the task gives each one line and a manifest
    row (without opening it) rather than skipping it silently."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix.lower() == ".pdf" and not q.is_dir())
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        try:
            key = p.resolve()
        except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13)
            key = Path(os.path.abspath(p))
        if key not in seen:
            seen.add(key)
            unique.append(Path(os.path.abspath(p)))
    return unique


@dataclass
class RunSummary:
    results: list[FileResult] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # done before (same sha256 and version)
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)  # (file, same content as)
    renamed: list[tuple[str, Path]] = field(default_factory=list)  # (old name, new path)
    superseded: list[str] = field(default_factory=list)  # sha256 of contents replaced at their path
    lost: list[str] = field(default_factory=list)  # damaged sources whose PDF is gone: one line each
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        """Some input was not read, or only in part (exit code 1)."""
        return self.count(ERROR) > 0 or self.count(PARTIAL) > 0 or bool(self.lost)

    @property
    def forms(self) -> int:
        return sum(r.forms for r in self.results)

    @property
    def indicators(self) -> int:
        return sum(r.indicator_rows for r in self.results)

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results)


# --- executors ---------------------------------------------------------------


def serial(task: Task, files: list[Path]) -> Iterator[FileResult]:
    for f in files:
        yield task(f)


def process_pool(jobs: int, limits: Limits | None = None) -> Executor:
    """``jobs`` worker processes, one PDF at a time each. At most two files
    per worker are queued, so results (and memory) never pile up. A worker
    that dies (a crash inside a PDF library, the OOM killer) breaks the
    pool: the files it held are read again one by one in a fresh process,
    so that only the file that kills its reader gets the blame. A worker its
    watchdog ended (a file stuck past its time limit) leaves a note: that
    file is recorded as ``timeout`` at once."""
    limits = limits or Limits()

    def run(task: Task, files: list[Path]) -> Iterator[FileResult]:
        pending = deque(files)
        with tempfile.TemporaryDirectory(prefix="jixiao-run-") as notes:
            while pending:
                suspects: list[Path] = []
                before = len(pending)
                yield from _pool_pass(task, pending, jobs, suspects, notes, limits)
                for f in suspects:
                    yield _isolated(task, f, notes, limits)
                if pending and len(pending) == before and not suspects:
                    # The pool broke before taking any file: make progress anyway.
                    yield _isolated(task, pending.popleft(), notes, limits)

    return run


def _new_pool(jobs: int, notes: str) -> ProcessPoolExecutor:
    # spawn, not fork: the parent has threads (progress bar); fork would copy
    # their locks. Workers exit when the parent dies (see _watch_parent).
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        max_tasks_per_child=TASKS_PER_WORKER,
        initializer=_worker_init,
        initargs=(os.getpid(), max(1, (os.cpu_count() or 1) // jobs), notes),
    )


def _stop(pool: ProcessPoolExecutor, now: bool) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    if now:
        # Interrupted: workers only read, so ending them loses nothing, and
        # waiting for a long file would delay the exit (and the lock).
        for proc in procs:
            with contextlib.suppress(Exception):
                proc.terminate()


def _pool_pass(
    task: Task, pending: deque[Path], jobs: int, suspects: list[Path], notes: str, limits: Limits
) -> Iterator[FileResult]:
    pool = _new_pool(jobs, notes)
    in_flight: dict[Future[FileResult], Path] = {}
    finished = False
    try:
        while pending or in_flight:
            while pending and len(in_flight) < 2 * jobs:
                f = pending.popleft()
                try:
                    in_flight[pool.submit(task, f)] = f
                except BrokenProcessPool:
                    pending.appendleft(f)
                    suspects.extend(in_flight.values())
                    finished = True
                    return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                f = in_flight.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    death = worker_death(notes, f, limits)
                    if death is not None:
                        yield failed(f, death)
                    else:
                        suspects.append(f)
                    broken = True
                except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    yield failed(f, e)
            if broken:
                for f in in_flight.values():
                    death = worker_death(notes, f, limits)
                    if death is not None:
                        yield failed(f, death)
                    else:
                        suspects.append(f)
                in_flight.clear()
                finished = True
                return
        pool.shutdown(wait=True)
        finished = True
    finally:
        _stop(pool, now=not finished)


def _isolated(task: Task, f: Path, notes: str, limits: Limits) -> FileResult:
    pool = _new_pool(1, notes)
    finished = False
    try:
        result = pool.submit(task, f).result()
        finished = True
        return result
    except BrokenProcessPool:
        finished = True
        return failed(f, worker_death(notes, f, limits) or WorkerDied(str(f)))
    except Exception as e:  # noqa: BLE001
        finished = True
        return failed(f, e)
    finally:
        _stop(pool, now=not finished)


def _worker_init(parent: int, ocr_threads: int, notes: str) -> None:
    # N workers share the cores: each OCR recogniser gets its share of them
    # (unless the user set the cap).
    os.environ.setdefault(OCR_THREADS_ENV, str(ocr_threads))
    # Ctrl-C reaches the whole process group: the parent handles it (and ends
    # the workers); a worker printing its own KeyboardInterrupt traceback
    # would only be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_notes_dir(notes)
    # Imported here, not inside the first file's time limit.
    import playa  # noqa: F401

    from ..extract import textlayer  # noqa: F401
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """A killed run must not leave workers behind: they only read, so
    stopping them at any point loses nothing."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def local_executor(jobs: int, files: int, limits: Limits | None = None) -> Executor:
    if jobs <= 1 or files <= 1:
        # Each file in a child forked for it: the memory limit and the watchdog hold (see guard).
        return forked(limits or Limits()) if can_fork() else serial
    return process_pool(min(jobs, files), limits)


def get_executor(
    name: str, jobs: int, files: int, scheduler: str | None = None, limits: Limits | None = None
) -> Executor:
    if name == "local":
        if scheduler:
            raise UsageError("--scheduler goes with --executor dask")
        return local_executor(jobs, files, limits)
    if name == "dask":
        from .dask_executor import dask_executor

        return dask_executor(scheduler, jobs, limits)
    raise UsageError(f"unknown executor {name!r}; known: local, dask")


# --- the run -------------------------------------------------------------------


def run(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    jobs: int = 1,
    force: bool = False,
    password: str | None = None,
    limits: Limits | None = None,
    executor: Executor | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    on_skip: Callable[[Path], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    version: str = __version__,
    pages_dir: str | None = None,
) -> RunSummary:
    start = time.perf_counter()
    outdir = Path(out)
    files = find_pdfs(paths)
    summary = RunSummary()
    note = on_note or (lambda message: None)
    limits = limits or Limits()

    def emit(result: FileResult) -> None:
        if on_result:
            on_result(result)
        summary.results.append(result.released())  # the rows are in the dataset now

    with run_lock(outdir):
        remove_temp_files(outdir)
        manifest = Manifest(outdir)
        if manifest.rebuilt:
            note(f"{manifest.rebuilt.split(';')[0]}; rebuilt from the data files ({len(manifest.rows)} sources), "
                 f"the damaged one kept as {NAME}{DAMAGED_SUFFIX}")
        todo = plan(files, manifest, outdir, summary, force=force, version=version, note=note)
        for f in summary.skipped:
            if on_skip:
                on_skip(f)
        if executor is None:
            executor = local_executor(jobs, len(todo), limits)
        # pages_dir: where each task tells its pages done, for the progress display.
        task = partial(guarded, process_file, limits=limits, password=password, version=version, pages_dir=pages_dir)
        copies: dict[str, list[Path]] = {}
        for other, keep in summary.duplicates:
            copies.setdefault(str(keep), []).append(other)
        last_save = time.monotonic()
        results = executor(task, todo)
        try:
            for result in results:
                result = _write(outdir, result)
                if not manifest.record(result, version):
                    note(f"{printable(Path(result.path).name)}: keeping the rows of its earlier successful read")
                elif result.status != ERROR:
                    for old in manifest.supersede(result):
                        remove_files(existing_files(outdir, old["source_sha256"]))
                        note(f"{printable(result.path)}: new content at this path supersedes the earlier read "
                             f"({old['source_sha256'][:12]}: its {old['indicators']} indicator rows removed)")
                        summary.superseded.append(old["source_sha256"])
                emit(result)
                for other in copies.get(result.path, []):
                    if result.status == ERROR:  # each bad file gets its own line and row
                        copy = replace(result, path=str(other), error=result.error.replace(result.path, str(other)))
                        manifest.record(copy, version)
                        emit(copy)
                    else:
                        note(f"{printable(str(other))}: same content as {printable(result.path)}; read once")
                if time.monotonic() - last_save >= MANIFEST_EVERY:
                    manifest.save()
                    last_save = time.monotonic()
        except BaseException:
            # Ctrl-C, SIGTERM, a dataset that cannot be written: rows of the files
            # written so far are kept; the first error is the one reported.
            _close(results)
            with contextlib.suppress(OutputError):
                manifest.save()
            raise
        manifest.save()
    summary.seconds = time.perf_counter() - start
    return summary


def _close(results: Iterator[FileResult]) -> None:
    close = getattr(results, "close", None)
    if close is not None:
        close()  # stops the pool now (its finally), not at interpreter exit


def _write(out: Path, result: FileResult) -> FileResult:
    """Write one file's rows. A write that fails for this file only (a name the
    file system refuses, a partition folder without permission) becomes its
    error; a full or read-only disk stops the run, naming the file it was
    writing."""
    if result.status == ERROR:
        return result
    try:
        write_result(out, result)
    except CannotWrite as e:
        if is_dataset_error(e):
            raise CannotWrite(e.path, e.detail, source=printable(result.path), errno=e.errno) from e
        reason = f"{result.path}: cannot write its rows to {e.path} ({e.detail})"
        return replace(result, status=ERROR, error=reason, projects=None, indicators=None)
    return result


def plan(
    files: list[Path],
    manifest: Manifest,
    out: Path,
    summary: RunSummary,
    *,
    force: bool,
    version: str,
    note: Callable[[str], None],
) -> list[Path]:
    """Which files to read: one per content (sha256), and none the manifest
    has as done by this version (unless ``force``) whose data files verify.
    A done PDF found under a new name keeps its rows, renamed. A source whose
    data files are damaged is read again from its PDF, wherever it is."""
    check = verify(out, manifest.rows.values(), full=False, since=manifest.mtime)
    by_sha: dict[str, list[Path]] = {}
    todo: list[Path] = []
    for f in files:
        try:
            by_sha.setdefault(sha256_file(f), []).append(f)
        except (OSError, JixiaoError):
            todo.append(f)  # the task reports why it cannot be read
    # A stray named after a PDF of this batch is what a killed run wrote before
    # its manifest row: reading the PDF replaces it. Others leave the dataset.
    batch = {file_stem(sha) for sha in by_sha}
    strays = [p for p in check.strays if p.stem not in batch]
    for stray, moved in zip(strays, quarantine(out, strays)):
        note(f"{printable(str(stray))}: a data file no source in the manifest owns; moved to {printable(str(moved))}")
    for sha, reason in sorted(check.damaged.items()):
        r = manifest.rows[sha]
        where = printable(r["source_path"] or r["source_file"])
        if sha not in by_sha:
            source = Path(os.fsdecode(path_bytes(r))) if path_bytes(r) else None
            if source is not None and _holds(source, sha):
                by_sha[sha] = [source]
            else:
                quarantine(out, existing_files(out, sha))
                lost = f"{where}: its data files are damaged ({reason}) and its PDF is gone or changed; " \
                    "its rows were moved to .quarantine/; extract it again from a copy"
                manifest.mark_lost(sha, lost)
                summary.lost.append(lost)
                continue
        note(f"{where}: its data files are damaged ({reason}); reading it again")
    for sha, same in by_sha.items():
        row = manifest.get(sha)
        keep = next((f for f in same if row is not None and os.fsencode(f) == path_bytes(row)), same[0])
        others = [other for other in same if other != keep]
        if not force and manifest.done(sha, version) and sha not in check.damaged:
            summary.skipped.append(keep)
            for other in others:
                note(f"{printable(str(other))}: same content as {printable(str(keep))}; read once")
            old_name = row["source_file"] if row else keep.name
            if manifest.rename(sha, str(keep)):
                if old_name != printable(keep.name):
                    rename_source(out, sha, printable(keep.name))
                    note(f"{printable(str(keep))}: read before as {old_name}; its rows now carry the new name")
                summary.renamed.append((old_name, keep))
        else:
            summary.duplicates += [(other, keep) for other in others]
            todo.append(keep)
    return todo


def _holds(path: Path, sha256: str) -> bool:
    try:
        return sha256_file(path) == sha256
    except (OSError, JixiaoError):
        return False


def stderr_line(message: str) -> None:
    print(printable(message), file=sys.stderr, flush=True)
