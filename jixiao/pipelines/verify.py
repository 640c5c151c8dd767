"""Verification of the dataset against its manifest (every run, and `jixiao check`).

For each source the manifest lists with rows, its data files must exist,
read back whole (pages carry CRC checksums) with the dataset's schema, hold
only that source's rows, and add up to the row counts the manifest recorded.
A source that fails is *damaged*: the run reads it again from its PDF (or, if
the PDF is gone, reports it). A data file no source owns (a copy, a file
left by hand) is a *stray*: the run moves it to ``OUT/.quarantine/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .write import TABLES, data_files, file_stem

HAS_ROWS = ("ok", "partial")  # statuses whose rows are in the data files
NO_ROWS = ("no_forms",)
SCHEMAS = {"projects": schema.PROJECTS, "indicators": schema.INDICATORS}
COUNT = {"projects": "forms", "indicators": "indicators"}


@dataclass
class Verification:
    damaged: dict[str, str] = field(default_factory=dict)  # sha256 -> one-line reason
    strays: list[Path] = field(default_factory=list)
    files: int = 0  # data files checked

    @property
    def sound(self) -> bool:
        return not self.damaged and not self.strays


def verify(out: Path, rows: Iterable[dict]) -> Verification:
    owners: dict[str, dict] = {}
    for r in rows:
        if r["status"] in HAS_ROWS + NO_ROWS and r["source_sha256"]:
            owners[file_stem(r["source_sha256"])] = r
    found: dict[str, dict[str, int]] = {stem: {t: 0 for t in TABLES} for stem in owners}
    v = Verification()
    for table in TABLES:
        for path in data_files(out, table):
            owner = owners.get(path.stem)
            if owner is None:
                v.strays.append(path)
                continue
            r = owner
            v.files += 1
            where = path.relative_to(out)
            try:
                data = pq.read_table(path, page_checksum_verification=True, partitioning=None)
            except (pa.ArrowException, OSError) as e:
                v.damaged.setdefault(r["source_sha256"], f"{where} cannot be read ({type(e).__name__})")
                continue
            if not data.schema.equals(SCHEMAS[table], check_metadata=False):
                v.damaged.setdefault(r["source_sha256"], f"{where} has other columns than the dataset's")
                continue
            if set(data["source_sha256"].to_pylist()) - {r["source_sha256"]}:
                v.damaged.setdefault(r["source_sha256"], f"{where} holds rows of another source")
                continue
            found[path.stem][table] += data.num_rows
    for stem, row in owners.items():
        r = row
        for table in TABLES:
            expected = r[COUNT[table]] if r["status"] in HAS_ROWS else 0
            if found[stem][table] != expected and r["source_sha256"] not in v.damaged:
                v.damaged[r["source_sha256"]] = (
                    f"{table}: {found[stem][table]} rows in the data files, the manifest recorded {expected}"
                )
    return v
