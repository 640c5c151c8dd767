"""Long documents: peak memory of `jixiao extract` on one PDF of 500 and of
2,000 pages (the sample's pages repeated), each read in a fresh process.

The PDFs are built here, at bench time, with pypdfium2 (no big file in the
repo), and the dataset is counted, each in a child process: this one imports
nothing heavy, since a child's peak RSS starts from what its parent held when
it forked. Target: peak <= 200 MB, flat from 500 to
2,000 pages (a worker's memory bounded by the largest form, not the document).

Printed beside it: the peak of a process that only reads and normalises the
same PDF (extract's stream into normalize, each project dropped once made),
and the size of the file's rows in Arrow. The per-file task writes the rows
as it makes them (``write.PartitionWriter``: at most ``HOLD_BYTES`` held), so
neither the rows nor the reading should grow with the document; what still
does is PDFium's page tree (to load page n it parses the dictionaries of the
pages before it: about 2 KB a page).

    .venv/bin/python bench/bench_long.py
    .venv/bin/python bench/bench_long.py --pages 500 2000 4000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "tests" / "fixtures" / "pdfs" / "shpf-2023.pdf"
JIXIAO = Path(sys.executable).with_name("jixiao")
TARGET_MB = 200.0
FLAT = 0.10  # at most this much more at the longest document than at the shortest


def build(dest: Path, pages: int) -> None:
    """``pages`` pages: the sample's, in order, over and over."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(SAMPLE))
    out = pdfium.PdfDocument.new()
    n = len(src)
    while len(out) < pages:
        take = min(n, pages - len(out))
        out.import_pages(src, list(range(take)))
    out.save(str(dest))
    out.close()
    src.close()


def measure(pdf: Path, out: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS of the `jixiao extract` process in MB, exit code)."""
    args = [str(JIXIAO), "extract", str(pdf), "--out", str(out), "-j", "1", "--quiet"]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code:
        print(err.decode(errors="replace")[-2000:], file=sys.stderr)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, code


def read_only(pdf: Path) -> None:
    """Read and normalise ``pdf``, keeping no project (run in a child)."""
    from jixiao.extract import stream_pdf
    from jixiao.normalize import Leftovers, page_wanted, read_projects

    with stream_pdf(pdf, wanted=page_wanted) as doc:
        for _ in read_projects(doc, Leftovers()):
            pass


def measure_read(pdf: Path) -> float:
    proc = subprocess.Popen([sys.executable, __file__, "--read", str(pdf)])
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        print(f"read-only child failed on {pdf}", file=sys.stderr)
    return usage.ru_maxrss / 1024


def count(out: Path) -> None:
    """Print the dataset's forms, indicators and their size in Arrow (MB), as JSON (run in a child)."""
    import pyarrow.dataset as ds

    tables = [ds.dataset(out / t, format="parquet", partitioning="hive").to_table() for t in ("projects", "indicators")]
    print(json.dumps([tables[0].num_rows, tables[1].num_rows, sum(t.nbytes for t in tables) / 2**20]))


def rows(out: Path) -> tuple[int, int, float]:
    if not (out / "projects").exists():
        return 0, 0, 0.0
    done = subprocess.run([sys.executable, __file__, "--count", str(out)], capture_output=True, text=True, check=True)
    forms, indicators, mb = json.loads(done.stdout)
    return forms, indicators, mb


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pages", type=int, nargs="+", default=[500, 2000])
    p.add_argument("--make", nargs=2, metavar=("PDF", "PAGES"), help=argparse.SUPPRESS)
    p.add_argument("--read", metavar="PDF", help=argparse.SUPPRESS)
    p.add_argument("--count", metavar="OUT", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.make:
        build(Path(a.make[0]), int(a.make[1]))
        return 0
    if a.read:
        read_only(Path(a.read))
        return 0
    if a.count:
        count(Path(a.count))
        return 0
    print(f"long documents: `jixiao extract -j 1` on the sample's {SAMPLE.name} pages repeated (fresh process each)")
    results = []
    with tempfile.TemporaryDirectory(prefix="jixiao-long-") as tmp:
        for pages in a.pages:
            pdf = Path(tmp) / f"long-{pages}.pdf"
            subprocess.run([sys.executable, __file__, "--make", str(pdf), str(pages)], check=True)
            out = Path(tmp) / f"out-{pages}"
            seconds, rss, code = measure(pdf, out)
            forms, indicators, rows_mb = rows(out) if code in (0, 1) else (0, 0, 0.0)
            reading = measure_read(pdf)
            results.append((pages, seconds, rss, code, forms, indicators, pdf.stat().st_size / 2**20, reading, rows_mb))
    print(
        f"  {'pages':>6} {'PDF MB':>7} {'forms':>6} {'indicators':>10} {'seconds':>8} {'ms/page':>8} "
        f"{'peak RSS MB':>12} {'read-only MB':>13} {'rows MB':>8}"
    )
    for pages, seconds, rss, code, forms, indicators, size, reading, rows_mb in results:
        flag = "" if code == 0 else f"  (exit {code})"
        print(
            f"  {pages:>6} {size:>7.1f} {forms:>6} {indicators:>10} {seconds:>8.1f} "
            f"{1000 * seconds / pages:>8.1f} {rss:>12.0f} {reading:>13.0f} {rows_mb:>8.1f}{flag}"
        )
    (p0, _, r0, *_, q0, _), (p1, _, r1, *_, q1, _) = results[0], results[-1]
    growth = (r1 - r0) / (p1 - p0) * 1024 if p1 != p0 else 0.0
    peak = max(r for _, _, r, *_ in results)
    flat = r1 <= r0 * (1 + FLAT)
    print(
        f"  peak {peak:.0f} MB (target <= {TARGET_MB:.0f}: {'met' if peak <= TARGET_MB else 'NOT met'}); "
        f"{p0} -> {p1} pages: {r1 - r0:+.0f} MB, {growth:+.1f} KB/page "
        f"(flat within {FLAT:.0%}: {'yes' if flat else 'NO'}); reading only: {q1 - q0:+.0f} MB, "
        f"{(q1 - q0) / (p1 - p0) * 1024 if p1 != p0 else 0.0:+.1f} KB/page"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
