"""The dataset as analysts load it: readers, schema, partitions, re-runs."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from conftest import SAMPLE

from jixiao.pipelines import schema
from jixiao.pipelines.run import run


def test_readers_agree(born_digital_dataset: Path) -> None:
    out = born_digital_dataset
    pandas_rows = len(pd.read_parquet(out / "indicators"))
    duck = duckdb.sql(
        f"select count(*), count(distinct department), min(year), max(year) "
        f"from read_parquet('{out}/indicators/**/*.parquet', hive_partitioning=true)"
    ).fetchall()[0]
    polars_rows = pl.scan_parquet(f"{out}/indicators/**/*.parquet", hive_partitioning=True).collect().height
    arrow_rows = ds.dataset(out / "indicators", partitioning="hive").count_rows()
    assert pandas_rows == duck[0] == polars_rows == arrow_rows == 143 + 143 + 65
    assert duck[1:] == (2, 2023, 2023)


def test_partitions_and_schema(born_digital_dataset: Path) -> None:
    out = born_digital_dataset
    parts = sorted(str(p.relative_to(out)) for p in out.glob("*/year=*/department=*"))
    assert "indicators/year=2023/department=上海市住房和城乡建设管理委员会" in parts
    assert "projects/year=2023/department=上海市普陀区人民政府万里街道办事处" in parts
    for f in out.glob("indicators/**/*.parquet"):
        assert pq.read_schema(f).remove_metadata() == schema.INDICATORS
    for f in out.glob("projects/**/*.parquet"):
        assert pq.read_schema(f).remove_metadata() == schema.PROJECTS
    duck = duckdb.sql(
        f"select year, department, start_date, funds_total from read_parquet("
        f"'{out}/projects/**/*.parquet', hive_partitioning=true) where project_name = '补充公积金' limit 1"
    ).fetchall()[0]
    assert str(duck[2]) == "2023-01-01" and duck[0] == 2023


def _digest(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*.parquet"))
        if p.name != "manifest.parquet"
    }


def test_rerun_is_identical_and_never_duplicates(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw / SAMPLE.name)
    out = tmp_path / "out"
    run([raw], out)
    first = _digest(out)
    run([raw], out, force=True)  # really re-extracts
    assert _digest(out) == first
    shutil.copy(SAMPLE, raw / "renamed-copy.pdf")  # the same PDF under another name
    run([raw], out, force=True)
    assert _digest(out) == first
    ind = pd.read_parquet(out / "indicators")
    assert len(ind) == 143
    assert not ind.duplicated(["project_id", "seq", "horizon"]).any()


def test_project_ids_are_stable_and_unique(born_digital_dataset: Path) -> None:
    proj = pd.read_parquet(born_digital_dataset / "projects")
    assert proj.project_id.is_unique
    ind = pd.read_parquet(born_digital_dataset / "indicators")
    counts = ind.groupby("project_id").size()
    assert (proj.set_index("project_id").indicator_count == counts.reindex(proj.project_id).values).all()


def test_a_files_rows_split_by_partition_keep_their_order() -> None:
    """Rows of two departments interleaved in one file (a 汇总表 of several
    units) go to their partitions, each in the file's order, nulls a
    partition of their own."""
    import pyarrow as pa

    from jixiao.pipelines.write import _partitions

    table = pa.table(
        {
            "year": [2023, 2023, 2023, 2024, 2023, 2023],
            "department": ["甲", "乙", "甲", "甲", None, "甲"],
            "seq": [1, 2, 3, 4, 5, 6],
        }
    )
    parts = {key: part["seq"].to_pylist() for key, part in _partitions("indicators", table)}
    assert parts == {(2023, "甲"): [1, 3, 6], (2023, "乙"): [2], (2024, "甲"): [4], (2023, None): [5]}
    assert all(part.column_names == ["seq"] for _, part in _partitions("indicators", table))
