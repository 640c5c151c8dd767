"""manifest.parquet: one row per source PDF ever processed (the catalogue)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .task import FileResult
from .write import atomic_write_table

NAME = "manifest.parquet"


def read_manifest(out: Path) -> pa.Table:
    path = out / NAME
    if not path.exists():
        return schema.MANIFEST.empty_table()
    return pq.read_table(path, schema=schema.MANIFEST)


def row(result: FileResult, version: str, now: dt.datetime) -> dict:
    return {
        "source_sha256": result.sha256,
        "source_file": Path(result.path).name,
        "source_path": result.path,
        "size_bytes": result.size,
        "pages": result.pages,
        "status": result.status,
        "error": result.error,
        "forms": result.forms,
        "indicators": result.indicator_rows,
        "extraction_methods": list(result.methods),
        "page_decisions": list(result.page_decisions),
        "skipped_tables": list(result.skipped_tables),
        "jixiao_version": version,
        "processed_at": now,
    }


def update_manifest(out: Path, results: list[FileResult], version: str, now: dt.datetime | None = None) -> pa.Table:
    """Replace the rows of these sources (by sha256, or by path for files that
    could not even be hashed) and keep every other row."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    old = read_manifest(out).to_pylist()
    shas = {r.sha256 for r in results if r.sha256}
    paths = {r.path for r in results if not r.sha256}
    kept = [r for r in old if r["source_sha256"] not in shas and not (not r["source_sha256"] and r["source_path"] in paths)]
    new = [row(r, version, now) for r in results]
    rows = sorted(kept + new, key=lambda r: (r["source_file"], r["source_sha256"]))
    table = pa.Table.from_pylist(rows, schema=schema.MANIFEST)
    atomic_write_table(table, out / NAME)
    return table
