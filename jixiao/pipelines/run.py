"""The batch: find PDFs, skip those already done, map the per-file task,
record each result as it arrives in the manifest, summarise.

The orchestrator does not know how files are mapped: an executor
(``executors``) takes the task and the files and yields results in any
order. The task is the same function everywhere (``file_task``): it reads
one PDF and writes that PDF's data files, so that workers (processes here,
dask workers elsewhere) write their own files and only the small manifest
facts travel back. This process alone writes the manifest and removes a
source's old files it no longer has rows in (known from its manifest row,
never by listing the dataset). Output does not depend on the order: each
PDF's rows go to files named by its sha256, and the manifest is sorted.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from .. import __version__
from ..errors import JixiaoError, OutputError, printable
from ..extract import sha256_file
from ..limits import Limits
from .executors import Executor, local_executor
from .guard import guarded
from .manifest import DAMAGED_SUFFIX, NAME, PARTIAL, Manifest, path_bytes
from .task import ERROR, FileResult, process_file
from .verify import verify
from .write import (
    PartitionWriter,
    file_stem,
    quarantine,
    relative,
    remove_files,
    remove_temp_files,
    rename_source,
    run_lock,
    system_allocator,
    write_task_result,
)

HAS_FILES = ("ok", PARTIAL, "no_forms")  # statuses whose data files verification checks
MANIFEST_EVERY = 2.0  # seconds between journal appends during a run


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


# --- the run -------------------------------------------------------------------


def file_task(
    path: Path,
    *,
    out: Path,
    limits: Limits,
    password: str | None = None,
    pages_dir: str | None = None,
) -> FileResult:
    """The per-file task, in every executor: read the PDF (within its
    limits) writing its rows as they are made, put its data files in place
    once it is read, return the result without its rows. A read that fails
    or is interrupted leaves no data file."""
    with system_allocator(), PartitionWriter(out) as files:
        result = guarded(process_file, path, limits=limits, password=password, pages_dir=pages_dir, rows=files)
        return write_task_result(out, result, files)


class _OldFiles:
    """A source's data files before this run wrote it: those its manifest row
    lists, and those the run's verification found on disk under its name
    (written by a run killed before it saved the row)."""

    def __init__(self, out: Path, manifest: Manifest, listed: dict[str, list[Path]]) -> None:
        self.out, self.manifest, self.listed = out, manifest, listed

    def __call__(self, sha256: str) -> set[Path]:
        found = {self.out / f for f in self.manifest.files(sha256)}
        return found | set(self.listed.pop(file_stem(sha256), []))


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
        if manifest.dirty:
            manifest.save()  # a run that died: its journal compacted before this run appends to one
        todo, old_files = plan(files, manifest, outdir, summary, force=force, version=version, note=note)
        for f in summary.skipped:
            if on_skip:
                on_skip(f)
        if executor is None:
            executor = local_executor(jobs, len(todo), limits)
        # Absolute: a dask worker may run in another folder. pages_dir: where
        # each task tells its pages done, for the progress display.
        task = partial(
            file_task, out=Path(os.path.abspath(outdir)), limits=limits, password=password, pages_dir=pages_dir
        )
        copies: dict[str, list[Path]] = {}
        for other, keep in summary.duplicates:
            copies.setdefault(str(keep), []).append(other)
        last_save = time.monotonic()
        results = executor(task, todo)
        try:
            for result in results:
                if result.out_error:
                    raise OutputError(result.out_error)
                if result.status != ERROR:
                    # Files of partitions it no longer has rows in go before its row is
                    # recorded: a kill in between leaves a row that verification
                    # finds short of a file, and the PDF is read again.
                    remove_files(old_files(result.sha256) - {outdir / f for f in result.files})
                if not manifest.record(result, version):
                    note(f"{printable(Path(result.path).name)}: keeping the rows of its earlier successful read")
                elif result.status != ERROR:
                    for old in manifest.supersede(result):
                        remove_files(old_files(old["source_sha256"]) | {outdir / f for f in old["data_files"] or []})
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
                    manifest.flush()
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


def plan(
    files: list[Path],
    manifest: Manifest,
    out: Path,
    summary: RunSummary,
    *,
    force: bool,
    version: str,
    note: Callable[[str], None],
) -> tuple[list[Path], _OldFiles]:
    """Which files to read: one per content (sha256), and none the manifest
    has as done by this version (unless ``force``) whose data files verify.
    A done PDF found under a new name keeps its rows, renamed. A source whose
    data files are damaged is read again from its PDF, wherever it is.
    Also returns where each source's files were before this run."""
    check = verify(out, manifest.rows.values(), full=False, since=manifest.mtime)
    _record_files(out, manifest, check.listed, check.damaged)
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
        check.listed[stray.stem].remove(stray)
    old_files = _OldFiles(out, manifest, check.listed)
    for sha, reason in sorted(check.damaged.items()):
        r = manifest.rows[sha]
        where = printable(r["source_path"] or r["source_file"])
        if sha not in by_sha:
            source = Path(os.fsdecode(path_bytes(r))) if path_bytes(r) else None
            if source is not None and _holds(source, sha):
                by_sha[sha] = [source]
            else:
                quarantine(out, sorted(p for p in old_files(sha) if p.exists()))
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
                    rename_source([out / f for f in manifest.files(sha)], printable(keep.name))
                    note(f"{printable(str(keep))}: read before as {old_name}; its rows now carry the new name")
                summary.renamed.append((old_name, keep))
        else:
            summary.duplicates += [(other, keep) for other in others]
            todo.append(keep)
    return todo, old_files


def _record_files(out: Path, manifest: Manifest, listed: dict[str, list[Path]], damaged: dict[str, str]) -> None:
    """A manifest written before rows listed their data files: the files found
    are recorded for each source that verified (once; later runs read them
    from the rows)."""
    for sha, r in list(manifest.rows.items()):
        if r.get("data_files") is None and r["status"] in HAS_FILES and r["source_sha256"] and sha not in damaged:
            manifest.set_files(sha, sorted(relative(out, p) for p in listed.get(file_stem(sha), [])))


def _holds(path: Path, sha256: str) -> bool:
    try:
        return sha256_file(path) == sha256
    except (OSError, JixiaoError):
        return False


def stderr_line(message: str) -> None:
    print(printable(message), file=sys.stderr, flush=True)
