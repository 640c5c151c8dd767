"""OCR speed and memory on the scanned sample.

    .venv/bin/python bench/bench_ocr.py [PDF] [--pages N]

Prints seconds per page (wall and CPU), the model load time, and the peak RSS
of this process (everything it imported included). The machine's load average
is printed too: on a shared machine, wall time is only meaningful when it is
low (CPU time per page is the steadier figure).
Targets: <= 1.5 s/page and <= 600 MB peak on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.extract import ocr
from jixiao.extract.model import PageInfo
from jixiao.extract.source import PdfSource


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", default=str(ROOT / "tests/fixtures/pdfs/shpf-2023-scan.pdf"))
    parser.add_argument("--pages", type=int, default=0, help="first N pages only")
    args = parser.parse_args()

    load_before = os.getloadavg()
    t = time.perf_counter()
    ocr.recognizer()
    load_s = time.perf_counter() - t

    engine = ocr.OcrEngine()
    with PdfSource(args.pdf) as source:
        n = source.page_count if args.pages <= 0 else min(args.pages, source.page_count)
        per_page = []
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for index in range(n):
            t = time.perf_counter()
            content = engine.read_page(source, index, PageInfo(index + 1, "absent", "ocr"))
            per_page.append(time.perf_counter() - t)
            cells = sum(len(tb.cells) for tb in content.tables)
            print(
                f"page {index + 1:3d}: {per_page[-1]:.2f} s  {len(content.tables)} tables, {cells} cells, "
                f"{len(content.lines)} free lines"
            )
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{Path(args.pdf).name}: {n} pages, {ocr.available_cores()} cores")
    print(f"model load        {load_s:.2f} s")
    print(f"wall per page     {wall / n:.2f} s  (slowest {max(per_page):.2f} s)")
    print(f"cpu per page      {cpu / n:.2f} s")
    print(f"peak RSS          {peak_mb:.0f} MB")
    print(f"load average      {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
