"""Start-up: a one-file ``jixiao extract`` never imports pandas (pyarrow would,
on its first array, for 0.13 CPU-s), nor OpenCV for a born-digital PDF, nor
rich under -q (no bar, no summary table), nor pyarrow.compute (the writer
slices a file's partitions); and pandas still loads where it
is wanted afterwards. The CPU figure is ``make bench``'s."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE

RUN = """
import sys
from jixiao.cli import main
assert main(["extract", sys.argv[1], "--out", sys.argv[2], "-j", "1", "-q"]) == 0
print(sorted(m for m in ("pandas", "cv2", "onnxruntime", "rich", "pyarrow.compute") if m in sys.modules))
import pyarrow.parquet as pq
frame = pq.read_table(sys.argv[2] + "/indicators").to_pandas()
print(len(frame), "pandas" in sys.modules)
"""


def test_extract_runs_without_pandas_until_asked(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(SAMPLE), str(tmp_path / "out")], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["[]", "143 True"]
