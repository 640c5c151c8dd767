"""A seeded, bounded mutation fuzz over the sample PDF: no hang, no
traceback, no short ``ok`` (see fuzz_pdf.dishonest). The suite runs a few
dozen mutants; ``make bench`` runs hundreds with the default limits.

OCR is left out here (``page_pixels=1``: a page that would go to OCR fails
as too large at once): a mutant with a broken font would otherwise cost a
minute of OCR, and the suite stays fast. The limits are real ones: each file
also has its time limit, in worker processes with their watchdog."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE
from fuzz_pdf import dishonest, make_mutants

from jixiao.limits import Limits
from jixiao.pipelines.run import run

MUTANTS = 30
SEED = 20261201


def test_mutants_are_read_honestly(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    make_mutants(SAMPLE, raw, MUTANTS, SEED)
    summary = run([raw], tmp_path / "out", jobs=2, limits=Limits(page_pixels=1, seconds=60))
    assert len(summary.results) + len(summary.duplicates) == MUTANTS
    problems = {
        Path(r.path).name: why
        for r in summary.results
        if (why := dishonest(r.status, r.error, r.path, r.forms, r.indicator_rows, r.page_decisions, r.traceback, (8, 143)))
    }
    assert problems == {}
    statuses = {r.status for r in summary.results}
    assert "ok" in statuses and statuses & {"partial", "error"}  # the mutants do reach both sides


def test_the_fuzz_check_can_fail() -> None:
    """What it must reject, it rejects."""
    p = "/x/m.pdf"
    assert dishonest("ok", "", p, 7, 134, (), "", (8, 143)) == "short ok: 7 forms, 134 rows"
    assert dishonest("error", f"{p}: unexpected ValueError: x (a bug in jixiao; ...)", p, 0, 0, (), "", (8, 143))
    assert dishonest("partial", "", p, 1, 9, (), "", (8, 143)) == "no reason"
    assert dishonest("no_forms", "", p, 0, 0, ("1:absent:skipped",), "", (8, 143))
    assert dishonest("ok", "", p, 8, 143, ("1:sound:text",), "", (8, 143)) is None
