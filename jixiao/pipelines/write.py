"""Writing the dataset: Hive partitions, atomic files, one file per source PDF.

Each source PDF's rows live in files named after its sha256, one per
partition it has rows in. Re-running on the same PDF therefore replaces its
files (never adds a second copy), and a PDF renamed on disk maps to the same
files. Every file is written to a temporary name and moved into place with
``os.replace``, so a reader or a killed run never sees half a file.

Temporary names start with "." and end in ".tmp", never ".parquet": readers
that glob ``**/*.parquet`` do not match them and pyarrow's discovery skips
dot-files. A killed run can leave some behind; ``remove_temp_files`` (called
at the start of every run, under the run lock) deletes them.

A source's rows are written as the task makes them (``PartitionWriter``):
held per partition up to ``HOLD_BYTES``, then the largest partitions are
spilled to temporary part files beside their data file, and all of them
become data files together once the PDF is read. A file whose rows never
passed the bound (every ordinary PDF) is written once, at the end, as one
row group, byte for byte as when its rows were collected; a longer one
gets a row group per spill. A read that fails, or a task that dies, leaves
no data file (only temporary ones, for the next run to remove).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Self

import pyarrow as pa
import pyarrow.parquet as pq

from .. import heap
from ..errors import CannotWrite, OutputBusy, printable
from ..limits import MIB
from .task import ERROR, FileResult

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
TABLES = ("projects", "indicators")
TEMP_SUFFIX = ".tmp"
LOCK_NAME = ".jixiao.lock"
QUARANTINE = ".quarantine"
MKDIR_ATTEMPTS = 5


def _file_mode() -> int:
    # mkstemp creates files 0600; dataset files get the usual umask-based mode.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


# A folder name may hold 255 bytes (most file systems); a 主管部门 longer than
# about 80 CJK characters (usually text that ran into the label's cell) gets a
# stable short form: its start, "~", and a hash of the whole name.
MAX_NAME_BYTES = 200
HASH_CHARS = 12
SHORT_MARK = "~"
WARN_SHORT = "主管部门 too long for a folder name: filed under department={short}; printed: {full}"


def short_department(department: str) -> str:
    """The department as it can be a folder name: itself when short enough,
    else a stable short form (same name, same form)."""
    if len(_escape(department).encode("utf-8")) <= MAX_NAME_BYTES - len("department="):
        return department
    digest = hashlib.sha256(department.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]
    room = MAX_NAME_BYTES - len("department=") - len(SHORT_MARK) - HASH_CHARS
    head = ""
    for c in department:
        if len(_escape(head + c).encode("utf-8")) > room:
            break
        head += c
    return f"{head}{SHORT_MARK}{digest}"


def _escape(text: str) -> str:
    return "".join(f"%{ord(c):02X}" if c in "/\\%:*?\"<>|" or ord(c) < 32 else c for c in text)


def partition_dir(year: int | None, department: str | None) -> str:
    """``year=2023/department=上海市…``: UTF-8 as printed; only characters that
    would break a path are percent-escaped (Hive readers decode them)."""
    y = NULL_PARTITION if year is None else str(year)
    d = _escape(short_department(department)) if department else NULL_PARTITION
    return f"year={y}/department={d}"


def file_stem(sha256: str) -> str:
    return sha256[:16]


# Errors that are the dataset's, not one file's: every later write would fail
# too, so the run stops (exit 3) instead of blaming each PDF in turn.
DATASET_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


def is_dataset_error(e: CannotWrite) -> bool:
    return e.errno in DATASET_ERRNOS


def atomic_write_table(table: pa.Table, dest: Path) -> None:
    """Write ``dest`` whole or not at all (temp file, fsync, rename).

    Pages carry CRC checksums, so that verification notices a garbled file."""
    with _atomic(dest) as tmp:
        pq.write_table(table, tmp, **PARQUET)


@contextmanager
def _atomic(dest: Path) -> Iterator[str]:
    """A temporary file beside ``dest`` to write; moved into place (fsync,
    rename) once the block ends without an error. An OS error is a
    ``CannotWrite`` naming ``dest``."""
    tmp = _temp_for(dest)
    try:
        yield tmp
        _move_into_place(tmp, dest)
    except OSError as e:
        raise CannotWrite(str(dest), e.strerror or type(e).__name__, errno=e.errno) from e
    finally:
        # Also on KeyboardInterrupt: never leave our temp file behind.
        if os.path.exists(tmp):
            Path(tmp).unlink(missing_ok=True)
    _fsync_dir(dest.parent)


PARQUET = {"compression": "zstd", "write_page_checksum": True}


def _temp_for(dest: Path) -> str:
    """A new temporary file beside ``dest`` (named as ``remove_temp_files`` finds them)."""
    for attempt in range(MKDIR_ATTEMPTS):
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=TEMP_SUFFIX, dir=dest.parent)
            os.close(fd)
            return tmp
        except FileNotFoundError as e:
            # Another process of the run removed the folder, empty, in between
            # (a source's old files gone): make it again.
            if attempt == MKDIR_ATTEMPTS - 1:
                raise CannotWrite(str(dest.parent), e.strerror or type(e).__name__, errno=e.errno) from e
        except OSError as e:
            raise CannotWrite(str(dest.parent), e.strerror or type(e).__name__, errno=e.errno) from e
    raise AssertionError("unreachable")


def _move_into_place(tmp: str, dest: Path) -> None:
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, dest)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_temp_files(out: Path) -> list[Path]:
    """Temp files a killed run left behind (ours only: ``.<name>.parquet.*.tmp``)."""
    gone = []
    for p in out.rglob(f".*.parquet.*{TEMP_SUFFIX}"):
        if p.is_file():
            p.unlink(missing_ok=True)
            gone.append(p)
    return gone


@contextmanager
def run_lock(out: Path) -> Iterator[None]:
    """One writer per dataset: a second run on the same OUT fails at once
    instead of interleaving its writes (and cleaning up the first one's temp
    files). The lock dies with the process, so a killed run never leaves it
    held."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        f = open(out / LOCK_NAME, "a+b")  # noqa: SIM115 - held for the whole run
    except OSError as e:
        raise CannotWrite(str(out), e.strerror or type(e).__name__) from e
    try:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise OutputBusy(str(out)) from e
        yield
    finally:
        f.close()


def data_files(out: Path, table: str) -> list[Path]:
    """Every data file of one table (temporary files excluded)."""
    return sorted(p for p in (out / table).glob("year=*/department=*/*.parquet") if not p.name.startswith("."))


def quarantine(out: Path, paths: list[Path]) -> list[Path]:
    """Move files out of the dataset into ``OUT/.quarantine/`` (same relative
    path): readers no longer see them, nothing is deleted."""
    moved = []
    for p in paths:
        dest = out / QUARANTINE / p.relative_to(out)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(p), dest)
        _remove_empty_parents(p)
        moved.append(dest)
    return moved


def relative(out: Path, path: Path) -> str:
    """A data file's name as the manifest records it."""
    return path.relative_to(out).as_posix()


def _partitions(name: str, table: pa.Table) -> Iterator[tuple[tuple[int | None, str | None], pa.Table]]:
    """The table's rows by partition (sorted), without the partition columns."""
    rows: dict[tuple[int | None, str | None], list[int]] = {}
    for i, key in enumerate(zip(table["year"].to_pylist(), table["department"].to_pylist())):
        rows.setdefault(key, []).append(i)
    for year, dept in sorted(rows, key=str):
        part = _take(table, rows[(year, dept)]).drop_columns(["year", "department"])
        if name == "projects" and dept and short_department(dept) != dept:
            part = _warn(part, WARN_SHORT.format(short=short_department(dept), full=dept))
            if "department_printed" in part.column_names:  # the full name, whatever filled the rows
                i = part.schema.get_field_index("department_printed")
                part = part.set_column(i, "department_printed", pa.array([dept] * part.num_rows, pa.string()))
        yield (year, dept), part


# A source's rows held (in Arrow) before the largest partitions are spilled:
# twice the rows of the longest real PDF in the fixtures (real PDF 10, 1.9 MB).
HOLD_BYTES = 4 * MIB
GROUP_BYTES = MIB  # rows (in Arrow) per row group of a file whose rows were spilled


def _write_groups(writer: pq.ParquetWriter, rows: pa.Table) -> None:
    """Rows as row groups of about ``GROUP_BYTES``: what encoding one costs is bounded by that."""
    per_group = max(1, rows.num_rows * GROUP_BYTES // max(1, rows.nbytes))
    writer.write_table(rows, row_group_size=per_group)


class _Partition:
    """One data file being made: the rows held, and the part files spilled."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.held: list[pa.Table] = []
        self.bytes = 0
        self.parts: list[str] = []
        self.schema: pa.Schema | None = None

    def add(self, rows: pa.Table) -> None:
        self.schema = self.schema or rows.schema
        self.held.append(rows)
        self.bytes += rows.nbytes

    def _rows(self) -> pa.Table:
        rows = pa.concat_tables(self.held).combine_chunks()  # one chunk per column, as collected rows
        self.held, self.bytes = [], 0
        return rows

    def spill(self) -> None:
        """The rows held to a part file of their own, in Arrow's IPC format
        (written as they are, read back without a copy; closed: no
        descriptor kept)."""
        assert self.schema is not None  # set by the rows held
        tmp = _temp_for(self.dest)
        self.parts.append(tmp)
        held, self.held, self.bytes = self.held, [], 0
        try:
            with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, self.schema) as part:
                for rows in held:
                    part.write_table(rows)
        except OSError as e:
            raise CannotWrite(str(self.dest), e.strerror or type(e).__name__, errno=e.errno) from e

    def commit(self) -> None:
        if not self.parts:
            atomic_write_table(self._rows(), self.dest)  # the collected rows' bytes
            return
        assert self.schema is not None  # set by the rows spilled
        with _atomic(self.dest) as tmp, pq.ParquetWriter(tmp, self.schema, **PARQUET) as writer:
            for part in self.parts:
                with pa.memory_map(part) as source:
                    _write_groups(writer, pa.ipc.open_file(source).read_all())
            if self.held:
                _write_groups(writer, pa.concat_tables(self.held))
                self.held, self.bytes = [], 0
        self.discard()

    def discard(self) -> None:
        for part in self.parts:
            Path(part).unlink(missing_ok=True)
        self.parts, self.held, self.bytes = [], [], 0


def trim_heap() -> None:
    """Hand the C heap's free pages back to the system (``heap.trim``).
    Spilled rows' Arrow buffers are freed to malloc (``system_allocator``),
    but glibc keeps the pages of a heap that freed many small blocks: a long
    document's peak grew with the rows it had spilled (measured: +5.6 MB
    from 500 to 2,000 pages; with the heap trimmed after each spill, what
    still grows is the reading's own 2.5 KB a page)."""
    heap.trim()


@contextmanager
def system_allocator() -> Iterator[None]:
    """Arrow's allocations on the C library's malloc while a file is read
    and written. pyarrow's default (mimalloc) keeps what it freed in
    per-thread segments: for jixiao's many small tables, and the row groups
    read back from part files on Arrow's reader threads, that is 15 MB more
    resident at 2,000 pages than at 500; malloc gives large blocks back at
    once. Buffers made meanwhile are freed to the pool that made them."""
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


class PartitionWriter:
    """One source's data files, written as its rows are made (the per-file
    task's ``RowSink``): rows are held per partition while they take less
    than ``hold_bytes`` (None: no bound), else the largest partitions go to
    part files until half that is held. ``commit`` makes the data files,
    ``discard`` (also on leaving the ``with`` block uncommitted) removes
    every trace. A write that fails is kept as ``error`` (the rows after it
    are dropped): the task still reads the PDF to its end, and the result
    says it."""

    def __init__(self, out: Path, hold_bytes: int | None = HOLD_BYTES) -> None:
        self.out, self.hold_bytes = out, hold_bytes
        self.sha256 = ""
        self.error: CannotWrite | None = None
        self._files: dict[tuple[str, int | None, str | None], _Partition] = {}
        self._held = 0

    def start(self, sha256: str) -> None:
        self.discard()
        self.sha256, self.error = sha256, None

    def add(self, projects: pa.Table, indicators: pa.Table) -> None:
        self.add_rows("projects", projects)
        self.add_rows("indicators", indicators)

    def add_rows(self, name: str, table: pa.Table) -> None:
        """Rows of one table (``projects`` or ``indicators``)."""
        if self.error is not None or table.num_rows == 0:
            return
        try:
            for (year, dept), rows in _partitions(name, table):
                key = (name, year, dept)
                if key not in self._files:
                    dest = self.out / name / partition_dir(year, dept) / f"{file_stem(self.sha256)}.parquet"
                    self._files[key] = _Partition(dest)
                self._files[key].add(rows)
                self._held += rows.nbytes
            if self.hold_bytes is not None and self._held > self.hold_bytes:
                for f in sorted(self._files.values(), key=lambda f: f.bytes, reverse=True):
                    if self._held <= self.hold_bytes // 2 or not f.bytes:
                        break
                    self._held -= f.bytes
                    f.spill()
                trim_heap()
        except CannotWrite as e:
            self.error = e
            self.discard()

    def commit(self) -> list[Path]:
        """The data files, in place (those of this source's other partitions
        are the caller's to remove); the first write error raised."""
        if self.error is not None:
            raise self.error
        written = []
        if any(f.parts for f in self._files.values()):
            trim_heap()  # what the spills freed, before the data files are made
        try:
            for name in TABLES:
                for key in sorted((k for k in self._files if k[0] == name), key=lambda k: str(k[1:])):
                    self._files[key].commit()
                    written.append(self._files[key].dest)
        finally:
            self.discard()
        return written

    def discard(self) -> None:
        for f in self._files.values():
            f.discard()
        self._files, self._held = {}, 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def write_result(out: Path, result: FileResult) -> list[Path]:
    """Write the rows a result carries, one file per partition; returns the
    files written.

    Files of the same source in the same partitions are replaced; files of
    partitions the PDF no longer has rows in are the caller's to remove (it
    knows them from the manifest, so that no writer lists the dataset).
    """
    files = PartitionWriter(out, hold_bytes=None)
    files.start(result.sha256)
    for name, table in (("projects", result.projects), ("indicators", result.indicators)):
        if table is not None:
            files.add_rows(name, table)
    return files.commit()


def write_task_result(out: Path, result: FileResult, files: PartitionWriter | None = None) -> FileResult:
    """The write half of the per-file task: the result with its files, rows
    released. ``files``: where the task gave the rows as it read (else the
    result carries them). A write that fails for this file only (a name the
    file system refuses, a partition folder without permission) becomes its
    error; a full or read-only disk becomes ``out_error``, on which the run
    stops."""
    if result.status == ERROR:
        if files is not None:
            files.discard()
        return result
    try:
        written = write_result(out, result) if files is None else files.commit()
    except CannotWrite as e:
        if is_dataset_error(e):
            stop = CannotWrite(e.path, e.detail, source=printable(result.path), errno=e.errno)
            return replace(result, status=ERROR, error=str(stop), out_error=str(stop)).released()
        reason = f"{result.path}: cannot write its rows to {e.path} ({e.detail})"
        return replace(
            result, status=ERROR, error=reason, projects=None, indicators=None, rows_written=0, forms_written=0,
            warned_forms=(),
        )
    return replace(result, files=tuple(relative(out, p) for p in written)).released()


def _warn(table: pa.Table, warning: str) -> pa.Table:
    """The printed name is kept in the rows' warnings (the folder has the short form)."""
    i = table.schema.get_field_index("warnings")
    column = pa.array([[*(w or []), warning] for w in table["warnings"].to_pylist()], table.schema.field(i).type)
    return table.set_column(i, "warnings", column)


def rename_source(files: list[Path], file_name: str) -> list[Path]:
    """The same PDF under a new name: its rows' ``source_file`` follows
    (``files``: its data files)."""
    changed = []
    for path in files:
        with pq.ParquetFile(path) as f:
            table = f.read()
        i = table.schema.get_field_index("source_file")
        if i < 0 or set(table["source_file"].to_pylist()) == {file_name}:
            continue
        column = pa.array([file_name] * table.num_rows, pa.string())
        atomic_write_table(table.set_column(i, "source_file", column), path)
        changed.append(path)
    return changed


def _take(table: pa.Table, rows: list[int]) -> pa.Table:
    """These rows (ascending) of the table, as runs of slices: a file's rows
    of one partition are mostly one run. Not ``Table.filter``/``take``:
    they import pyarrow.compute, a fifth of a one-file run's start-up."""
    runs: list[tuple[int, int]] = []
    for i in rows:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    if len(runs) == 1:
        return table.slice(runs[0][0], runs[0][1] - runs[0][0])
    return pa.concat_tables([table.slice(a, b - a) for a, b in runs]).combine_chunks()


def remove_files(paths: set[Path] | list[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)
        _remove_empty_parents(p)


def _remove_empty_parents(p: Path) -> None:
    # An empty partition folder is harmless but clutters listings.
    for folder in (p.parent, p.parent.parent):
        try:
            folder.rmdir()
        except OSError:
            break
