"""Long documents are read as a stream: extract hands on each table once no
later page can stitch onto it, normalize turns each form into a project once
it closes, and nothing holds the document whole (bench/bench_long.py measures
the memory; this proves the property, by counting the tables alive)."""

from __future__ import annotations

import gc
import io
import weakref
from collections.abc import Iterator
from pathlib import Path

import playa.page
import pyarrow as pa
import pyarrow.parquet as pq
import pypdfium2 as pdfium
import pytest
from conftest import SAMPLE

from jixiao import extract
from jixiao.extract import Table, TextLine, pagewindow, read_pdf, stream_pdf
from jixiao.normalize import Leftovers, normalize, page_wanted, read_projects
from jixiao.pipelines import task, write

REPEATS = 4


def repeated(dest: Path, times: int) -> Path:
    """The sample's pages ``times`` over, each copy imported on its own (as a
    merged PDF is: its own fonts and streams)."""
    src = pdfium.PdfDocument(str(SAMPLE))
    out = pdfium.PdfDocument.new()
    for _ in range(times):
        out.import_pages(src)
    out.save(str(dest))
    out.close()
    src.close()
    return dest


def _form(p) -> tuple:
    return (
        p.project_name,
        p.department,
        p.year,
        p.funds,
        p.last_page - p.first_page,
        tuple((i.level1, i.level2, i.level3, i.value_raw, i.page - p.first_page) for i in p.indicators),
        tuple(n.code for n in p.warnings),
    )


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return repeated(tmp_path_factory.mktemp("long") / "long.pdf", REPEATS)


def test_tables_alive_stay_bounded_while_a_long_document_is_read(long_pdf: Path, monkeypatch) -> None:
    """At every project given, only the open form's tables and the page-break
    window are alive, not the tables of the pages before; and the PDF
    libraries reopened every few pages change nothing that is read."""
    monkeypatch.setattr(extract, "FORGET_PAGES", 5)
    alive: weakref.WeakSet[Table] = weakref.WeakSet()
    seen = 0
    most = 0
    parsed: list[int] = []  # objects PLAYA holds parsed (the stream check reads each page's fonts)

    def watch(items: Iterator[Table | TextLine]) -> Iterator[Table | TextLine]:
        nonlocal seen
        for it in items:
            if isinstance(it, Table):
                alive.add(it)
                seen += 1
            yield it

    projects = []
    made: list[int] = []  # PLAYA's pages alive (its own list makes every page at the first)
    with stream_pdf(long_pdf, wanted=page_wanted) as stream:
        stream.items = watch(stream.items)
        left = Leftovers()
        for p in read_projects(stream, left):
            gc.collect()
            most = max(most, len(alive))
            projects.append(p)
            parsed.append(len(stream._source.playa._cached_objs))
            made.append(sum(1 for o in gc.get_objects() if isinstance(o, playa.page.Page)))
        pages = len(stream.pages)
        resident = _resident_kb(long_pdf)
    one = normalize(read_pdf(SAMPLE, wanted=page_wanted)).projects
    per_copy = len(one)
    assert pages == REPEATS * 17
    assert [_form(p) for p in projects] == [_form(p) for p in one] * REPEATS
    assert [p.first_page for p in projects[per_copy:2 * per_copy]] == [p.first_page + 17 for p in one]
    assert seen >= REPEATS * per_copy
    assert most <= 3, f"{most} of {seen} tables alive at once"
    # What PLAYA parsed for the pages before a forget (fonts, resources) is
    # let go: it holds a few pages' objects, never more in the last copies
    # than in the first (kept, they would grow with every page).
    assert max(parsed[per_copy:]) <= max(parsed[:per_copy]), parsed
    assert max(made) <= pagewindow.KEEP + 1, made
    # The PDF's bytes PLAYA mapped are let go as well: of the whole file read,
    # only what the pages since the last forget touched stays resident.
    if resident is not None:
        assert resident < long_pdf.stat().st_size / 1024 / 2, (resident, long_pdf.stat().st_size)

    # The file's rows, made a few projects at a time, are the rows made at once
    # (one chunk per column, the same Parquet bytes).
    monkeypatch.setattr(task, "ROWS_CHUNK", 5)
    rows = task._Rows("long.pdf", "0" * 64)
    for p in projects:
        rows.add(p)
    for chunked, whole in zip(rows.tables(), task._tables(projects, "long.pdf", "0" * 64)):
        assert all(c.num_chunks == 1 for c in chunked.columns)
        assert chunked.equals(whole) and _parquet(chunked) == _parquet(whole)


def _resident_kb(path: Path) -> int | None:
    """Resident KB of this process's mappings of ``path`` (Linux), None where /proc does not say."""
    try:
        lines = Path("/proc/self/smaps").read_text().splitlines()
    except OSError:
        return None
    total, inside = 0, False
    for line in lines:
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5:  # a mapping's first line
            inside = line.endswith(str(path))
        elif inside and head[0] == "Rss:":
            total += int(head[1])
    return total


def _parquet(table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_page_checksum=True)
    return buf.getvalue()


# --- the rows written as they are made ------------------------------------------------------

HOLD = 32 * 1024  # bytes of rows the writer may hold: the 4 copies' rows are ten times that


class _Watched(write.PartitionWriter):
    """The per-file task's writer, noting the Arrow memory alive whenever it is given rows."""

    def __init__(self, out: Path, fail_after: int | None = None) -> None:
        super().__init__(out, hold_bytes=HOLD)
        self.base = pa.total_allocated_bytes()
        self.most = 0
        self.given = 0
        self.fail_after = fail_after

    def add(self, projects: pa.Table, indicators: pa.Table) -> None:
        if self.fail_after is not None and self.given >= self.fail_after:
            raise RuntimeError("the task dies mid-file")
        super().add(projects, indicators)
        self.given += 1
        self.most = max(self.most, pa.total_allocated_bytes() - self.base)


def test_a_long_pdf_is_written_as_it_is_read(long_pdf: Path, tmp_path: Path, monkeypatch) -> None:
    """The per-file task hands its rows to the writer a few forms at a time;
    the writer holds a bounded amount and spills the rest to part files.
    The data files hold the same rows as when the rows were collected (and
    the result says the same), the Arrow memory alive stays a fraction of
    the file's rows, and no temporary file is left."""
    monkeypatch.setattr(task, "ROWS_CHUNK", 2)
    streamed, collected = tmp_path / "streamed", tmp_path / "collected"
    with _Watched(streamed) as files:
        got = write.write_task_result(streamed, task.process_file(long_pdf, rows=files), files)
    want = write.write_task_result(collected, task.process_file(long_pdf))
    assert got.status == want.status == "ok"
    assert (got.forms, got.indicator_rows, got.warned_forms) == (want.forms, want.indicator_rows, want.warned_forms)
    assert got.files == want.files and len(got.files) == 2
    rows = 0
    for name in got.files:
        new, old = pq.ParquetFile(streamed / name), pq.ParquetFile(collected / name)
        assert new.schema_arrow.equals(old.schema_arrow)
        assert new.read().equals(old.read()), name
        rows += old.read().nbytes
        if name.startswith("indicators/"):
            assert new.metadata.num_row_groups > 1 and old.metadata.num_row_groups == 1
    assert files.given >= 10
    # Collected, the rows alive at the last form would be all of them (~1.4 x ``rows``).
    assert files.most < rows / 2, (files.most, rows)
    assert [p for p in streamed.rglob("*") if p.is_file() and p.suffix != ".parquet"] == []


def test_a_task_that_dies_mid_file_leaves_no_rows(long_pdf: Path, tmp_path: Path, monkeypatch) -> None:
    """Rows already spilled when the read fails: no data file appears, and
    the part files go with the failure (a killed task's are removed by the
    next run, as every temp file)."""
    monkeypatch.setattr(task, "ROWS_CHUNK", 2)
    out = tmp_path / "out"
    with _Watched(out, fail_after=8) as files:
        result = write.write_task_result(out, task.process_file(long_pdf, rows=files), files)
    assert result.status == "error" and "the task dies mid-file" in result.traceback
    assert result.files == () and [p for p in out.rglob("*") if p.is_file()] == []
