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

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import CannotWrite, OutputBusy
from .task import FileResult

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
TABLES = ("projects", "indicators")
TEMP_SUFFIX = ".tmp"
LOCK_NAME = ".jixiao.lock"


def _file_mode() -> int:
    # mkstemp creates files 0600; dataset files get the usual umask-based mode.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


def partition_dir(year: int | None, department: str | None) -> str:
    """``year=2023/department=上海市…``: UTF-8 as printed; only characters that
    would break a path are percent-escaped (Hive readers decode them)."""
    y = NULL_PARTITION if year is None else str(year)
    if not department:
        d = NULL_PARTITION
    else:
        d = "".join(f"%{ord(c):02X}" if c in "/\\%:*?\"<>|" or ord(c) < 32 else c for c in department)
    return f"year={y}/department={d}"


def file_stem(sha256: str) -> str:
    return sha256[:16]


def atomic_write_table(table: pa.Table, dest: Path) -> None:
    """Write ``dest`` whole or not at all (temp file, fsync, rename)."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=TEMP_SUFFIX, dir=dest.parent)
    except OSError as e:
        raise CannotWrite(str(dest.parent), e.strerror or type(e).__name__) from e
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, dest)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise CannotWrite(str(dest), e.strerror or type(e).__name__) from e
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


def existing_files(out: Path, sha256: str) -> list[Path]:
    """Every data file of this source PDF, in any partition."""
    name = f"{file_stem(sha256)}.parquet"
    return sorted(p for t in TABLES for p in (out / t).glob(f"year=*/department=*/{name}"))


def write_result(out: Path, result: FileResult) -> list[Path]:
    """Replace this PDF's rows in the dataset; returns the files written.

    New files go into place first, then files of partitions the PDF no
    longer has rows in are removed: a run killed in between leaves extra
    rows of this PDF only until the PDF is read again (its manifest row is
    written after this returns, so the next run does read it again).
    """
    old = set(existing_files(out, result.sha256))
    written: list[Path] = []
    for name, table in (("projects", result.projects), ("indicators", result.indicators)):
        if table is None or table.num_rows == 0:
            continue
        for year, dept in sorted(set(zip(table["year"].to_pylist(), table["department"].to_pylist())), key=str):
            mask = pc.and_(_eq(table["year"], year), _eq(table["department"], dept))
            part = table.filter(mask).drop_columns(["year", "department"])
            dest = out / name / partition_dir(year, dept) / f"{file_stem(result.sha256)}.parquet"
            atomic_write_table(part, dest)
            written.append(dest)
    _remove(old - set(written))
    return written


def rename_source(out: Path, sha256: str, file_name: str) -> list[Path]:
    """The same PDF under a new name: its rows' ``source_file`` follows."""
    changed = []
    for path in existing_files(out, sha256):
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


def _remove(paths: set[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)
        # An empty partition folder is harmless but clutters listings.
        for folder in (p.parent, p.parent.parent):
            try:
                folder.rmdir()
            except OSError:
                break
