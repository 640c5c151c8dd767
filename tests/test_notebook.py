"""notebooks/explore.ipynb runs top to bottom on the sample dataset and draws
its plots (with Chinese labels when a CJK font is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient: pip install -e '.[test]'")
nbformat = pytest.importorskip("nbformat")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


def _cjk_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(done.stdout.strip())


@pytest.fixture(scope="module")
def executed(born_digital_dataset: Path) -> nbformat.NotebookNode:
    """Run as `make notebook` runs it (notebooks/run.py): executed and saved with its outputs."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("notebook_run", NOTEBOOK.parent / "run.py")
    assert spec and spec.loader
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    OUTPUT.mkdir(exist_ok=True)
    saved = OUTPUT / "explore.ipynb"  # to look at; the committed notebook stays without outputs
    saved.unlink(missing_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIXIAO_DATA", str(born_digital_dataset))  # undone afterwards (run.py sets it for the kernel)
        assert runner.main(["--data", str(born_digital_dataset), "--out", str(saved), "--timeout", "120"]) == 0
    return nbformat.read(saved, as_version=4)


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert not _outputs(nb)


def test_notebook_runs_and_plots(executed: nbformat.NotebookNode) -> None:
    outputs = _outputs(executed)
    assert not [o for o in outputs if o.output_type == "error"]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) >= 5  # indicators per project, value kinds, common names, budget, review findings
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert "projects," in text and "indicators," in text


@pytest.mark.skipif(not _cjk_font_installed(), reason="no CJK font (fc-list :lang=zh); make test installs one")
def test_notebook_plots_with_a_cjk_font(executed: nbformat.NotebookNode) -> None:
    outputs = _outputs(executed)
    stdout = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    stderr = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "CJK font: " in stdout
    assert "missing from font" not in stderr  # matplotlib's warning for glyphs it cannot draw
