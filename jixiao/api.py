"""The public API: ``jixiao.load(OUT)`` -> the dataset as typed frames.

This module is the one reader of a dataset: ``jixiao check``, ``report``,
``export`` and ``review`` read through ``read_tables`` (Arrow tables, schemas
as code), analysts through ``load`` (pandas, or polars on request).

What ``load`` settles so that analysts do not have to:
- ``year`` and ``department`` come from the folder names, typed (int, string),
  never as pandas categories; dates are dates; lists are lists;
- ``indicators`` holds the annual targets by default (a form that prints an
  实施期 target as well has a second row per indicator, horizon "period"):
  ``horizon="all"`` gives both, ``horizon="period"`` the period rows only;
- ``indicators_with_project`` adds each indicator's project columns without
  repeating the ones both tables have (no ``_x``/``_y`` columns);
- the analysis-safe columns (``level1_std``, ``level2_std``, ``value_base``,
  ``unit_base``, ``funds_budget``, ``form_kind``) are there even on a dataset
  written before they existed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from .errors import DamagedDataset, MissingExtra, NoDataset, UsageError
from .normalize import standard
from .pipelines import schema
from .pipelines.manifest import read_manifest
from .pipelines.write import data_files

MANIFEST = "manifest.parquet"
PARTITIONING = pa.schema([("year", pa.int32()), ("department", pa.string())])
HORIZONS = ("annual", "period", "all")
ENGINES = ("pandas", "polars", "arrow")
# Columns of a project that its indicator rows already carry.
SHARED = ("year", "department", "implementing_unit", "project_id", "project_name", "source_file", "source_sha256")

Horizon = Literal["annual", "period", "all"]
Engine = Literal["pandas", "polars", "arrow"]


@dataclass(frozen=True)
class Tables:
    """The dataset as Arrow tables: every horizon, year and department first."""

    manifest: pa.Table
    projects: pa.Table
    indicators: pa.Table


def with_partitions(s: pa.Schema) -> pa.Schema:
    return pa.schema(list(PARTITIONING) + [f for f in s if f.name not in PARTITIONING.names])


def _read(out: Path, name: str, file_schema: pa.Schema, exclude: frozenset[Path] = frozenset()) -> pa.Table:
    full = with_partitions(file_schema)
    folder = out / name
    files = [str(f) for f in data_files(out, name) if f not in exclude]
    if not files:
        return full.empty_table()
    try:
        dataset = ds.dataset(
            files,
            schema=pa.unify_schemas([file_schema, PARTITIONING]),
            format="parquet",
            partitioning=ds.partitioning(PARTITIONING, flavor="hive"),
            partition_base_dir=str(folder),
        )
        return dataset.to_table().select(full.names)
    except (pa.ArrowException, OSError) as e:  # never a traceback, never fewer rows in silence
        detail = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise DamagedDataset(str(out), f"{name}: {detail}") from e


# The name the API exports for a damaged data file.
DamagedData = DamagedDataset


def _fill(table: pa.Table, derive: Any, names: tuple[str, ...], types: dict[str, pa.DataType]) -> pa.Table:
    """Add or complete derived columns: a value already in the data wins.
    Only rows with none of them set are derived again (files written before
    the columns existed), so a current dataset costs one null check."""
    present = all(n in table.column_names for n in names)
    if present and table.num_rows:
        mask = pc.is_null(table[names[0]])
        for n in names[1:]:
            mask = pc.and_(mask, pc.is_null(table[n]))
        where = pc.indices_nonzero(mask).to_pylist()
    else:
        where = list(range(table.num_rows))
    if not where:
        return table
    derived = [derive(r) for r in table.take(pa.array(where, pa.int64())).to_pylist()]
    for name in names:
        column: list[object] = [None] * table.num_rows
        for i, d in zip(where, derived):
            column[i] = d[name]
        computed = pa.array(column, types[name])
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, pc.coalesce(table[name], computed))
        else:
            table = table.append_column(pa.field(name, types[name]), computed)
    return table


def read_tables(out: str | os.PathLike[str], exclude: frozenset[Path] = frozenset()) -> Tables:
    """The dataset at OUT as Arrow tables (raises NoDataset if it is none, and
    DamagedManifest for a manifest that cannot be read). ``exclude``: data files
    to leave out (those `jixiao check` found damaged)."""
    out = Path(out)
    if not (out / MANIFEST).is_file():
        raise NoDataset(str(out))
    manifest = read_manifest(out)  # a damaged manifest: one line (DamagedManifest), never a traceback
    projects = _read(out, "projects", schema.PROJECTS, exclude)
    indicators = _read(out, "indicators", schema.INDICATORS, exclude)
    indicators = _fill(
        indicators,
        standard.indicator_columns,
        standard.INDICATOR_COLUMNS,
        {"level1_std": pa.string(), "level2_std": pa.string(), "value_base": pa.float64(),
         "value_max_base": pa.float64(), "unit_base": pa.string()},
    )  # fmt: skip
    projects = _fill(projects, standard.project_columns, standard.PROJECT_COLUMNS, {"funds_budget": pa.float64()})
    # form_kind: the column where the data has it (contract v2), else from the title
    projects = _fill(projects, lambda r: {"form_kind": standard.form_kind(r)}, ("form_kind",),
                     {"form_kind": pa.string()})  # fmt: skip
    return Tables(manifest, projects, indicators)


def select_horizon(indicators: pa.Table, horizon: str) -> pa.Table:
    if horizon not in HORIZONS:
        raise UsageError(f"horizon must be one of {', '.join(HORIZONS)}, not {horizon!r}")
    if horizon == "all":
        return indicators
    return indicators.filter(pc.equal(indicators["horizon"], horizon))


def join_project(indicators: pa.Table, projects: pa.Table) -> pa.Table:
    """Each indicator row with its project's own columns appended (in the
    indicators' order; an indicator without a project row gets nulls)."""
    own = projects.select([c for c in projects.column_names if c not in SHARED or c == "project_id"])
    place = {pid: i for i, pid in enumerate(own["project_id"].to_pylist())}
    take = pa.array([place.get(pid) for pid in indicators["project_id"].to_pylist()], pa.int64())
    joined = indicators
    matched = own.take(take)
    for name in own.column_names:
        if name != "project_id":
            joined = joined.append_column(own.schema.field(name), matched[name])
    return joined


class Dataset:
    """The frames of one dataset; see ``load``."""

    def __init__(self, tables: Tables, horizon: str, engine: str) -> None:
        self.tables = tables
        self.horizon = horizon
        self.engine = engine
        self._indicators = select_horizon(tables.indicators, horizon)

    def _frame(self, table: pa.Table) -> Any:
        return convert(table, self.engine)

    @property
    def projects(self) -> Any:
        """One row per form."""
        return self._frame(self.tables.projects)

    @property
    def indicators(self) -> Any:
        """One row per 三级指标 (of the horizon asked for)."""
        return self._frame(self._indicators)

    @property
    def indicators_with_project(self) -> Any:
        """Indicators with their project's columns (funds, dates, layout, form_kind, warnings, ...)."""
        return self._frame(join_project(self._indicators, self.tables.projects))

    @property
    def manifest(self) -> Any:
        """One row per source PDF ever processed."""
        return self._frame(self.tables.manifest)

    def __repr__(self) -> str:
        t = self.tables
        return (
            f"<jixiao dataset: {t.manifest.num_rows} source PDFs, {t.projects.num_rows} projects, "
            f"{self._indicators.num_rows} indicators (horizon={self.horizon})>"
        )


def load(out: str | os.PathLike[str], *, horizon: Horizon = "annual", engine: Engine = "pandas") -> Dataset:
    """The dataset at OUT (the folder given to ``jixiao extract --out``).

    >>> ds = jixiao.load("data/parquet")
    >>> ds.indicators.groupby(["department", "value_kind"]).size()

    horizon: "annual" (default), "period" or "all". engine: "pandas"
    (default), "polars" or "arrow" (pyarrow Tables).
    """
    if engine not in ENGINES:
        raise UsageError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    select_horizon(pa.table({"horizon": pa.array([], pa.string())}), horizon)  # validates early
    return Dataset(read_tables(out), horizon, engine)


def convert(table: pa.Table, engine: str) -> Any:
    if engine == "arrow":
        return table
    if engine == "polars":
        try:
            import polars as pl
        except ModuleNotFoundError as e:
            raise MissingExtra("jixiao.load(..., engine='polars')", "polars") from e
        return pl.from_arrow(table)
    return to_pandas(table)


def to_pandas(table: pa.Table) -> Any:
    """Typed pandas: strings as "string", integers as nullable Int32/Int64,
    floats as float64 (NaN for null), dates as datetime64, lists as lists."""
    import pandas as pd

    mapping = {
        pa.string(): pd.StringDtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    df = table.to_pandas(types_mapper=mapping.get, date_as_object=False)
    for f in table.schema:
        if pa.types.is_list(f.type):
            df[f.name] = [list(v) if v is not None else [] for v in table[f.name].to_pylist()]
        elif pa.types.is_date(f.type):
            df[f.name] = df[f.name].astype("datetime64[ns]")
    return df
