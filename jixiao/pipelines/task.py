"""The per-file unit of work: PDF -> rows.

The same function runs in every executor (serial, process pool, dask); it
returns a small picklable result and never raises for bad input: a file that
cannot be read comes back with status "error" and a one-line reason, and so
does a file on which jixiao itself fails (with the traceback kept for
``--debug``), so that one file never stops a batch.

The rows go, a few forms at a time as the forms close, to a ``RowSink``
(the per-file task's is ``write.PartitionWriter``, which writes them as
they come: a long document's rows are never held whole); without one they
are collected into the result's two tables.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from ..errors import EncryptedPdf, JixiaoError, TooLarge, UnreadableFile, printable
from ..extract import FAILED, PageInfo, sha256_file, stream_pdf
from ..limits import OUT_OF_MEMORY, Limits
from ..normalize import Leftovers, Project, page_wanted, read_projects, standard
from . import schema

OK = "ok"
PARTIAL = "partial"  # read, but not all of it: pages that failed, target-like tables left unread, incomplete forms
NO_FORMS = "no_forms"
ERROR = "error"
STATUSES = (OK, NO_FORMS, PARTIAL, ERROR)


@dataclass(frozen=True)
class FileResult:
    path: str
    sha256: str
    size: int
    pages: int
    status: str  # ok | no_forms | partial | error
    error: str = ""  # error: the reason; partial: what was not read; no_forms: what was looked at
    projects: pa.Table | None = None
    indicators: pa.Table | None = None
    methods: tuple[str, ...] = ()
    page_decisions: tuple[str, ...] = ()
    skipped_tables: tuple[str, ...] = ()
    unread_tables: tuple[str, ...] = ()  # of skipped_tables, those that may hold targets
    seconds: float = 0.0
    # For a failure inside jixiao (not the file's fault): shown with --debug.
    traceback: str = ""
    # Indicator rows and forms of a result whose tables were released once
    # written (or whose rows went to a RowSink as they were made), and
    # (form_seq, project_name, first_page, warnings) of its forms with
    # warnings, as plain values: even a one-row Arrow table costs ~6 KB.
    rows_written: int = 0
    forms_written: int = 0
    warned_forms: tuple[tuple[int, str, int, tuple[str, ...]], ...] = ()
    # The data files the task wrote (paths relative to the dataset folder).
    files: tuple[str, ...] = ()
    # The dataset could not be written at all (disk full, read-only): the run stops.
    out_error: str = ""

    @property
    def forms(self) -> int:
        return self.forms_written if self.projects is None else self.projects.num_rows

    @property
    def indicator_rows(self) -> int:
        return self.rows_written if self.indicators is None else self.indicators.num_rows

    def released(self) -> FileResult:
        """This result once its rows are written: counts and what the run's
        summary names forms with warnings by, not the tables (a run over
        10,000 PDFs would otherwise hold every one of them)."""
        if self.projects is None:
            return self
        return replace(
            self, projects=None, indicators=None, rows_written=self.indicator_rows, forms_written=self.forms,
            warned_forms=warned_forms(self.projects),
        )


def warned_forms(projects: pa.Table) -> tuple[tuple[int, str, int, tuple[str, ...]], ...]:
    """(form_seq, project_name, first_page, warnings) of the forms with warnings."""
    return tuple(
        (p["form_seq"], p["project_name"], p["first_page"], tuple(p["warnings"]))
        for p in projects.select(list(SUMMARY_COLUMNS)).to_pylist()
        if p["warnings"]
    )


class RowSink(Protocol):
    """Where one PDF's rows go as they are made: ``start`` once its hash is
    known (again if it is read again), then ``add`` a few forms' rows at a
    time (both tables with the ``year`` and ``department`` columns)."""

    def start(self, sha256: str) -> None: ...

    def add(self, projects: pa.Table, indicators: pa.Table) -> None: ...


def project_id(sha256: str, form_seq: int) -> str:
    """Stable for the same PDF content: the file's hash and the form's place."""
    return hashlib.sha256(f"{sha256}:{form_seq}".encode()).hexdigest()[:16]


def failed(path: str | os.PathLike[str], error: Exception, sha256: str | None = None, size: int = 0) -> FileResult:
    """The result of a file that could not be read: the same shape whichever
    executor noticed the failure (``sha256=None``: hash the file here, if it
    can be read, so that its manifest row is keyed by content)."""
    if sha256 is None:
        try:
            sha256, size = sha256_file(Path(path)), Path(path).stat().st_size
        except (OSError, JixiaoError):  # unreadable, or not a regular file
            sha256 = ""
    if isinstance(error, MemoryError):
        error = TooLarge(str(path), f"it needs {OUT_OF_MEMORY}")
    if isinstance(error, JixiaoError):
        return FileResult(str(path), sha256, size, 0, ERROR, str(error))
    tb = "".join(traceback.format_exception(error))
    message = f"{path}: unexpected {type(error).__name__}: {error} (a bug in jixiao; --debug shows the traceback)"
    return FileResult(str(path), sha256, size, 0, ERROR, message, traceback=tb)


# Project columns a released result keeps (pipelines/progress.py names forms with warnings).
SUMMARY_COLUMNS = ("form_seq", "project_name", "first_page", "warnings")


def pages_file(pages_dir: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Where the task reading ``path`` says how many of its pages are done
    ("12 35"), for the progress display of the run (any process may read it)."""
    return Path(pages_dir) / (hashlib.sha256(os.fsencode(str(path))).hexdigest()[:32] + ".pages")


def _page_reporter(pages_dir: str | None, path: Path) -> Callable[[int, int], None] | None:
    if not pages_dir:
        return None
    target = pages_file(pages_dir, path)

    def report(done: int, total: int) -> None:
        with contextlib.suppress(OSError):  # progress only: never the file's failure
            tmp = target.with_suffix(".tmp")
            tmp.write_text(f"{done} {total}")
            os.replace(tmp, target)

    return report


def process_file(
    path: str | os.PathLike[str],
    password: str | None = None,
    limits: Limits | None = None,
    pages_dir: str | None = None,
    rows: RowSink | None = None,
) -> FileResult:
    """``rows``: where the rows go as they are made; without it, the result
    carries them (``projects``, ``indicators``)."""
    start = time.perf_counter()
    p = Path(path)
    sha, size = "", 0
    try:
        try:
            sha = sha256_file(p)  # first: refuses FIFOs and devices before anything reads them
            size = p.stat().st_size
        except OSError as e:
            raise UnreadableFile(str(p), e.strerror or type(e).__name__) from e
        read = _read(p, password, limits, sha, _page_reporter(pages_dir, p), rows)
        return _result(p, read, size, time.perf_counter() - start)
    except Exception as e:  # noqa: BLE001 - one file never stops the batch; the cause is kept
        return replace(failed(p, e, sha, size), seconds=time.perf_counter() - start)


@dataclass(frozen=True)
class _Read:
    """What reading one PDF gave: its rows, and what the result says of it."""

    sha256: str
    page_count: int
    pages: tuple[PageInfo, ...]
    projects: pa.Table | None  # None: the rows went to a sink, counted in ``given``
    indicators: pa.Table | None
    given: _Given
    forms: int
    problems: tuple[str, ...]  # incomplete forms, one line each
    skipped: tuple[str, ...]
    unread: tuple[str, ...]


def _read(
    p: Path,
    password: str | None,
    limits: Limits | None = None,
    sha256: str | None = None,
    on_page: Callable[[int, int], None] | None = None,
    sink: RowSink | None = None,
) -> _Read:
    """One --password serves a whole batch: files protected by an owner
    password only (no password to open) must open whatever was given."""
    try:
        return _read_once(p, password, limits, sha256, on_page, sink)
    except EncryptedPdf:
        if not password:
            raise
        try:
            return _read_once(p, None, limits, sha256, on_page, sink)
        except EncryptedPdf:
            pass
        raise


def _read_once(
    p: Path,
    password: str | None,
    limits: Limits | None,
    sha256: str | None,
    on_page: Callable[[int, int], None] | None,
    sink: RowSink | None,
) -> _Read:
    """The PDF read page by page, its forms normalised and turned into rows as
    they close, the rows handed to ``sink`` (or collected, without one): a
    long document is never held whole."""
    with stream_pdf(p, password=password, wanted=page_wanted, limits=limits, sha256=sha256, on_page=on_page) as doc:
        left = Leftovers()
        if sink is not None:
            sink.start(doc.sha256)
        rows = _Rows(printable(p.name), doc.sha256, sink)
        problems: list[str] = []
        forms = 0
        for pr in read_projects(doc, left):
            forms += 1
            rows.add(pr)
            problems += [f"form {pr.seq} (p.{pr.first_page} '{pr.project_name or ''}'): {why}" for why in pr.problems]
        projects, indicators = rows.tables() if sink is None else (None, None)
        if sink is not None:
            rows.close()
        return _Read(
            doc.sha256,
            doc.page_count,
            tuple(doc.pages),
            projects,
            indicators,
            rows.given,
            forms,
            tuple(problems),
            tuple(left.skipped),
            tuple(left.unread),
        )


def _result(p: Path, doc: _Read, size: int, seconds: float) -> FileResult:
    decisions = tuple(f"{i.number}:{i.text_layer}:{i.method}" for i in doc.pages)
    # The engines that read pages (a scanned PDF without forms was still OCR'd).
    methods = tuple(sorted({i.method for i in doc.pages if i.method not in ("skipped", FAILED)}))
    failed_pages = [i for i in doc.pages if i.method == FAILED]
    garbled = [i for i in doc.pages if i.text_layer == "garbled"]
    reason = ""
    status = OK
    missing: list[str] = []  # what was not read, one part of the file's one line each
    if failed_pages:
        pages = ", ".join(str(i.number) for i in failed_pages)
        first = failed_pages[0].reason.removeprefix(f"{p}: ")
        missing.append(
            f"{len(failed_pages)} of {doc.page_count} pages could not be read in full (p. {pages}: {first}); "
            f"{doc.forms} forms read from the others"
        )
    elif not doc.forms and garbled:
        # No form, but on pages whose text does not decode: OCR read them and
        # found none, which is no proof there is none (a broken font renders
        # badly too). Not "done": the file is partial, the pages named.
        pages = ", ".join(str(i.number) for i in garbled)
        missing.append(
            f"no target forms found, but {len(garbled)} of {doc.page_count} pages have a text "
            f"layer that does not decode (p. {pages}) and OCR found no form on them"
        )
    missing += [f"target-like table left unread: {u}" for u in doc.unread] + list(doc.problems)
    if missing:
        status = PARTIAL
        reason = f"{p}: partial: " + "; ".join(missing)
    elif not doc.forms:
        read = sum(1 for i in doc.pages if i.method != "skipped")
        reason = f"{p}: no target forms found ({doc.page_count} pages, {read} read, the rest without form vocabulary)"
        status = NO_FORMS
    return FileResult(
        path=str(p),
        sha256=doc.sha256,
        size=size,
        pages=doc.page_count,
        status=status,
        error=reason,
        projects=doc.projects,
        indicators=doc.indicators,
        rows_written=doc.given.rows,
        forms_written=doc.given.forms,
        warned_forms=tuple(doc.given.warned),
        methods=methods,
        page_decisions=decisions,
        skipped_tables=doc.skipped,
        unread_tables=doc.unread,
        seconds=seconds,
    )


VALUE_BOX = ("value_bbox_x0", "value_bbox_top", "value_bbox_x1", "value_bbox_bottom")




ROWS_CHUNK = 64  # projects turned into Arrow at a time (Python rows weigh ten times their Arrow)


@dataclass
class _Given:
    """What a sink was given: the result's counts, without its tables."""

    forms: int = 0
    rows: int = 0
    warned: list[tuple[int, str, int, tuple[str, ...]]] = field(default_factory=list)


class _Rows:
    """Projects -> Arrow rows, a chunk at a time: each chunk handed to the
    sink, or (without one) kept for the file's two tables."""

    def __init__(self, file_name: str, sha: str, sink: RowSink | None = None) -> None:
        self.file_name, self.sha = file_name, sha
        self.sink = sink
        self.given = _Given()
        self.chunks: list[tuple[pa.Table, pa.Table]] = []
        self.waiting: list[Project] = []

    def add(self, project: Project) -> None:
        self.waiting.append(project)
        if len(self.waiting) >= ROWS_CHUNK:
            self._flush()

    def _flush(self) -> None:
        projects, indicators = _tables(self.waiting, self.file_name, self.sha)
        self.waiting = []
        if self.sink is None:
            self.chunks.append((projects, indicators))
            return
        self.given.forms += projects.num_rows
        self.given.rows += indicators.num_rows
        self.given.warned += warned_forms(projects)
        self.sink.add(projects, indicators)

    def close(self) -> None:
        """The last chunk to the sink."""
        if self.waiting:
            self._flush()

    def tables(self) -> tuple[pa.Table, pa.Table]:
        if self.waiting or not self.chunks:
            self._flush()
        chunks, self.chunks = self.chunks, []
        if len(chunks) == 1:
            return chunks[0]
        projects = [c[0] for c in chunks]
        indicators = [c[1] for c in chunks]
        del chunks
        return _combine(projects), _combine(indicators)


def _combine(tables: list[pa.Table]) -> pa.Table:
    """One table of one chunk per column, as one pa.table of all the rows
    would be; each column's chunks are let go once it is joined (the rows are
    not held twice)."""
    schema = tables[0].schema
    parts = {name: [t.column(name) for t in tables] for name in schema.names}
    tables.clear()
    columns = []
    for name in schema.names:
        pieces = parts.pop(name)
        columns.append(pa.chunked_array([c for p in pieces for c in p.chunks], schema.field(name).type).combine_chunks())
        del pieces
        # The allocator keeps what the chunks held for later small blocks: the
        # next column's one large block would take new memory.
        pa.default_memory_pool().release_unused()
    return pa.Table.from_arrays(columns, schema=schema)


def _tables(
    projects: list[Project], file_name: str, sha: str
) -> tuple[pa.Table, pa.Table]:
    prows: dict[str, list] = {f.name: [] for f in schema.PROJECTS}
    irows: dict[str, list] = {f.name: [] for f in schema.INDICATORS}
    prows["year"], prows["department"] = [], []
    irows["year"], irows["department"] = [], []
    for p in projects:
        pid = project_id(sha, p.seq)
        f = p.funds
        warnings = [n.message for n in p.warnings]
        year, department = p.year, p.department
        values: dict[str, object] = {
            "implementing_unit": p.implementing_unit,
            "project_id": pid,
            "project_name": p.project_name,
            "project_nature": p.project_nature,
            "project_category": p.project_category,
            "start_date": p.start_date,
            "end_date": p.end_date,
            "funds_total": f.total,
            "funds_total_fiscal": f.total_fiscal,
            "funds_total_other": f.total_other,
            "funds_annual_request": f.annual_request,
            "funds_annual_appropriation": f.annual_appropriation,
            "funds_annual_carryover": f.annual_carryover,
            "funds_annual_other": f.annual_other,
            "goal_period": p.goal_period,
            "overall_goal": p.overall_goal,
            "annual_goal": p.annual_goal,
            "indicator_count": len(p.indicators),
            "source_file": file_name,
            "source_sha256": sha,
            "first_page": p.first_page,
            "last_page": p.last_page,
            "layout": p.layout,
            "extraction_method": p.extraction_method,
            "warnings": warnings,
            "warning_codes": sorted({n.code for n in p.warnings}),
            "form_seq": p.seq,
            "form_title": p.form_title,
            "form_kind": p.form_kind,
            "department_printed": department,
            "weight_total": p.weight_total,
            "year": year,
            "department": department,
        }
        values.update(standard.project_columns(values))
        for k, v in values.items():
            prows[k].append(v)
        for i in p.indicators:
            row: dict[str, object] = {
                "implementing_unit": p.implementing_unit,
                "project_id": pid,
                "project_name": p.project_name,
                "seq": i.seq,
                "level1": i.level1,
                "level2": i.level2,
                "level3": i.level3,
                "value_raw": i.value_raw,
                "operator": i.operator,
                "value": i.value,
                "value_max": i.value_max,
                "value_unit": i.value_unit,
                "label": i.label,
                "value_kind": i.value_kind,
                "weight": i.weight,
                "horizon": i.horizon,
                "source_file": file_name,
                "source_sha256": sha,
                "page": i.page,
                "bbox_x0": i.bbox[0],
                "bbox_top": i.bbox[1],
                "bbox_x1": i.bbox[2],
                "bbox_bottom": i.bbox[3],
                "ocr_confidence": i.confidence,
                **dict(zip(VALUE_BOX, i.value_bbox or (None,) * 4)),
                "row_warnings": [n.message for n in p.warnings if n.indicator == i.seq],
                "year": year,
                "department": department,
            }
            row.update(standard.indicator_columns(row))
            for k, v in row.items():
                irows[k].append(v)
    ptable = _with_partitions(prows, schema.PROJECTS)
    itable = _with_partitions(irows, schema.INDICATORS)
    return ptable, itable


def _with_partitions(rows: dict[str, list], sch: pa.Schema) -> pa.Table:
    full = sch.append(pa.field("year", pa.int32())).append(pa.field("department", pa.string()))
    return pa.table({name: rows[name] for name in full.names}, schema=full)
