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
    nb = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIXIAO_DATA", str(born_digital_dataset))  # the kernel inherits the environment
        client = nbclient.NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
        )
        client.execute()  # raises CellExecutionError on the first failing cell
    OUTPUT.mkdir(exist_ok=True)
    nbformat.write(nb, OUTPUT / "explore.ipynb")  # to look at; the committed notebook stays without outputs
    return nb


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
    assert len(pngs) >= 4  # indicators per project, value kinds, common names, funds
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert "projects," in text and "indicators," in text


@pytest.mark.skipif(not _cjk_font_installed(), reason="no CJK font (fc-list :lang=zh); make test installs one")
def test_notebook_plots_with_a_cjk_font(executed: nbformat.NotebookNode) -> None:
    outputs = _outputs(executed)
    stdout = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    stderr = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "CJK font: " in stdout
    assert "missing from font" not in stderr  # matplotlib's warning for glyphs it cannot draw
