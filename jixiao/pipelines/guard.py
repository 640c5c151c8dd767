"""Running the per-file task within its Limits (see ``jixiao.limits``).

Where a file is read:

* ``-j N``: in a pool of N spawned worker processes (``run.process_pool``);
* ``-j 1``, one file, and each task a dask worker runs: in a child process
  forked for that one file (``in_child``), where fork exists (POSIX); the
  child starts in milliseconds (the modules are loaded already) and a
  crash, the memory limit or the OOM killer take the child, not the run;
* without fork (Windows): in the calling process (``serial``), where only
  the pixel, image, stream and time limits hold.

Three mechanisms, from gentle to hard:

* memory, where /proc gives resident memory (Linux): what reading the file
  adds to the process is watched every 50 ms, by the forked child's parent
  or by a pool worker's own watchdog thread, which ends it past
  ``memory_bytes`` (-> ``too large``; a pool worker leaves a note first);
  elsewhere, in a worker process or forked child, the soft RLIMIT_DATA is
  lowered while the file is read, so that an allocation beyond it fails
  (MemoryError -> ``too large``), and restored afterwards; a pool worker
  that ran out ends before its next file (the pool replaces it);
* time, in the main thread of a process: an interval timer raises
  FileTimeout in the reading code (again every second, in case a library
  swallows it);
* time, in a worker or child: a watchdog thread ends it (``os._exit``)
  when the file is still being read ``kill_after`` seconds after its limit
  (stuck in C code, where no Python exception can reach); a pool worker
  leaves a note first, so that the parent records ``timeout`` for that file
  instead of blaming a crash (a forked child's exit code says it). The
  parent of a forked child also ends it at ``seconds + 2 * kill_after``
  (a child that cannot even run its watchdog).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import FileTimeout, JixiaoError, TooLarge, WorkerDied
from ..limits import OUT_OF_MEMORY, Limits
from .task import FileResult, failed

EXIT_TIMEOUT = 70  # a worker's exit code when its watchdog ends it
EXIT_POISONED = 71  # a worker's exit code when it ran out of memory on its previous file
EXIT_TOO_LARGE = 72  # a worker's exit code when its watchdog saw the file past the memory limit
TOO_LARGE_NOTE = "too large"  # the note a pool worker leaves then (see worker_death)

# Set in worker processes by the pool's initializer (the run's folder for
# notes) and in forked children ("child").
_notes: dict[str, str] = {}


def set_notes_dir(folder: str) -> None:
    _notes["dir"] = folder


def guarded(task: Callable[..., FileResult], path: Path, *, limits: Limits, **kwargs: Any) -> FileResult:
    # A forked child's memory is watched by its parent (resident memory,
    # where /proc gives it), else bounded here.
    in_worker = "dir" in _notes or _notes.get("child") == "rlimit"
    # A pool worker where /proc tells its resident memory is watched by its
    # own watchdog thread (below); RLIMIT_DATA counts address space, of which
    # pyarrow's allocator alone reserves about 1 GB, so it is the fallback.
    watched = "dir" in _notes and _resident(os.getpid()) is not None
    if _notes.get("poisoned"):
        # An earlier file ran this worker out of memory: a MemoryError can
        # leave a process broken (a codec import that failed stays failed),
        # so the worker ends and a fresh one reads this file.
        os._exit(EXIT_POISONED)
    # The watchdog's thread first: under the memory limit it might not start.
    # The memory limit only in worker processes: the main process must stay sound.
    memory = limits.memory_bytes if in_worker and not watched else None
    with _watchdog(path, limits), _timer(path, limits.seconds), _memory(memory):
        result = task(path, limits=limits, **kwargs)
    if in_worker and OUT_OF_MEMORY in result.error:
        _notes["poisoned"] = "yes"
    return result


def _note_path(folder: str, path: Path | str) -> Path:
    return Path(folder) / (hashlib.sha256(os.fsencode(str(path))).hexdigest()[:32] + ".note")


def worker_death(folder: str | None, path: Path | str, limits: Limits) -> JixiaoError | None:
    """Why the worker reading ``path`` ended, when its watchdog ended it."""
    if folder is None:
        return None
    try:
        note = _note_path(folder, path).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if note == TOO_LARGE_NOTE:
        return TooLarge(str(path), f"it needs {OUT_OF_MEMORY}")
    return FileTimeout(str(path), limits.seconds or 0.0)


@contextlib.contextmanager
def _memory(limit: int | None) -> Iterator[None]:
    try:
        import resource
    except ImportError:  # not POSIX
        yield
        return
    if limit is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    new = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (new, hard))
    except (ValueError, OSError):  # already above it (a large main process): no limit then
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


@contextlib.contextmanager
def _timer(path: Path, seconds: float | None) -> Iterator[None]:
    if seconds is None or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise FileTimeout(str(path), seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _watchdog(path: Path, limits: Limits) -> Iterator[None]:
    folder, seconds = _notes.get("dir"), limits.seconds
    base = _resident(os.getpid()) if folder is not None and limits.memory_bytes is not None else None
    if folder is None or (seconds is None and base is None):
        yield
        return
    done = threading.Event()
    deadline = None if seconds is None else time.monotonic() + seconds + limits.kill_after

    def end(note: str, code: int) -> None:
        with contextlib.suppress(OSError):
            _note_path(folder, path).write_text(note + "\n", encoding="utf-8")
        os._exit(code)

    def watch() -> None:
        # PDFium and OpenCV release the GIL in their C code: this thread runs
        # while they work, and ends the worker when the file is past a limit.
        while not done.wait(POLL):
            if deadline is not None and time.monotonic() >= deadline:
                end("timeout", EXIT_TIMEOUT)
            if _grown_past(os.getpid(), base, limits.memory_bytes):
                end(TOO_LARGE_NOTE, EXIT_TOO_LARGE)

    threading.Thread(target=watch, daemon=True, name="jixiao-watchdog").start()
    try:
        yield
    finally:
        done.set()


# --- a forked child per file -------------------------------------------------------

POLL = 0.05  # seconds between looks at a forked child's resident memory


def can_fork() -> bool:
    return hasattr(os, "fork")


def forked(limits: Limits) -> Callable[[Callable[[Path], FileResult], list[Path]], Iterator[FileResult]]:
    """The executor of ``-j 1`` (and of one file): one file at a time, each
    in a child process forked for it, within its memory and time limits."""

    def run(task: Callable[[Path], FileResult], files: list[Path]) -> Iterator[FileResult]:
        for f in files:
            yield in_child(task, f, limits)

    return run


def _resident(pid: int) -> int | None:
    """Resident memory of a process in bytes (Linux), None where /proc does not say."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _grown_past(pid: int, base: int | None, limit: int | None) -> bool:
    """Has process ``pid`` grown by more than ``limit`` bytes over ``base``
    (its resident memory, or its parent's, when the file began)?"""
    return limit is not None and base is not None and (_resident(pid) or 0) - base > limit


def in_child(task: Callable[[Path], FileResult], path: Path, limits: Limits) -> FileResult:
    """``task(path)`` in a child process forked for this file (the modules
    are loaded already: it starts in milliseconds); its result comes back
    pickled through a pipe. Meanwhile this process watches it: when its
    resident memory grows by more than ``limits.memory_bytes`` over this
    process's (what the file costs; without /proc, an allocation past the
    child's RLIMIT_DATA) the file is ``too large``, past
    ``seconds + kill_after`` (stuck in C code, out of the child's own
    timer's reach) ``timeout``; a child that dies otherwise (a crash in a
    PDF library, the OOM killer) is ``the worker reading this file died``.
    Each is that file's error, and the caller goes on. Without fork, the
    task runs here."""
    if not can_fork():
        return task(path)
    rfd, wfd = os.pipe()
    parent = os.getpid()
    base = _resident(parent)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (measured through its parent)
        os.close(rfd)
        _child(task, path, wfd, parent, rss=base is not None)
    os.close(wfd)
    deadline = None if limits.seconds is None else time.monotonic() + limits.seconds + limits.kill_after
    chunks: list[bytes] = []
    why: JixiaoError | None = None
    reaped = False
    try:
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                why = FileTimeout(str(path), limits.seconds or 0.0)
                break
            if _grown_past(pid, base, limits.memory_bytes):
                why = TooLarge(str(path), f"it needs {OUT_OF_MEMORY}")
                break
            ready, _, _ = select.select([rfd], [], [], POLL)
            if ready:
                chunk = os.read(rfd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        if why is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        reaped = True
    finally:
        os.close(rfd)
        if not reaped:  # interrupted (Ctrl-C, SIGTERM): the child only reads, end it
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
    if why is None and chunks:
        with contextlib.suppress(Exception):
            result = pickle.loads(b"".join(chunks))
            if isinstance(result, FileResult):
                return result
    if why is not None:
        return failed(path, why)
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return failed(path, WorkerDied(str(path), name + (": the OOM killer?" if name == "SIGKILL" else "")))
    return failed(path, WorkerDied(str(path), f"exit code {os.WEXITSTATUS(status)}"))


def _child(task: Callable[[Path], FileResult], path: Path, wfd: int, parent: int, rss: bool) -> None:  # pragma: no cover
    code = 0
    try:
        # Ctrl-C reaches the process group: the parent handles it and ends
        # this child; SIGTERM ends it at once.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _notes["child"] = "rss" if rss else "rlimit"
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
        try:
            result = task(path)
        except BaseException as e:  # noqa: BLE001 - told to the parent as this file's error
            result = failed(path, e if isinstance(e, Exception) else RuntimeError(repr(e)))
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(wfd, view):]
    except BaseException:  # noqa: BLE001 - the parent sees no result and names the death
        code = 1
    finally:
        os._exit(code)


def _watch(parent: int) -> None:  # pragma: no cover
    """A killed run leaves no child behind (it only reads)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)
