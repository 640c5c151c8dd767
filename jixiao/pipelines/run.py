"""The batch: find PDFs, skip those already done, map the per-file task,
write each result as it arrives, update the manifest, summarise."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .. import __version__
from ..extract import sha256_file
from .manifest import read_manifest, update_manifest
from .task import FileResult, process_file
from .write import write_result


def find_pdfs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given; folders searched recursively for *.pdf (any case)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() == ".pdf")
        else:
            out.append(p)
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]  # type: ignore[func-returns-value]


@dataclass
class RunSummary:
    results: list[FileResult] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def forms(self) -> int:
        return sum(r.forms for r in self.results)

    @property
    def indicators(self) -> int:
        return sum(r.indicator_rows for r in self.results)

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results)


Executor = Callable[[Callable[[Path], FileResult], list[Path]], Iterator[FileResult]]


def serial(task: Callable[[Path], FileResult], files: list[Path]) -> Iterator[FileResult]:
    for f in files:
        yield task(f)


def process_pool(jobs: int) -> Executor:
    def run(task: Callable[[Path], FileResult], files: list[Path]) -> Iterator[FileResult]:
        # One PDF at a time per worker keeps memory bounded; results come back
        # in submission order so the output does not depend on the job count.
        with ProcessPoolExecutor(max_workers=jobs, max_tasks_per_child=20) as pool:
            yield from pool.map(task, files, chunksize=1)

    return run


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
    version: str = __version__,
) -> RunSummary:
    start = time.perf_counter()
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    files = find_pdfs(paths)
    summary = RunSummary()
    todo = files
    if not force:
        done = {
            (r["source_sha256"], r["jixiao_version"])
            for r in read_manifest(outdir).to_pylist()
            if r["status"] in ("ok", "no_forms")
        }
        todo = []
        for f in files:
            try:
                sha = sha256_file(f)
            except OSError:
                sha = ""
            if (sha, version) in done:
                summary.skipped.append(f)
                if on_skip:
                    on_skip(f)
            else:
                todo.append(f)
    if executor is None:
        executor = serial if jobs <= 1 or len(todo) <= 1 else process_pool(jobs)
    task = partial(process_file, password=password, version=version)
    for result in executor(task, todo):
        if result.status != "error":
            write_result(outdir, result)
        update_manifest(outdir, [result], version)
        summary.results.append(result)
        if on_result:
            on_result(result)
    summary.seconds = time.perf_counter() - start
    return summary


def stderr_line(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
