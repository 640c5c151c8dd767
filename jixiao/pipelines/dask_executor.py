"""Run the per-file task on a dask.distributed cluster (``pip install 'jixiao[dask]'``).

The workers run the same per-file task as the local executors (read one
PDF, write its data files) and send back only its small result, the facts
of its manifest row; this process records them in the manifest. Workers
must see the PDFs and the dataset folder at the same (absolute) paths: on a
real cluster put both on a shared file system. Without a scheduler address a
LocalCluster of ``jobs`` single-threaded worker processes is started for the
run and closed after it.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import MissingExtra, UsageError, WorkerDied
from ..limits import Limits
from .executors import Executor, Task, with_ocr_settings
from .guard import in_child
from .task import FileResult, failed

CONNECT_TIMEOUT = "20s"


def dask_executor(scheduler: str | None, jobs: int, limits: Limits | None = None) -> Executor:
    try:
        import distributed  # noqa: F401
    except ImportError as e:
        raise MissingExtra("--executor dask", "dask") from e

    def run(task: Task, files: list[Path]) -> Iterator[FileResult]:
        if not files:
            return
        # Each file in a child the dask worker forks for it: the memory and
        # time limits hold there as under -j 1 (see guard.in_child).
        task = partial(with_ocr_settings, partial(in_child, task, limits=limits or Limits()))
        with _client(scheduler, jobs) as client:
            yield from _map(client, task, files)

    return run


@contextmanager
def _client(scheduler: str | None, jobs: int) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as e:
            raise UsageError(f"cannot reach the dask scheduler at {scheduler} ({type(e).__name__}: {e})") from e
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=max(1, jobs),
        threads_per_worker=1,  # one PDF at a time per worker: bounded memory
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _map(client: Any, task: Task, files: list[Path]) -> Iterator[FileResult]:
    """At most two files per worker thread are submitted at a time, so that
    results never pile up on the cluster; results come back as they finish."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    threads = max(1, sum(client.nthreads().values()))
    run_id = uuid.uuid4().hex[:8]
    numbered = iter(enumerate(files))
    paths: dict[str, Path] = {}

    def submit(i: int, f: Path) -> Any:
        key = f"jixiao-{run_id}-{i}"
        paths[key] = f
        return client.submit(task, f, key=key, pure=False)

    queue = as_completed([submit(i, f) for i, f in itertools.islice(numbered, 2 * threads)])
    for fut in queue:
        f = paths.pop(fut.key)
        try:
            result = fut.result()
        except KilledWorker:
            result = failed(f, WorkerDied(str(f), "dask killed every worker that tried it"))
        except Exception as e:  # noqa: BLE001 - one file never stops the batch
            result = failed(f, e)
        fut.release()
        nxt = next(numbered, None)
        if nxt is not None:
            queue.add(submit(*nxt))
        yield result
