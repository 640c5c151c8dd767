"""Executors: how the per-file task is mapped over the files.

An executor takes the task and the files and yields one result per file, in
any order: ``serial`` in this process, ``process_pool`` on this machine's
cores, ``dask_executor`` on a dask.distributed cluster. The task is the same
function everywhere (``run.file_task``: read one PDF, write its data files,
return its manifest facts); a failure of the executor itself (a worker that
died, a result that did not come back) becomes that file's error result.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..errors import UsageError, WorkerDied
from ..extract import settings as ocr_settings_state
from ..extract.prior import PriorFile
from ..extract.settings import OcrSettings
from ..limits import Limits
from .guard import can_fork, forked, set_notes_dir, worker_death
from .task import FileResult, failed

Task = Callable[[Path], FileResult]
Executor = Callable[[Task, list[Path]], Iterator[FileResult]]

TASKS_PER_WORKER = 50  # then a fresh worker process: PDF libraries may leak
OCR_PRIOR = "ocr_chars.tsv"  # in normalize/vocab: the language prior of OCR'd text (tools/build_ocr_prior.py)


@functools.lru_cache(maxsize=8)
def ocr_settings(threads: int | None = None) -> OcrSettings:
    """A run's OCR settings: the recogniser weighs doubtful characters with
    the character counts of the forms' vocabulary (extract knows no forms;
    the vocabulary is normalize's)."""
    from importlib.resources import files

    return OcrSettings(threads=threads, prior=PriorFile(str(files("jixiao.normalize.vocab") / OCR_PRIOR)))


def with_ocr_settings(task: Task, f: Path) -> FileResult:
    """The task with a run's OCR settings (loaded once per process), in a
    process they have not reached (this one, a dask worker); the process's
    own are put back after (a library caller's are not changed by a run)."""
    before = ocr_settings_state.current()
    ocr_settings_state.configure(ocr_settings())
    try:
        return task(f)
    finally:
        ocr_settings_state.configure(before)


def _configured(executor: Executor) -> Executor:
    def run(task: Task, files: list[Path]) -> Iterator[FileResult]:
        ocr_settings()  # loaded here once: the children forked for the files find it loaded
        return executor(functools.partial(with_ocr_settings, task), files)

    return run


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
        initargs=(os.getpid(), ocr_settings(threads=max(1, (os.cpu_count() or 1) // jobs)), notes),
    )


def _stop(pool: ProcessPoolExecutor, now: bool) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    if now:
        # Interrupted: a worker ended mid-file leaves at most a temp file (the
        # next run removes it) or data files without their manifest row (the
        # next run's verification finds them); waiting for a long file would
        # delay the exit (and the lock).
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


def _worker_init(parent: int, ocr: OcrSettings, notes: str) -> None:
    # N workers share the cores: each OCR recogniser gets its share of them.
    from ..extract import ocr as ocr_engine

    ocr_engine.configure(ocr)
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
    """A killed run must not leave workers behind. Stopping one at any point
    loses nothing: its writes are atomic, and data files without a manifest
    row are found by the next run's verification."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def local_executor(jobs: int, files: int, limits: Limits | None = None) -> Executor:
    if jobs <= 1 or files <= 1:
        # Each file in a child forked for it: the memory limit and the watchdog hold (see guard).
        return _configured(forked(limits or Limits()) if can_fork() else serial)
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
