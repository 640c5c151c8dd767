"""manifest.parquet: one row per source PDF ever processed (the catalogue).

A source PDF is its content: rows are keyed by sha256, so the same PDF under
a new name or folder is one row (with its latest name). Files that could not
even be hashed (unreadable) are keyed by their path until they can be.

The manifest is written after the data files of the PDFs it lists, never
before: a run killed in between leaves data without a manifest row, and the
next run reads those PDFs again (replacing their files), so a row always
describes data that is fully there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .task import ERROR, FileResult
from .write import atomic_write_table

NAME = "manifest.parquet"
DONE = ("ok", "partial", "no_forms")  # statuses a later run skips (same sha256 and version)


def read_manifest(out: Path) -> pa.Table:
    path = Path(out) / NAME
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


def _key(r: dict) -> str:
    return r["source_sha256"] or f"path:{r['source_path']}"


class Manifest:
    """The manifest in memory; ``save`` writes it atomically when changed."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.rows: dict[str, dict] = {_key(r): r for r in read_manifest(self.out).to_pylist()}
        self.dirty = False

    def get(self, sha256: str) -> dict | None:
        return self.rows.get(sha256) if sha256 else None

    def done(self, sha256: str, version: str) -> bool:
        r = self.get(sha256)
        return r is not None and r["status"] in DONE and r["jixiao_version"] == version

    def record(self, result: FileResult, version: str, now: dt.datetime | None = None) -> bool:
        """Replace this source's row. A failed re-read of a PDF that was read
        before keeps the earlier row (its data stays in the dataset): returns
        False then."""
        now = now or utcnow()
        new = row(result, version, now)
        old = self.rows.get(_key(new))
        if result.status == ERROR and old is not None and old["status"] in DONE:
            return False
        if result.sha256:
            # The file could not be hashed before and now can: one row.
            self.rows.pop(f"path:{result.path}", None)
        self.rows[_key(new)] = new
        self.dirty = True
        return True

    def rename(self, sha256: str, path: str) -> bool:
        """The same content found under another name: the row follows it."""
        r = self.rows.get(sha256)
        if r is None or (r["source_path"] == path and r["source_file"] == Path(path).name):
            return False
        r["source_path"], r["source_file"] = path, Path(path).name
        self.dirty = True
        return True

    def table(self) -> pa.Table:
        rows = sorted(self.rows.values(), key=lambda r: (r["source_file"], r["source_sha256"], r["source_path"]))
        return pa.Table.from_pylist(rows, schema=schema.MANIFEST)

    def save(self) -> None:
        if self.dirty:
            atomic_write_table(self.table(), self.out / NAME)
            self.dirty = False


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
