"""A fax's hairline rules: thresholded into collinear dashes, still rules.

The fixture is the indicator table of 重庆市气象局's 部门整体绩效目标表
(tests/fixtures/pdfs/004_重庆_2026年重庆市气象局部门预算.pdf, p.19) as the
``fax`` profile of make_scans.py scans it (seed 0), deskewed as
``preprocess.prepare`` leaves it, 1-bit, cut at x 60-780 pt, y 300-510 pt.
Its rules are light-grey hairlines: the fax keeps them as dashes a few
points long, and the vertical ones mostly as the nubs where they cross.
"""

from pathlib import Path

import numpy as np
from PIL import Image

from jixiao.extract import ocr, raster

FIXTURE = Path(__file__).parent / "fixtures" / "fax-rules" / "hairline-grid.png"
SCALE = 150.0 / 72.0
# The table's rules in the crop's points, from the PDF's text layer.
ROWS = (10.8, 32.1, 53.3, 74.6, 95.8, 117.1, 138.3, 159.6, 180.9, 202.1)
COLS = (13.8, 107.3, 407.7, 467.3, 526.8, 586.3, 657.2, 708.2)


def _grid():
    gray = np.array(Image.open(FIXTURE).convert("L"))
    img = raster.PageImage(gray, SCALE, 0.0, raster.ink_contrast(gray), bilevel=True)
    grids = ocr.closed_sides(raster.find_rules(img).grid_segments)
    assert len(grids) == 1
    return grids[0]


def _found(want, got, tol=2.0):
    return [w for w in want if any(abs(w - g) <= tol for g in got)]


def test_dashed_hairline_rules_make_the_rows():
    grid = _grid()
    # Every row but the one whose rule the fax all but wiped out (under
    # a tenth of it inked: 8 pt of dashes over 600 pt).
    assert _found(ROWS, grid.row_edges) == [y for y in ROWS if y != 159.6]


def test_dashed_hairline_rules_make_the_columns():
    grid = _grid()
    found = _found(COLS, grid.col_edges)
    assert len(found) >= 7, found
