from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

PDFS = HERE / "fixtures" / "pdfs"
SAMPLE = PDFS / "shpf-2023.pdf"
SAMPLE_LO = PDFS / "shpf-2023-libreoffice.pdf"
SCAN = PDFS / "shpf-2023-scan.pdf"
REAL01 = PDFS / "01-sh-putuo-wanli-2023-dept-budget.pdf"


@pytest.fixture(scope="session")
def born_digital_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the pipeline over the born-digital gold PDFs, shared by the
    tests that only read the dataset."""
    from jixiao.pipelines.run import run

    raw = tmp_path_factory.mktemp("raw")
    for pdf in (SAMPLE, SAMPLE_LO, REAL01):
        shutil.copy(pdf, raw / pdf.name)
    out = tmp_path_factory.mktemp("dataset")
    summary = run([raw], out)
    assert summary.count("ok") == 3, [r.error for r in summary.results]
    return out


# --- analyst (issue 12): every born-digital fixture, for jixiao.load, review and the database export ---------------
BORN_DIGITAL = sorted(p for p in PDFS.glob("*.pdf") if p != SCAN)


@pytest.fixture(scope="session")
def fixtures_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run over every born-digital fixture PDF (all families; ~15 s)."""
    from jixiao.pipelines.run import run

    out = tmp_path_factory.mktemp("fixtures-dataset")
    summary = run(BORN_DIGITAL, out, jobs=2)
    assert summary.count("ok") == len(BORN_DIGITAL), [r.error for r in summary.results]
    return out
