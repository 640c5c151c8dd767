"""The batch: find PDFs, skip those already done, map the per-file task,
write each result as it arrives, update the manifest, summarise.

The orchestrator does not know how files are mapped: an executor takes the
task and the files and yields results in any order (serial, a process pool
here, dask in ``dask_executor``). Output does not depend on the order: each
PDF's rows go to files named by its sha256, and the manifest is sorted.
Only this process writes; workers only read PDFs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .. import __version__
from ..errors import UsageError, WorkerDied
from ..extract import sha256_file
from ..extract.engines import OCR_THREADS_ENV
from .manifest import Manifest
from .task import ERROR, FileResult, failed, process_file
from .write import remove_temp_files, rename_source, run_lock, write_result

Task = Callable[[Path], FileResult]
Executor = Callable[[Task, list[Path]], Iterator[FileResult]]

MANIFEST_EVERY = 2.0  # seconds between manifest writes during a run
TASKS_PER_WORKER = 50  # then a fresh worker process: PDF libraries may leak


def find_pdfs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given; folders searched recursively for *.pdf (any case).
    Paths come back absolute (they are recorded in the manifest and may be
    read by workers elsewhere) and each file once."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() == ".pdf")
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
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
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return self.count(ERROR) > 0

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


def process_pool(jobs: int) -> Executor:
    """``jobs`` worker processes, one PDF at a time each. At most two files
    per worker are queued, so results (and memory) never pile up. A worker
    that dies (a crash inside a PDF library, the OOM killer) breaks the
    pool: the files it held are read again one by one in a fresh process,
    so that only the file that kills its reader gets the blame."""

    def run(task: Task, files: list[Path]) -> Iterator[FileResult]:
        pending = deque(files)
        while pending:
            suspects: list[Path] = []
            before = len(pending)
            yield from _pool_pass(task, pending, jobs, suspects)
            for f in suspects:
                yield _isolated(task, f)
            if pending and len(pending) == before and not suspects:
                # The pool broke before taking any file: make progress anyway.
                yield _isolated(task, pending.popleft())

    return run


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    # spawn, not fork: the parent has threads (progress bar); fork would copy
    # their locks. Workers exit when the parent dies (see _watch_parent).
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        max_tasks_per_child=TASKS_PER_WORKER,
        initializer=_worker_init,
        initargs=(os.getpid(), max(1, (os.cpu_count() or 1) // jobs)),
    )


def _pool_pass(task: Task, pending: deque[Path], jobs: int, suspects: list[Path]) -> Iterator[FileResult]:
    pool = _new_pool(jobs)
    in_flight: dict[Future[FileResult], Path] = {}
    try:
        while pending or in_flight:
            while pending and len(in_flight) < 2 * jobs:
                f = pending.popleft()
                try:
                    in_flight[pool.submit(task, f)] = f
                except BrokenProcessPool:
                    pending.appendleft(f)
                    suspects.extend(in_flight.values())
                    return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                f = in_flight.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    suspects.append(f)
                    broken = True
                except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    yield failed(f, e)
            if broken:
                suspects.extend(in_flight.values())
                in_flight.clear()
                return
        pool.shutdown(wait=True)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _isolated(task: Task, f: Path) -> FileResult:
    pool = _new_pool(1)
    try:
        return pool.submit(task, f).result()
    except BrokenProcessPool:
        return failed(f, WorkerDied(str(f)))
    except Exception as e:  # noqa: BLE001
        return failed(f, e)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _worker_init(parent: int, ocr_threads: int) -> None:
    # N workers share the cores: each OCR recogniser gets its share of them
    # (unless the user set the cap).
    os.environ.setdefault(OCR_THREADS_ENV, str(ocr_threads))
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """A killed run must not leave workers behind: they only read, so
    stopping them at any point loses nothing."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def local_executor(jobs: int, files: int) -> Executor:
    return serial if jobs <= 1 or files <= 1 else process_pool(min(jobs, files))


def get_executor(name: str, jobs: int, files: int, scheduler: str | None = None) -> Executor:
    if name == "local":
        if scheduler:
            raise UsageError("--scheduler goes with --executor dask")
        return local_executor(jobs, files)
    if name == "dask":
        from .dask_executor import dask_executor

        return dask_executor(scheduler, jobs)
    raise UsageError(f"unknown executor {name!r}; known: local, dask")


# --- the run -------------------------------------------------------------------


def run(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    jobs: int = 1,
    force: bool = False,
    password: str | None = None,
    executor: Executor | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    on_skip: Callable[[Path], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    version: str = __version__,
) -> RunSummary:
    start = time.perf_counter()
    outdir = Path(out)
    files = find_pdfs(paths)
    summary = RunSummary()
    note = on_note or (lambda message: None)
    with run_lock(outdir):
        remove_temp_files(outdir)
        manifest = Manifest(outdir)
        todo = plan(files, manifest, outdir, summary, force=force, version=version, note=note)
        for f in summary.skipped:
            if on_skip:
                on_skip(f)
        if executor is None:
            executor = local_executor(jobs, len(todo))
        task = partial(process_file, password=password, version=version)
        last_save = time.monotonic()
        try:
            for result in executor(task, todo):
                if result.status != ERROR:
                    write_result(outdir, result)
                if not manifest.record(result, version):
                    note(f"{Path(result.path).name}: keeping the rows of its earlier successful read")
                summary.results.append(result)
                if on_result:
                    on_result(result)
                if time.monotonic() - last_save >= MANIFEST_EVERY:
                    manifest.save()
                    last_save = time.monotonic()
        finally:
            # Also on Ctrl-C: rows of the files written so far are kept.
            manifest.save()
    summary.seconds = time.perf_counter() - start
    return summary


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
    has as done by this version (unless ``force``). A done PDF found under a
    new name keeps its rows, renamed."""
    by_sha: dict[str, list[Path]] = {}
    todo: list[Path] = []
    for f in files:
        try:
            by_sha.setdefault(sha256_file(f), []).append(f)
        except OSError:
            todo.append(f)  # the task reports why it cannot be read
    for sha, same in by_sha.items():
        row = manifest.get(sha)
        keep = next((f for f in same if row is not None and str(f) == row["source_path"]), same[0])
        for other in same:
            if other != keep:
                summary.duplicates.append((other, keep))
                note(f"{other}: same content as {keep}; read once")
        if not force and manifest.done(sha, version):
            summary.skipped.append(keep)
            old_name = row["source_file"] if row else keep.name
            if manifest.rename(sha, str(keep)):
                if old_name != keep.name:
                    rename_source(out, sha, keep.name)
                    note(f"{keep}: read before as {old_name}; its rows now carry the new name")
                summary.renamed.append((old_name, keep))
        else:
            todo.append(keep)
    return todo


def stderr_line(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
