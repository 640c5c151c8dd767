"""The per-file unit of work: PDF -> rows, no writes.

The same function runs in every executor (serial, process pool, dask); it
returns a small picklable result and never raises for bad input: a file that
cannot be read comes back with status "error" and a one-line reason.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .. import __version__
from ..errors import JixiaoError
from ..extract import read_pdf, sha256_file
from ..normalize import Project, normalize, page_wanted
from . import schema


@dataclass(frozen=True)
class FileResult:
    path: str
    sha256: str
    size: int
    pages: int
    status: str  # ok | no_forms | error
    error: str = ""
    projects: pa.Table | None = None
    indicators: pa.Table | None = None
    methods: tuple[str, ...] = ()
    page_decisions: tuple[str, ...] = ()
    skipped_tables: tuple[str, ...] = ()
    seconds: float = 0.0
    # (year, department) of each project row, same order as `projects`.
    partitions: tuple[tuple[int | None, str], ...] = field(default_factory=tuple)

    @property
    def forms(self) -> int:
        return 0 if self.projects is None else self.projects.num_rows

    @property
    def indicator_rows(self) -> int:
        return 0 if self.indicators is None else self.indicators.num_rows


UNKNOWN_DEPARTMENT = "未注明"
UNKNOWN_YEAR = 0


def project_id(sha256: str, form_seq: int) -> str:
    """Stable for the same PDF content: the file's hash and the form's place."""
    return hashlib.sha256(f"{sha256}:{form_seq}".encode()).hexdigest()[:16]


def process_file(path: str | os.PathLike[str], password: str | None = None, version: str = __version__) -> FileResult:
    import time

    start = time.perf_counter()
    p = Path(path)
    size = p.stat().st_size if p.exists() else 0
    sha = sha256_file(p) if p.exists() else ""
    try:
        doc = read_pdf(p, password=password, wanted=page_wanted)
        result = normalize(doc)
    except JixiaoError as e:
        return FileResult(str(p), sha, size, 0, "error", str(e), seconds=time.perf_counter() - start)
    projects, indicators, parts = _tables(result.projects, p.name, doc.sha256)
    decisions = tuple(f"{i.number}:{i.text_layer}:{i.method}" for i in doc.pages)
    methods = tuple(sorted({pr.extraction_method for pr in result.projects}))
    return FileResult(
        path=str(p),
        sha256=doc.sha256,
        size=size,
        pages=doc.page_count,
        status="ok" if result.projects else "no_forms",
        projects=projects,
        indicators=indicators,
        methods=methods,
        page_decisions=decisions,
        skipped_tables=result.skipped,
        seconds=time.perf_counter() - start,
        partitions=parts,
    )


def _tables(
    projects: tuple[Project, ...], file_name: str, sha: str
) -> tuple[pa.Table, pa.Table, tuple[tuple[int | None, str], ...]]:
    prows: dict[str, list] = {f.name: [] for f in schema.PROJECTS}
    irows: dict[str, list] = {f.name: [] for f in schema.INDICATORS}
    prows["year"], prows["department"] = [], []
    irows["year"], irows["department"] = [], []
    for p in projects:
        pid = project_id(sha, p.seq)
        f = p.funds
        warnings = list(p.warnings)
        # Partition values are never null (Hive readers cannot unify a null
        # partition with the others): a form that prints none gets a marker.
        department = p.department or UNKNOWN_DEPARTMENT
        if not p.department:
            warnings.append(f"no 主管部门 printed: filed under department={UNKNOWN_DEPARTMENT}")
        year = p.year if p.year is not None else UNKNOWN_YEAR
        if p.year is None:
            warnings.append(f"no budget year printed: filed under year={UNKNOWN_YEAR}")
        values = {
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
            "form_seq": p.seq,
            "form_title": p.form_title,
            "year": year,
            "department": department,
        }
        for k, v in values.items():
            prows[k].append(v)
        for i in p.indicators:
            row = {
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
                "year": year,
                "department": department,
            }
            for k, v in row.items():
                irows[k].append(v)
    ptable = _with_partitions(prows, schema.PROJECTS)
    itable = _with_partitions(irows, schema.INDICATORS)
    parts = tuple(zip(prows["year"], prows["department"]))
    return ptable, itable, parts


def _with_partitions(rows: dict[str, list], sch: pa.Schema) -> pa.Table:
    full = sch.append(pa.field("year", pa.int32())).append(pa.field("department", pa.string()))
    return pa.table({name: rows[name] for name in full.names}, schema=full)
