"""jixiao export --format duckdb|sqlite: one database file with the tables
and three views, the same in both engines:

- indicators_annual: the annual targets (what jixiao.load gives by default);
- indicators_with_project: those with their project's own columns (as
  jixiao.load(...).indicators_with_project);
- review: the review findings with each rule's explanation and source.

SQLite stores dates as ISO text and lists (warnings) as JSON arrays, which
Datasette shows as lists: `datasette jixiao.db`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pyarrow as pa

from ..api import SHARED
from . import columns

TABLES = {
    "indicators": "indicators",
    "projects": "projects",
    "manifest": "manifest",
    "review": "review_findings",
    "review_summary": "review_summary",
    "review_rules": "review_rules",
}


def view_sql(projects: pa.Schema) -> dict[str, str]:
    own = [c for c in projects.names if c not in SHARED]
    extra = ", ".join(f'p."{c}"' for c in own)
    return {
        "indicators_annual": "SELECT * FROM indicators WHERE horizon = 'annual'",
        "indicators_with_project": (
            f"SELECT i.*, {extra} FROM indicators_annual AS i LEFT JOIN projects AS p ON p.project_id = i.project_id"
        ),
        "review": (
            "SELECT f.*, r.explanation, r.source FROM review_findings AS f JOIN review_rules AS r ON r.rule = f.rule"
        ),
    }


def write_database(tables: dict[str, pa.Table], path: Path, fmt: str) -> None:
    """Write TABLES (export.tables_for_export) as a DuckDB or SQLite file at
    PATH, atomically (a temporary file moved into place)."""
    named = {TABLES[k]: t for k, t in tables.items() if k in TABLES}
    used = [c for t in named.values() for c in t.column_names]
    titles = {r["rule"]: r["title"] for r in tables["review_rules"].to_pylist()}
    named["dictionary"] = pa.Table.from_pylist(columns.dictionary_rows(used, titles))
    views = view_sql(tables["projects"].schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    if fmt == "duckdb":
        _duckdb(named, views, tmp)
    elif fmt == "sqlite":
        _sqlite(named, views, tmp)
    else:
        raise ValueError(f"not a database format: {fmt!r}")
    os.replace(tmp, path)


def _duckdb(tables: dict[str, pa.Table], views: dict[str, str], path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    try:
        for name, table in tables.items():
            con.register("incoming", table)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
            con.unregister("incoming")
        for name, sql in views.items():
            con.execute(f'CREATE VIEW "{name}" AS {sql}')
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _sqlite_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        return "INTEGER"
    if pa.types.is_floating(t):
        return "REAL"
    return "TEXT"


def _sqlite_value(v: object) -> object:
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _sqlite(tables: dict[str, pa.Table], views: dict[str, str], path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        for name, table in tables.items():
            cols = ", ".join(f'"{f.name}" {_sqlite_type(f.type)}' for f in table.schema)
            con.execute(f'CREATE TABLE "{name}" ({cols})')
            marks = ", ".join("?" * table.num_columns)
            for batch in table.to_batches(max_chunksize=5_000):
                con.executemany(
                    f'INSERT INTO "{name}" VALUES ({marks})',
                    ([_sqlite_value(v) for v in r.values()] for r in batch.to_pylist()),
                )
        for table in ("indicators", "projects", "review_findings"):
            con.execute(f'CREATE INDEX "{table}_project_id" ON "{table}" (project_id)')
        for name, sql in views.items():
            con.execute(f'CREATE VIEW "{name}" AS {sql}')
        con.commit()
    finally:
        con.close()
