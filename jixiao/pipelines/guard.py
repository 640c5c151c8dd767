"""Running the per-file task within its Limits (see ``jixiao.limits``).

Three mechanisms, from gentle to hard:

* memory: the soft RLIMIT_DATA is lowered while the file is read, so that an
  allocation beyond it fails (MemoryError -> ``too large``) and is restored
  afterwards;
* time, in the main thread of a process: an interval timer raises
  FileTimeout in the reading code (again every second, in case a library
  swallows it);
* time, in a worker process: a watchdog thread ends the worker (``os._exit``)
  when the file is still being read ``GRACE`` seconds after its limit (stuck
  in C code, where no Python exception can reach); before that it leaves a
  note, so that the parent records ``timeout`` for that file instead of
  blaming a crash.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import FileTimeout, JixiaoError
from ..limits import Limits
from .task import FileResult

GRACE = 10.0  # seconds after the limit before a stuck worker is ended
EXIT_TIMEOUT = 70  # a worker's exit code when its watchdog ends it

# Set in worker processes by the pool's initializer: the run's folder for notes.
_notes: dict[str, str] = {}


def set_notes_dir(folder: str) -> None:
    _notes["dir"] = folder


def guarded(task: Callable[..., FileResult], path: Path, *, limits: Limits, **kwargs: Any) -> FileResult:
    with _memory(limits.memory_bytes), _timer(path, limits.seconds), _watchdog(path, limits.seconds):
        return task(path, limits=limits, **kwargs)


def _note_path(folder: str, path: Path | str) -> Path:
    return Path(folder) / (hashlib.sha256(os.fsencode(str(path))).hexdigest()[:32] + ".note")


def worker_death(folder: str | None, path: Path | str, limits: Limits) -> JixiaoError | None:
    """Why the worker reading ``path`` ended, when its watchdog ended it."""
    if folder is None or limits.seconds is None:
        return None
    if _note_path(folder, path).exists():
        return FileTimeout(str(path), limits.seconds)
    return None


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
def _watchdog(path: Path, seconds: float | None) -> Iterator[None]:
    folder = _notes.get("dir")
    if seconds is None or folder is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        if not done.wait(seconds + GRACE):
            with contextlib.suppress(OSError):
                _note_path(folder, path).write_text("timeout\n", encoding="utf-8")
            os._exit(EXIT_TIMEOUT)

    threading.Thread(target=watch, daemon=True, name="jixiao-watchdog").start()
    try:
        yield
    finally:
        done.set()
