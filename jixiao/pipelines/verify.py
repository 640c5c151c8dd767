"""Verification of the dataset against its manifest (every run, and `jixiao check`).

For each source the manifest lists with rows, its data files must exist,
parse with the dataset's schema, hold only that source's rows, and add up to
the row counts the manifest recorded. A file is read back whole (pages carry
CRC checksums, so garbled bytes are noticed) when it changed since the
manifest was written, and always in ``full`` mode (`jixiao check`); the others
are checked from their footer (row counts, schema, the sha256 column's
statistics), which costs a fraction of a millisecond, so that a run over a
large archive does not re-read it all.
A source that fails is *damaged*: the run reads it again from its PDF (or, if
the PDF is gone, reports it). A data file no source owns (a copy, a file
left by hand) is a *stray*: the run moves it to ``OUT/.quarantine/``.
Where the manifest lists a source's data files (``data_files``), a listed
file that is missing, or a file of the source it does not list (a re-read
killed before its row was saved), makes the source damaged too.

This is the one place that lists the dataset's files, once per run
(``listed``): writers take a source's files from its manifest row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .write import TABLES, data_files, file_stem, relative

HAS_ROWS = ("ok", "partial")  # statuses whose rows are in the data files
NO_ROWS = ("no_forms",)
SCHEMAS = {"projects": schema.PROJECTS, "indicators": schema.INDICATORS}
COUNT = {"projects": "forms", "indicators": "indicators"}


@dataclass
class Verification:
    damaged: dict[str, str] = field(default_factory=dict)  # sha256 -> one-line reason
    strays: list[Path] = field(default_factory=list)
    files: int = 0  # data files checked
    listed: dict[str, list[Path]] = field(default_factory=dict)  # file stem -> its data files found, any table

    @property
    def sound(self) -> bool:
        return not self.damaged and not self.strays


def verify(out: Path, rows: Iterable[dict], *, full: bool = True, since: float | None = None) -> Verification:
    """``since``: the manifest's modification time; files not modified after
    it are checked from their footer unless ``full``."""
    owners: dict[str, dict] = {}
    for r in rows:
        if r["status"] in HAS_ROWS + NO_ROWS and r["source_sha256"]:
            owners[file_stem(r["source_sha256"])] = r
    found: dict[str, dict[str, int]] = {stem: {t: 0 for t in TABLES} for stem in owners}
    v = Verification()
    for table in TABLES:
        for path in data_files(out, table):
            v.listed.setdefault(path.stem, []).append(path)
            owner = owners.get(path.stem)
            if owner is None:
                v.strays.append(path)
                continue
            r = owner
            v.files += 1
            where = path.relative_to(out)
            if r.get("data_files") is not None and relative(out, path) not in r["data_files"]:
                v.damaged.setdefault(r["source_sha256"], f"{where} is not one of its data files in the manifest")
                continue
            try:
                if full or since is None or path.stat().st_mtime >= since:
                    rows_in, schema_of, shas = _read_whole(path)
                else:
                    rows_in, schema_of, shas = _read_footer(path)
            except (pa.ArrowException, OSError) as e:
                v.damaged.setdefault(r["source_sha256"], f"{where} cannot be read ({type(e).__name__})")
                continue
            if not schema_of.equals(SCHEMAS[table], check_metadata=False):
                v.damaged.setdefault(r["source_sha256"], f"{where} has other columns than the dataset's")
                continue
            if shas - {r["source_sha256"]}:
                v.damaged.setdefault(r["source_sha256"], f"{where} holds rows of another source")
                continue
            found[path.stem][table] += rows_in
    for stem, row in owners.items():
        r = row
        missing = sorted(set(r.get("data_files") or []) - {relative(out, p) for p in v.listed.get(stem, [])})
        if missing and r["source_sha256"] not in v.damaged:
            v.damaged[r["source_sha256"]] = f"{missing[0]} is missing"
        for table in TABLES:
            expected = r[COUNT[table]] if r["status"] in HAS_ROWS else 0
            if found[stem][table] != expected and r["source_sha256"] not in v.damaged:
                v.damaged[r["source_sha256"]] = (
                    f"{table}: {found[stem][table]} rows in the data files, the manifest recorded {expected}"
                )
    return v


def _read_whole(path: Path) -> tuple[int, pa.Schema, set[str]]:
    data = pq.read_table(path, page_checksum_verification=True, partitioning=None)
    return data.num_rows, data.schema, set(data["source_sha256"].to_pylist())


def _read_footer(path: Path) -> tuple[int, pa.Schema, set[str]]:
    """Row count, schema and the sha256 values the statistics allow (min and
    max of the column in each row group; a file without them is read whole)."""
    with pq.ParquetFile(path) as f:
        meta, schema_of = f.metadata, f.schema_arrow
        index = schema_of.get_field_index("source_sha256")
        shas: set[str] = set()
        for g in range(meta.num_row_groups):
            stats = meta.row_group(g).column(index).statistics if index >= 0 else None
            if stats is None or not stats.has_min_max:
                return _read_whole(path)
            shas |= {stats.min, stats.max}
        return meta.num_rows, schema_of, shas
