"""Archive-grade runs: incremental, crash-safe, parallel, distributed.

The batch is real PDFs made unique (a different /Info entry each, so their
sha256 differ) plus a file without forms and a bad one; every executor and
every killed-and-resumed run must produce exactly the serial run's files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pikepdf
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from conftest import REAL01, SAMPLE

from jixiao.cli import main
from jixiao.pipelines.executors import process_pool
from jixiao.pipelines.manifest import read_manifest
from jixiao.pipelines.run import run
from jixiao.pipelines.task import FileResult, process_file
from jixiao.pipelines.write import run_lock

SAMPLE_COPIES = 4


def unique_copy(src: Path, dest: Path, tag: str) -> Path:
    with pikepdf.open(src) as pdf:
        pdf.docinfo["/JixiaoTestCopy"] = tag
        pdf.save(dest, deterministic_id=True)
    return dest


def cut(src: Path, pages: list[int], dest: Path) -> Path:
    with pikepdf.open(src) as pdf:
        out = pikepdf.new()
        for i in pages:
            out.pages.append(pdf.pages[i])
        out.save(dest, deterministic_id=True)
    return dest


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("batch")
    for i in range(SAMPLE_COPIES):
        unique_copy(SAMPLE, raw / f"shpf-{i}.pdf", f"copy {i}")
    shutil.copy(REAL01, raw / REAL01.name)
    cut(REAL01, [3, 4, 5], raw / "no-forms.pdf")
    (raw / "empty.pdf").write_bytes(b"")
    return raw


@pytest.fixture(scope="module")
def serial_out(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial")
    summary = run([batch], out, jobs=1)
    assert (summary.count("ok"), summary.count("no_forms"), summary.count("error")) == (SAMPLE_COPIES + 1, 1, 1)
    return out


def snapshot(out: Path) -> tuple[dict[str, bytes], list[dict]]:
    """Every data file's bytes, and the manifest without processed_at."""
    files = {
        str(p.relative_to(out)): p.read_bytes() for t in ("projects", "indicators") for p in (out / t).rglob("*.parquet")
    }
    manifest = pq.read_table(out / "manifest.parquet").drop_columns(["processed_at"]).to_pylist()
    return files, manifest


def assert_same_output(out: Path, reference: Path) -> None:
    files, manifest = snapshot(out)
    ref_files, ref_manifest = snapshot(reference)
    assert sorted(files) == sorted(ref_files)
    assert [name for name in files if files[name] != ref_files[name]] == []
    assert manifest == ref_manifest
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []


# --- parallel and distributed: the same bytes ------------------------------------


def test_pool_output_equals_serial(batch: Path, serial_out: Path, tmp_path: Path) -> None:
    summary = run([batch], tmp_path, jobs=2)
    assert len(summary.results) == SAMPLE_COPIES + 3
    assert_same_output(tmp_path, serial_out)


def test_dask_cluster_output_equals_serial(batch: Path, serial_out: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from jixiao.pipelines.dask_executor import dask_executor

    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        run([batch], tmp_path, executor=dask_executor(cluster.scheduler_address, 2))
    assert_same_output(tmp_path, serial_out)


def test_cli_dask_starts_a_local_cluster(
    batch: Path, serial_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed")
    assert main(["extract", str(batch), "--out", str(tmp_path), "--executor", "dask", "-j", "2"]) == 1
    assert "empty.pdf: empty file" in capsys.readouterr().err
    assert_same_output(tmp_path, serial_out)


def crash_on_marked(path: Path) -> FileResult:
    """A task whose worker dies on one file, as a segfault in a PDF library would."""
    if path.name.startswith("crash"):
        os._exit(3)
    return process_file(path)


def test_a_dying_worker_fails_only_its_file(tmp_path: Path) -> None:
    files = [
        cut(SAMPLE, [13], tmp_path / "a.pdf"),
        tmp_path / "crash.pdf",
        cut(SAMPLE, [13], tmp_path / "b.pdf"),
    ]
    files[1].write_bytes(b"%PDF-1.7\n")
    results = {Path(r.path).name: r for r in process_pool(2)(crash_on_marked, files)}
    assert sorted(results) == ["a.pdf", "b.pdf", "crash.pdf"]
    assert results["crash.pdf"].status == "error" and "the worker reading this file died" in results["crash.pdf"].error
    assert results["a.pdf"].status == results["b.pdf"].status == "ok"


# --- incremental runs ------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    cut(SAMPLE, [0, 1], raw / "form-1.pdf")
    cut(SAMPLE, [13], raw / "form-7.pdf")
    return raw


def test_done_files_are_skipped_unless_forced(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run([small], out)
    assert [r.status for r in first.results] == ["ok", "ok"]
    files, manifest = snapshot(out)
    at = pq.read_table(out / "manifest.parquet")["processed_at"].to_pylist()

    again = run([small], out)
    assert again.results == [] and sorted(p.name for p in again.skipped) == ["form-1.pdf", "form-7.pdf"]
    assert pq.read_table(out / "manifest.parquet")["processed_at"].to_pylist() == at

    time.sleep(1.1)  # processed_at has whole seconds
    forced = run([small], out, force=True)
    assert len(forced.results) == 2
    assert snapshot(out) == (files, manifest)
    assert pq.read_table(out / "manifest.parquet")["processed_at"].to_pylist() != at

    newer = run([small], out, version="99.0")  # a new jixiao reads everything again
    assert len(newer.results) == 2
    assert set(pq.read_table(out / "manifest.parquet")["jixiao_version"].to_pylist()) == {"99.0"}


def test_reextraction_replaces_the_rows(small: Path, tmp_path: Path) -> None:
    """A PDF's rows in a partition it no longer has rows in go away when it is
    read again (as after a fix moves its forms to another year)."""
    out = tmp_path / "out"
    run([small], out)
    before = pd.read_parquet(out / "indicators")
    some = next((out / "indicators").rglob("*.parquet"))
    stale = out / "indicators" / "year=1999" / "department=旧部门" / some.name
    stale.parent.mkdir(parents=True)
    shutil.copy(some, stale)
    assert len(pd.read_parquet(out / "indicators")) > len(before)
    run([small], out, force=True)
    assert not stale.exists() and not stale.parent.exists()
    after = pd.read_parquet(out / "indicators")
    assert len(after) == len(before)
    assert not after.duplicated(["project_id", "seq", "horizon"]).any()


def test_renamed_pdf_is_recognised_by_sha256(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([small], out)
    n = len(pd.read_parquet(out / "indicators"))
    (small / "form-1.pdf").rename(small / "renamed.pdf")
    summary = run([small], out)
    assert summary.results == []
    assert summary.renamed == [("form-1.pdf", small / "renamed.pdf")]
    manifest = pq.read_table(out / "manifest.parquet").to_pandas()
    assert sorted(manifest.source_file) == ["form-7.pdf", "renamed.pdf"]
    assert (manifest.source_path == str(small / "renamed.pdf")).sum() == 1
    for table in ("projects", "indicators"):
        names = set(pd.read_parquet(out / table).source_file)
        assert names == {"form-7.pdf", "renamed.pdf"}
    assert len(pd.read_parquet(out / "indicators")) == n


def test_same_content_twice_in_a_batch_is_read_once(small: Path, tmp_path: Path) -> None:
    shutil.copy(small / "form-1.pdf", small / "copy-of-form-1.pdf")
    notes: list[str] = []
    summary = run([small], tmp_path / "out", on_note=notes.append)
    assert len(summary.results) == 2 and len(summary.duplicates) == 1
    assert any("same content as" in n for n in notes)
    assert pq.read_table(tmp_path / "out" / "manifest.parquet").num_rows == 2


def test_failed_reread_keeps_the_earlier_rows(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with pikepdf.open(SAMPLE) as pdf:
        pdf.save(raw / "locked.pdf", encryption=pikepdf.Encryption(user="pw", owner="pw2"))
    out = tmp_path / "out"
    run([raw], out, password="pw")
    before = snapshot(out)
    summary = run([raw], out, force=True)  # no password this time
    assert [r.status for r in summary.results] == ["error"]
    assert snapshot(out) == before


# --- crash safety ------------------------------------------------------------------------


def test_readers_never_see_temp_files_and_leftovers_go(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([small], out)
    n = len(pd.read_parquet(out / "indicators"))
    folder = next((out / "indicators").rglob("*.parquet")).parent
    leftover = folder / ".0123456789abcdef.parquet.k1ll3d.tmp"  # as a killed write leaves it
    leftover.write_bytes(b"PAR1 half a file")
    assert len(pd.read_parquet(out / "indicators")) == n
    assert ds.dataset(out / "indicators", partitioning="hive").count_rows() == n
    glob = f"{out}/indicators/**/*.parquet"
    assert duckdb.sql(f"select count(*) from read_parquet('{glob}', hive_partitioning=true)").fetchall() == [(n,)]
    assert pl.scan_parquet(glob, hive_partitioning=True).select(pl.len()).collect().item() == n
    run([small], out)
    assert not leftover.exists()


def test_one_writer_per_dataset(small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    with run_lock(out):
        # The dataset could not be written: its own exit code, not "some inputs failed".
        assert main(["extract", str(small), "--out", str(out), "-j", "1"]) == 3
    assert "another jixiao run is writing this dataset" in capsys.readouterr().err
    assert main(["extract", str(small), "--out", str(out), "-j", "1", "-q"]) == 0


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            kids = {int(k) for k in Path(f"/proc/{p}/task/{p}/children").read_text().split()}
        except OSError:
            continue
        found |= kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _data_files(out: Path) -> int:
    return sum(1 for t in ("projects", "indicators") for _ in (out / t).rglob("*.parquet"))


def _check_consistent(out: Path) -> None:
    """What a reader sees after a kill: readable files, no duplicates, and
    every manifest row's data fully there."""
    if not any((out / "indicators").rglob("*.parquet")):
        return  # nothing written yet (a folder, perhaps a temp file)
    indicators = pd.read_parquet(out / "indicators")
    projects = pd.read_parquet(out / "projects")
    glob = f"{out}/indicators/**/*.parquet"
    count = duckdb.sql(f"select count(*) from read_parquet('{glob}', hive_partitioning=true)").fetchall()
    assert count == [(len(indicators),)]
    assert not indicators.duplicated(["project_id", "seq", "horizon"]).any()
    assert not projects.duplicated(["project_id"]).any()
    for r in read_manifest(out).to_pylist():  # manifest.parquet and the killed run's journal
        if r["status"] == "ok":
            assert (projects.source_sha256 == r["source_sha256"]).sum() == r["forms"]
            assert (indicators.source_sha256 == r["source_sha256"]).sum() == r["indicators"]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to find worker processes")
def test_kill_at_any_moment_and_rerun(batch: Path, serial_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "jixiao.cli", "extract", str(batch), "--out", str(out), "-j", "2"]
    moments: list[tuple[str, Callable[[float], bool]]] = [
        ("while starting", lambda t: t >= 0.3),
        ("at the first data file", lambda t: _data_files(out) >= 1),
        ("mid-batch", lambda t: _data_files(out) >= 5),
        ("a little later", lambda t: _data_files(out) >= 9),
    ]
    killed = 0
    for label, moment in moments:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        start = time.monotonic()
        workers: set[int] = set()
        while proc.poll() is None and time.monotonic() - start < 60:
            workers |= _descendants(proc.pid)
            if moment(time.monotonic() - start):
                proc.send_signal(signal.SIGKILL)
                killed += 1
                break
            time.sleep(0.01)
        proc.communicate()
        # Workers only read: they must go away with the run, not linger.
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), f"workers left after a kill {label}"
        _check_consistent(out)
    assert killed >= 2
    final = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert final.returncode == 1  # empty.pdf
    assert final.stdout == ""  # not a terminal: no bar, and nothing on stdout
    assert "empty.pdf: empty file" in final.stderr
    assert "jixiao: " + str(out) + ": " in final.stderr  # the one-line summary
    assert_same_output(out, serial_out)
