"""The writer at scale: no listing of the dataset per file, the manifest
journal (a killed run's rows replayed, never lost nor doubled), manifests
written before rows listed their data files, and workers that write their
own files (dask, byte-identical to -j 1)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import SAMPLE
from test_runs import assert_same_output, cut, snapshot

from jixiao.pipelines import journal
from jixiao.pipelines.executors import Executor, Task, serial
from jixiao.pipelines.manifest import Manifest, read_manifest
from jixiao.pipelines.run import run
from jixiao.pipelines.task import FileResult

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


@pytest.fixture(scope="module")
def four(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four one-form PDFs (distinct contents), quick to read."""
    raw = tmp_path_factory.mktemp("four")
    for i, page in enumerate((0, 2, 13, 14)):
        cut(SAMPLE, [page], raw / f"form-{i}.pdf")
    return raw


@pytest.fixture(scope="module")
def reference(four: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    summary = run([four], out)
    assert [r.status for r in summary.results] == ["ok"] * 4
    return out


def test_a_killed_runs_journal_is_replayed(four: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Killed (no clean-up at all, as kill -9) while recording the third file:
    # the first two are in the journal, the third's data files are on disk.
    script = textwrap.dedent(
        """
        import os, sys
        from jixiao.pipelines import run as r
        r.MANIFEST_EVERY = 0.0  # a journal append after every file
        seen = []
        def on_result(result):
            seen.append(result)
            if len(seen) == 3:
                os._exit(9)
        r.run([sys.argv[1]], sys.argv[2], on_result=on_result)
        """
    )
    cmd = [sys.executable, "-c", script, str(four), str(out)]
    done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert done.returncode == 9, done.stderr
    assert not (out / "manifest.parquet").exists() and journal.exists(out)
    journaled = read_manifest(out).to_pylist()
    assert len(journaled) == 2 and {r["status"] for r in journaled} == {"ok"}
    data = {p.stem for p in out.rglob("*.parquet")}
    assert len(data) == 3  # the third file's rows, without their manifest row

    summary = run([four], out)
    # Rows not lost: the journaled files are not read again ...
    assert sorted(p.name for p in summary.skipped) == sorted(r["source_file"] for r in journaled)
    assert len(summary.results) == 2
    # ... and not doubled: the same files and manifest as a run never killed.
    assert not journal.exists(out)
    assert_same_output(out, reference)


def test_a_line_cut_short_is_ignored(four: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    rows = read_manifest(out).to_pylist()
    m = Manifest(out)
    first = next(iter(m.rows))
    m.rows[first]["error"] = "changed in the journal"
    m._set(first, m.rows[first])
    m.flush()
    with open(out / journal.NAME, "ab") as f:
        f.write(b'{"key": "0123", "row": {"source_sha256": "01')  # a kill in the middle of an append
    replayed = read_manifest(out).to_pylist()
    assert len(replayed) == len(rows)
    assert [r["error"] for r in replayed].count("changed in the journal") == 1
    assert Manifest(out).replayed == 1


def test_the_writer_never_lists_the_dataset_per_file(
    four: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing folders is what made the writer O(files x partitions): a run
    lists as often with four files as with one."""
    calls: list[str] = []
    for name in ("glob", "rglob", "iterdir"):
        original = getattr(Path, name)

        def counted(self: Path, *args: object, _original=original, _name=name, **kwargs: object) -> object:
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Path, name, counted)
    listings = []
    for n in (1, 4):
        raw = tmp_path / f"raw-{n}"
        raw.mkdir()
        for pdf in sorted(four.iterdir())[:n]:
            shutil.copy(pdf, raw / pdf.name)
        for force in (False, True):  # a first run, then every file read again over its old files
            calls.clear()
            summary = run([raw], tmp_path / f"out-{n}", force=force)
            assert len(summary.results) == n
            listings.append(len(calls))
    assert listings[:2] == listings[2:]


def test_a_manifest_without_data_files_is_migrated(four: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    recorded = {r["source_sha256"]: r["data_files"] for r in read_manifest(out).to_pylist()}
    assert all(len(files) == 2 and files[0].startswith("indicators/") for files in recorded.values())
    old = pq.read_table(out / "manifest.parquet").drop_columns(["data_files"])
    pq.write_table(old, out / "manifest.parquet")
    # A file a killed re-read left in another partition: only a listing finds it.
    some = next((out / "indicators").rglob("*.parquet"))
    stale = out / "indicators" / "year=1999" / "department=旧部门" / some.name
    stale.parent.mkdir(parents=True)
    shutil.copy(some, stale)

    summary = run([four], out, force=True)
    assert len(summary.results) == 4
    assert not stale.exists()
    assert {r["source_sha256"]: r["data_files"] for r in read_manifest(out).to_pylist()} == recorded
    assert_same_output(out, reference)

    pq.write_table(old, out / "manifest.parquet")  # and a run that skips every file
    summary = run([four], out)
    assert summary.results == [] and len(summary.skipped) == 4
    assert {r["source_sha256"]: r["data_files"] for r in read_manifest(out).to_pylist()} == recorded


def _watching(inner: Executor, seen: list[FileResult]) -> Executor:
    def run_(task: Task, files: list[Path]) -> Iterator[FileResult]:
        for result in inner(task, files):
            seen.append(result)
            yield result

    return run_


def test_dask_workers_write_their_own_files(tmp_path: Path) -> None:
    """On a dask cluster the per-file task writes the files; only manifest facts
    come back, and the dataset is byte for byte the one -j 1 writes."""
    distributed = pytest.importorskip("distributed")
    from jixiao.pipelines.dask_executor import dask_executor

    raw = tmp_path / "raw"
    raw.mkdir()
    for pdf in RAW.glob("*.pdf"):
        shutil.copy(pdf, raw / pdf.name)
    cut(SAMPLE, [0, 1], raw / "form-1.pdf")
    serial_out, dask_out = tmp_path / "serial", tmp_path / "dask"
    seen: list[FileResult] = []
    run([raw], serial_out, executor=_watching(serial, seen))
    with distributed.LocalCluster(
        n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        run([raw], dask_out, executor=_watching(dask_executor(cluster.scheduler_address, 2), seen))
    assert len(seen) == 4
    assert all(r.status == "ok" and r.indicators is None and r.files for r in seen)
    files, _ = snapshot(dask_out)
    assert sorted(files) == sorted(f for r in seen[2:] for f in r.files)
    assert_same_output(dask_out, serial_out)


def test_a_partition_folder_removed_under_a_write_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers write while the run removes a re-read source's old files (and
    their folder, once empty): a folder gone between its mkdir and the temp
    file is made again, not the file's error."""
    import pyarrow as pa

    from jixiao.pipelines import write

    dest = tmp_path / "indicators" / "year=2023" / "department=某部门" / "0123456789abcdef.parquet"
    real = write.tempfile.mkstemp
    raced: list[Path] = []

    def racing(*args: object, **kwargs: object) -> tuple[int, str]:
        if not raced:  # the run's rmdir lands right after our mkdir
            raced.append(dest.parent)
            dest.parent.rmdir()
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(write.tempfile, "mkstemp", racing)
    write.atomic_write_table(pa.table({"a": [1]}), dest)
    assert raced and pq.read_table(dest)["a"].to_pylist() == [1]
