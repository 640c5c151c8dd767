"""Writing the dataset: Hive partitions, atomic files, one file per source PDF.

Each source PDF's rows live in files named after its sha256, one per
partition it has rows in. Re-running on the same PDF therefore replaces its
files (never adds a second copy), and a PDF renamed on disk maps to the same
files. Every file is written to a temporary name and moved into place with
``os.replace``, so a reader or a killed run never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .task import FileResult

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
TABLES = ("projects", "indicators")


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
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def existing_files(out: Path, sha256: str) -> list[Path]:
    """Every data file of this source PDF, in any partition."""
    name = f"{file_stem(sha256)}.parquet"
    return [p for t in TABLES for p in (out / t).glob(f"year=*/department=*/{name}")]


def write_result(out: Path, result: FileResult) -> list[Path]:
    """Replace this PDF's rows in the dataset; returns the files written."""
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
    for stale in old - set(written):
        stale.unlink(missing_ok=True)
    return written


def _eq(column: pa.ChunkedArray, value: object) -> pa.ChunkedArray:
    if value is None:
        return pc.is_null(column)
    return pc.fill_null(pc.equal(column, value), False)


def remove_source(out: Path, sha256: str) -> None:
    for p in existing_files(out, sha256):
        p.unlink(missing_ok=True)
