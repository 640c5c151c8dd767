"""The manifest's journal: rows changed during a run, appended as they come.

Rewriting manifest.parquet every few seconds costs O(rows) each time (a
10,000-source archive rewrites 10,000 rows to record one); the run appends
the changed rows instead, one JSON line each, fsynced, to
``manifest.journal``, and compacts them into manifest.parquet when it ends.
A run that died leaves its journal: the next one (and every reader of the
manifest) replays it over manifest.parquet, so no recorded row is lost, and
since each line holds a whole row under its key, replaying twice gives the
same rows (never a duplicate). A line cut short by a kill is ignored (its
file is read again). Appends happen only after the data files they describe
are written, as for manifest.parquet.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pyarrow as pa

from ..errors import CannotWrite
from . import schema
from .write import FILE_MODE

NAME = "manifest.journal"
Entry = tuple[str, "dict | None"]  # (key, row); None: the row under that key went away


def append(out: Path, entries: list[Entry]) -> None:
    if not entries:
        return
    data = "".join(json.dumps({"key": key, "row": _encode(row)}) + "\n" for key, row in entries).encode()
    path = out / NAME
    new = not path.exists()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        raise CannotWrite(str(path), e.strerror or type(e).__name__, errno=e.errno) from e
    if new:
        from .write import _fsync_dir

        _fsync_dir(out)


def entries(out: Path) -> list[Entry]:
    """The journal's complete lines, in order (none when there is no journal)."""
    try:
        data = (out / NAME).read_bytes()
    except FileNotFoundError:
        return []
    except OSError:
        return []  # unreadable: its rows are lost, their files are read again
    found: list[Entry] = []
    lines = data.split(b"\n")
    for line in lines[:-1]:  # the last piece has no newline: empty, or cut short by a kill
        try:
            item = json.loads(line)
            found.append((str(item["key"]), _decode(item["row"])))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def exists(out: Path) -> bool:
    return (out / NAME).exists()


def remove(out: Path) -> None:
    (out / NAME).unlink(missing_ok=True)


def _encode(row: dict | None) -> dict | None:
    if row is None:
        return None
    out = {}
    for k, v in row.items():
        if isinstance(v, bytes):
            v = v.hex()
        elif isinstance(v, dt.datetime):
            v = v.isoformat()
        out[k] = v
    return out


def _decode(row: dict | None) -> dict | None:
    if row is None:
        return None
    out = {}
    for f in schema.MANIFEST:
        v = row.get(f.name)
        if v is not None and pa.types.is_binary(f.type):
            v = bytes.fromhex(v)
        elif v is not None and pa.types.is_timestamp(f.type):
            v = dt.datetime.fromisoformat(v)
        out[f.name] = v
    return out
