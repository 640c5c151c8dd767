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

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import CannotWrite, OutputBusy, printable
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
    for attempt in range(MKDIR_ATTEMPTS):
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=TEMP_SUFFIX, dir=dest.parent)
            break
        except FileNotFoundError as e:
            # Another process of the run removed the folder, empty, in between
            # (a source's old files gone): make it again.
            if attempt == MKDIR_ATTEMPTS - 1:
                raise CannotWrite(str(dest.parent), e.strerror or type(e).__name__, errno=e.errno) from e
        except OSError as e:
            raise CannotWrite(str(dest.parent), e.strerror or type(e).__name__, errno=e.errno) from e
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd", write_page_checksum=True)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, dest)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise CannotWrite(str(dest), e.strerror or type(e).__name__, errno=e.errno) from e
    finally:
        # Also on KeyboardInterrupt: never leave our temp file behind.
        if os.path.exists(tmp):
            Path(tmp).unlink(missing_ok=True)
    _fsync_dir(dest.parent)


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


def write_result(out: Path, result: FileResult) -> list[Path]:
    """Write this PDF's rows, one file per partition; returns the files written.

    Files of the same source in the same partitions are replaced; files of
    partitions the PDF no longer has rows in are the caller's to remove (it
    knows them from the manifest, so that no writer lists the dataset).
    """
    written: list[Path] = []
    for name, table in (("projects", result.projects), ("indicators", result.indicators)):
        if table is None or table.num_rows == 0:
            continue
        for year, dept in sorted(set(zip(table["year"].to_pylist(), table["department"].to_pylist())), key=str):
            mask = pc.and_(_eq(table["year"], year), _eq(table["department"], dept))
            part = table.filter(mask).drop_columns(["year", "department"])
            if name == "projects" and dept and short_department(dept) != dept:
                part = _warn(part, WARN_SHORT.format(short=short_department(dept), full=dept))
                if "department_printed" in part.column_names:  # the full name, whatever filled the rows
                    i = part.schema.get_field_index("department_printed")
                    part = part.set_column(i, "department_printed", pa.array([dept] * part.num_rows, pa.string()))
            dest = out / name / partition_dir(year, dept) / f"{file_stem(result.sha256)}.parquet"
            atomic_write_table(part, dest)
            written.append(dest)
    return written


def write_task_result(out: Path, result: FileResult) -> FileResult:
    """The write half of the per-file task: the result with its files, rows
    released. A write that fails for this file only (a name the file system
    refuses, a partition folder without permission) becomes its error; a
    full or read-only disk becomes ``out_error``, on which the run stops."""
    if result.status == ERROR:
        return result
    try:
        files = write_result(out, result)
    except CannotWrite as e:
        if is_dataset_error(e):
            stop = CannotWrite(e.path, e.detail, source=printable(result.path), errno=e.errno)
            return replace(result, status=ERROR, error=str(stop), out_error=str(stop)).released()
        reason = f"{result.path}: cannot write its rows to {e.path} ({e.detail})"
        return replace(result, status=ERROR, error=reason, projects=None, indicators=None)
    return replace(result, files=tuple(relative(out, p) for p in files)).released()


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


def _eq(column: pa.ChunkedArray, value: object) -> pa.ChunkedArray:
    if value is None:
        return pc.is_null(column)
    return pc.fill_null(pc.equal(column, value), False)


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
