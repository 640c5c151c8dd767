"""manifest.parquet: one row per source PDF ever processed (the catalogue).

A source PDF is its content: rows of PDFs that were read are keyed by sha256,
so the same PDF under a new name or folder is one row (with its latest
name). Rows of files that could not be read are keyed by their path, so that
identical bad files (two empty files) each keep their row.

The manifest is written after the data files of the PDFs it lists, never
before: a run killed in between leaves data without a manifest row, and the
next run reads those PDFs again (replacing their files), so a row always
describes data that is fully there. During a run, changed rows go to the
journal (``journal``), compacted into manifest.parquet at its end. Each row
lists its source's data files (``data_files``), so that a re-read knows the
files to replace without listing the dataset.

File names need not be UTF-8 (a GBK name from an unzipped archive): the text
columns hold them escaped (``errors.printable``) and ``source_path_bytes``
holds the raw bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DamagedManifest, printable
from . import journal, schema
from .task import ERROR, PARTIAL, FileResult
from .write import TABLES, atomic_write_table, data_files, relative

NAME = "manifest.parquet"
DAMAGED_SUFFIX = ".damaged"
SUPERSEDED = "superseded"
DONE = ("ok", "no_forms")  # statuses a later run skips (same sha256 and version)
HAS_DATA = ("ok", PARTIAL)  # statuses whose rows are in the data files
REBUILT = "manifest rebuilt from the data files (the old one was damaged); re-read when its PDF is given"


def read_manifest(out: Path) -> pa.Table:
    """The manifest, in the current schema (columns added since are null),
    with the journal of a run that is going on or died replayed over it; a
    manifest that cannot be read raises DamagedManifest, never a traceback."""
    found = journal.entries(Path(out))
    table = _read_parquet(Path(out))
    if not found:
        return table
    rows = {_key(r): r for r in table.to_pylist()}
    _replay(rows, found)
    return _sorted_table(rows.values())


def _read_parquet(out: Path) -> pa.Table:
    path = out / NAME
    if not path.exists():
        return schema.MANIFEST.empty_table()
    try:
        table = pq.read_table(path)
        columns = []
        for f in schema.MANIFEST:
            if f.name in table.column_names:
                columns.append(table[f.name].cast(f.type))
            else:
                columns.append(pa.nulls(table.num_rows, f.type))
        return pa.Table.from_arrays(columns, schema=schema.MANIFEST)
    except (pa.ArrowException, OSError, ValueError) as e:
        first = (str(e).splitlines() or [""])[0].split(". ")[0].replace(f"'{path}'", "it")
        raise DamagedManifest(str(path), f"{type(e).__name__}: {first[:160]}") from e


def _replay(rows: dict[str, dict], found: list[journal.Entry]) -> None:
    for key, r in found:
        if r is None:
            rows.pop(key, None)
        else:
            rows[key] = r


def _sorted_table(rows: Iterable[dict]) -> pa.Table:
    ordered = sorted(rows, key=lambda r: (r["source_file"], r["source_sha256"], r["source_path"], path_bytes(r)))
    return pa.Table.from_pylist(ordered, schema=schema.MANIFEST)


def row(result: FileResult, version: str, now: dt.datetime) -> dict:
    return {
        "source_sha256": result.sha256,
        "source_file": printable(Path(result.path).name),
        "source_path": printable(result.path),
        "size_bytes": result.size,
        "pages": result.pages,
        "status": result.status,
        "error": printable(result.error),
        "forms": result.forms,
        "indicators": result.indicator_rows,
        "extraction_methods": list(result.methods),
        "page_decisions": list(result.page_decisions),
        "skipped_tables": list(result.skipped_tables),
        "jixiao_version": version,
        "processed_at": now,
        "source_path_bytes": os.fsencode(result.path),
        "superseded_by": None,
        "data_files": sorted(result.files),
    }


def path_bytes(r: dict) -> bytes:
    raw = r.get("source_path_bytes")
    return raw if raw is not None else str(r["source_path"]).encode("utf-8", "surrogateescape")


def _key(r: dict) -> str:
    if r["status"] == ERROR or not r["source_sha256"]:
        return f"path:{path_bytes(r).hex()}"
    return r["source_sha256"]


class Manifest:
    """The manifest in memory. Changed rows go to the journal (``flush``, O(rows
    changed)); ``save`` compacts everything into manifest.parquet.

    A damaged manifest is moved aside (``manifest.parquet.damaged``) and
    rebuilt from the data files: ``rebuilt`` then says why. A journal left
    by a run that died is replayed: ``replayed`` counts its rows."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.dirty = False
        self.rebuilt = ""
        self._changed: set[str] = set()  # keys changed since the last flush
        try:  # data files changed after this are verified whole (see verify)
            self.mtime: float | None = (self.out / NAME).stat().st_mtime
        except OSError:
            self.mtime = None
        try:
            rows: Iterable[dict] = _read_parquet(self.out).to_pylist()
        except DamagedManifest as e:
            os.replace(self.out / NAME, self.out / (NAME + DAMAGED_SUFFIX))
            rows = rebuild_rows(self.out)
            self.rebuilt, self.dirty = str(e), True
        self.rows: dict[str, dict] = {_key(r): r for r in rows}
        found = journal.entries(self.out)
        _replay(self.rows, found)
        self.replayed = len(found)
        # Keys by path, so that a new result finds the rows at its path in O(1).
        self._path_of: dict[str, bytes] = {}
        self._at_path: dict[bytes, set[str]] = {}
        for key, r in self.rows.items():
            self._index(key, r)
        if found or journal.exists(self.out):
            self.dirty = True  # compacted by the next save

    def _set(self, key: str, r: dict | None) -> None:
        if r is None:
            self.rows.pop(key, None)
        else:
            self.rows[key] = r
        self._index(key, r)
        self._changed.add(key)
        self.dirty = True

    def _index(self, key: str, r: dict | None) -> None:
        old = self._path_of.pop(key, None)
        if old is not None:
            self._at_path[old].discard(key)
        if r is not None:
            here = self._path_of[key] = path_bytes(r)
            self._at_path.setdefault(here, set()).add(key)

    def get(self, sha256: str) -> dict | None:
        r = self.rows.get(sha256) if sha256 else None
        return r if r is not None and r["status"] != ERROR else None

    def done(self, sha256: str, version: str) -> bool:
        r = self.get(sha256)
        return r is not None and r["status"] in DONE and r["jixiao_version"] == version

    def files(self, sha256: str) -> list[str]:
        """The data files the manifest records for this source (relative to OUT)."""
        r = self.rows.get(sha256) if sha256 else None
        return list((r or {}).get("data_files") or [])

    def set_files(self, sha256: str, files: list[str]) -> None:
        """Record the data files found for a source whose row predates them."""
        r = self.rows[sha256]
        if r.get("data_files") != files:
            r["data_files"] = files
            self._set(sha256, r)

    def record(self, result: FileResult, version: str, now: dt.datetime | None = None) -> bool:
        """Replace this source's row. A failed re-read of a PDF that was read
        before keeps the earlier row (its data stays in the dataset): returns
        False then."""
        new = row(result, version, now or utcnow())
        old = self.get(result.sha256)
        path_key = f"path:{path_bytes(new).hex()}"
        if result.status == ERROR:
            if old is not None and old["status"] in (*DONE, PARTIAL):
                return False
            self._set(path_key, new)
        else:
            if path_key in self.rows:
                self._set(path_key, None)  # an earlier failure at this path
            self._set(result.sha256, new)
        return True

    def supersede(self, result: FileResult) -> list[dict]:
        """New content read at a path that held other content: the older
        rows at that path become ``superseded`` (their data files are
        removed by the caller). Returns them."""
        gone = []
        for key in sorted(self._at_path.get(os.fsencode(result.path), ())):
            r = self.rows[key]
            if key == result.sha256 or r["status"] == SUPERSEDED:
                continue
            if r["status"] == ERROR:
                continue  # a failure at this path: replaced by ``record``
            r["status"], r["superseded_by"] = SUPERSEDED, result.sha256
            r["error"] = printable(f"{result.path}: replaced by new content at the same path ({result.sha256[:12]})")
            gone.append(dict(r))  # as it was: the caller removes its data files
            r["data_files"] = []
            self._set(key, r)
        return gone

    def mark_lost(self, sha256: str, reason: str) -> None:
        """Its data files are damaged and its source is gone: an error row."""
        r = dict(self.rows[sha256])
        self._set(sha256, None)
        r["status"], r["error"], r["forms"], r["indicators"] = ERROR, printable(reason), 0, 0
        r["data_files"] = []
        self._set(_key(r), r)

    def rename(self, sha256: str, path: str) -> bool:
        """The same content found under another name: the row follows it."""
        r = self.rows.get(sha256)
        shown = printable(path)
        if r is None or (path_bytes(r) == os.fsencode(path) and r["source_file"] == printable(Path(path).name)):
            return False
        r["source_path"], r["source_file"] = shown, printable(Path(path).name)
        r["source_path_bytes"] = os.fsencode(path)
        self._set(sha256, r)
        return True

    def table(self) -> pa.Table:
        return _sorted_table(self.rows.values())

    def flush(self) -> None:
        """Append the rows changed since the last flush to the journal."""
        if self._changed:
            journal.append(self.out, [(key, self.rows.get(key)) for key in sorted(self._changed)])
            self._changed.clear()

    def save(self) -> None:
        """Compact: manifest.parquet rewritten whole, the journal removed. The
        journal gets the last changes first, so that a kill between the two
        leaves a journal that replays to the same rows.

        Written when changed, and once in any case: a dataset folder always
        has its manifest, even when a run is stopped before its first row."""
        if self.dirty or not (self.out / NAME).exists():
            self.flush()
            atomic_write_table(self.table(), self.out / NAME)
            self.dirty = False
        journal.remove(self.out)


def rebuild_rows(out: Path) -> list[dict]:
    """Manifest rows recovered from the data files: one per source sha256,
    with its row counts. The version is left empty, so that the next run that
    is given the PDF reads it again and writes a complete row."""
    counts: dict[str, dict] = {}
    for table in TABLES:
        for path in data_files(out, table):
            try:
                data = pq.read_table(path, columns=["source_file", "source_sha256"])
            except (pa.ArrowException, OSError):
                continue  # verification quarantines it
            for name, sha in zip(data["source_file"].to_pylist(), data["source_sha256"].to_pylist()):
                r = counts.setdefault(sha, {"file": name, "projects": 0, "indicators": 0, "files": set()})
                r[table] += 1
                r["files"].add(relative(out, path))
    now = utcnow()
    return [
        {
            "source_sha256": sha,
            "source_file": c["file"],
            "source_path": "",
            "size_bytes": 0,
            "pages": 0,
            "status": "ok",
            "error": REBUILT,
            "forms": c["projects"],
            "indicators": c["indicators"],
            "extraction_methods": [],
            "page_decisions": [],
            "skipped_tables": [],
            "jixiao_version": "",
            "processed_at": now,
            "source_path_bytes": b"",
            "superseded_by": None,
            "data_files": sorted(c["files"]),
        }
        for sha, c in sorted(counts.items())
    ]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
