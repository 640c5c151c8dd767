"""Read the dataset back with its schemas as code (never inferred)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from ..errors import NoDataset
from ..pipelines import schema
from ..pipelines.manifest import NAME as MANIFEST_NAME
from ..pipelines.manifest import read_manifest

PARTITIONING = pa.schema([("year", pa.int32()), ("department", pa.string())])


def with_partitions(s: pa.Schema) -> pa.Schema:
    """The table as analysts see it: year and department first."""
    return pa.schema(list(PARTITIONING) + list(s))


def read_table(out: Path, name: str, file_schema: pa.Schema) -> pa.Table:
    """OUT/<name> (projects or indicators) with the partition columns first."""
    full = with_partitions(file_schema)
    folder = out / name
    if not folder.is_dir():
        return full.empty_table()
    dataset = ds.dataset(
        folder,
        schema=pa.unify_schemas([file_schema, PARTITIONING]),
        format="parquet",
        partitioning=ds.partitioning(PARTITIONING, flavor="hive"),
    )
    return dataset.to_table().select(full.names)


def read_dataset(out: Path) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(manifest, projects, indicators) of the dataset at OUT."""
    if not (out / MANIFEST_NAME).is_file():
        raise NoDataset(str(out))
    return (
        read_manifest(out),
        read_table(out, "projects", schema.PROJECTS),
        read_table(out, "indicators", schema.INDICATORS),
    )
