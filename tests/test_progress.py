"""The run's feedback (pipelines/progress.py): files in flight, ETA from the
pages left, OCR pages counted, and a summary that names the forms with
warnings and the files read only in part."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from jixiao.pipelines import progress as pr
from jixiao.pipelines.run import RunSummary
from jixiao.pipelines.task import FileResult


def _result(path: str, status: str = "ok", pages: int = 4, warnings: list[list[str]] | None = None,
            decisions: tuple[str, ...] = ()) -> FileResult:  # fmt: skip
    warnings = warnings if warnings is not None else [[]]
    projects = pa.table({
        "form_seq": pa.array(range(1, len(warnings) + 1), pa.int32()),
        "project_name": [f"项目{i}" for i in range(1, len(warnings) + 1)],
        "first_page": pa.array([1] * len(warnings), pa.int32()),
        "warnings": pa.array(warnings, pa.list_(pa.string())),
    })  # fmt: skip
    return FileResult(path, "0" * 64, 100, pages, status, error=f"{path}: 2 tables left unread" if status == "partial"
                      else "", projects=projects, page_decisions=decisions)  # fmt: skip


def test_summary_names_forms_with_warnings_partial_files_and_ocr() -> None:
    s = RunSummary(results=[
        _result("/d/a.pdf", warnings=[[], ["funds do not add up", "indicator 2 'x': empty value cell"]]),
        _result("/d/b.pdf", status="partial", decisions=("1:absent:ocr", "2:sound:text", "3:garbled:ocr")),
    ], seconds=1.5)  # fmt: skip
    assert pr.forms_with_warnings(s) == ["a.pdf form 2 (p.1) '项目2': 2 warnings"]
    line = pr.summary_line(s, "out")
    assert line.startswith("jixiao: out: 1 ok, 1 partial, 0 no forms, 0 errors, 0 done before; 3 forms")
    assert line.endswith("; 1 forms with warnings, 2 pages by OCR (jixiao check out)")
    quiet = RunSummary(results=[_result("/d/c.pdf")])
    assert "(jixiao check" not in pr.summary_line(quiet, "out")  # nothing to point at


def test_summary_is_one_line_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    pr.Progress.print_summary(RunSummary(results=[_result("/d/a.pdf", warnings=[["w"]])]), "out")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "1 forms with warnings" in err


def test_files_in_flight_and_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    files = [f"/d/{n}.pdf" for n in "abcde"]
    p = pr.Progress(total=5, files=files, jobs=2)
    for f, n in zip(files, [10, 10, 20, 40, 20], strict=True):  # as the background count finds them
        p.counted(f, n, 20 if f == "/d/e.pdf" else 0)
    assert p.in_flight() == ["/d/a.pdf", "/d/b.pdf"]
    assert p.eta() is None  # nothing read yet
    clock = [p._start + 10.0]
    monkeypatch.setattr(pr.time, "monotonic", lambda: clock[0])
    p.advance(_result("/d/b.pdf", pages=10))  # finished first: a is still being read
    assert p.in_flight() == ["/d/a.pdf", "/d/c.pdf"]
    # 10 pages in 10 s; left: a 10 + c 20 + d 40 + e 20 OCR pages
    assert p.eta() == pytest.approx(70.0 + 20 * pr.OCR_WEIGHT)
    p.skip(Path("/d/d.pdf"))  # done before: nothing left to read there
    assert p.in_flight() == ["/d/a.pdf", "/d/c.pdf"]
    # e is a scan: its 20 pages weigh as OCR pages; left a 10 + c 20 + e 20 OCR
    assert p.eta() == pytest.approx(30.0 + 20 * pr.OCR_WEIGHT)
    p.advance(_result("/d/a.pdf", pages=10, decisions=("1:absent:ocr",)))
    assert (p.pages, p.ocr, p.done) == (20, 1, 3)


def test_page_count_of_a_real_and_a_broken_file(tmp_path: Path) -> None:
    from conftest import SAMPLE, SCAN

    assert pr.page_count(str(SAMPLE)) == 17
    assert pr.survey(str(SAMPLE)) == (17, 0)
    assert pr.survey(str(SCAN)) == (11, 11)  # every page of the scan goes through OCR
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    assert pr.page_count(str(bad)) == 0
    assert pr.duration(None) == "–" and pr.duration(75) == "1:15" and pr.duration(3725) == "1:02:05"


def test_pages_done_reach_the_display_from_the_workers(tmp_path: Path) -> None:
    """Each task tells its pages done in the run's pages folder (in whatever
    process it runs); the row of a file in flight shows them: "12/17 p."."""
    from conftest import SAMPLE

    from jixiao.pipelines.run import run
    from jixiao.pipelines.task import pages_file

    pages = tmp_path / "pages"
    pages.mkdir()
    seen: list[str] = []
    p = pr.Progress(total=1, quiet=True, files=[str(SAMPLE)], pages_dir=str(pages))
    assert p.size_of(str(SAMPLE)) == ""  # not started, not surveyed

    def on_result(r: FileResult) -> None:
        seen.append(p.size_of(r.path))

    run([SAMPLE], tmp_path / "out", jobs=2, pages_dir=str(pages), on_result=on_result)  # in a worker process
    assert pages_file(pages, SAMPLE).read_text() == "17 17"
    assert seen == ["17/17 p."]
    pages_file(pages, SAMPLE).write_text("5 17")  # as it reads mid-file
    assert p.pages_done(str(SAMPLE)) == (5, 17) and p.size_of(str(SAMPLE)) == "5/17 p."


def test_a_runs_summary_keeps_counts_not_tables(tmp_path: Path) -> None:
    """Results are released once written (issue 13: the parent must not hold
    every file's tables); the summary still counts and names forms."""
    from conftest import REAL01, SAMPLE

    from jixiao.pipelines.run import run

    summary = run([SAMPLE, REAL01], tmp_path / "out", jobs=1)
    assert all(r.indicators is None for r in summary.results)
    assert (summary.forms, summary.indicators) == (8 + 5, 143 + 65)
    assert all(r.projects is None for r in summary.results)
    assert pr.forms_with_warnings(summary)  # the sample and PDF 01 have forms with warnings
