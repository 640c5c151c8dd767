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
# The sample, its twins and the six real PDFs (the corpus PDFs of test_corpus.py are not needed here).
BORN_DIGITAL = sorted(
    PDFS / n
    for n in (
        "shpf-2023.pdf",
        "shpf-2023-libreoffice.pdf",
        "template-2015-synthetic.pdf",
        "01-sh-putuo-wanli-2023-dept-budget.pdf",
        "02-central-guojiaxinfangju-2026-dept-budget.pdf",
        "05-yantai-minzhengju-2026-dept-budget.pdf",
        "06-changsha-xinfangju-2026-dept-budget.pdf",
        "09-chongqing-shuiliju-2026-dept-budget.pdf",
        "10-guangzhou-shengtaihuanjing-2026-project-targets.pdf",
    )
)


@pytest.fixture(scope="session")
def fixtures_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run over every born-digital fixture PDF (all families; ~15 s)."""
    from jixiao.pipelines.run import run

    out = tmp_path_factory.mktemp("fixtures-dataset")
    summary = run(BORN_DIGITAL, out, jobs=2)
    # The synthetic PDF holds a table of no known family on purpose: it is left unread, so `partial`.
    assert summary.count("ok") == len(BORN_DIGITAL) - 1, [r.error for r in summary.results]
    assert [r.status for r in summary.results if "synthetic" in r.path] == ["partial"]
    return out
