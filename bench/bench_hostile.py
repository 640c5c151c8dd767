"""Hostile inputs: time and peak memory of the worst ones, each read by
`jixiao extract` in a fresh process (peak RSS of that process and its
workers), the value parser on long cells, and a bigger mutation fuzz than the
suite's.

    .venv/bin/python bench/bench_hostile.py               # 100 mutants
    .venv/bin/python bench/bench_hostile.py --mutants 300
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
sys.path.insert(0, str(TESTS))

from conftest import SAMPLE
from fuzz_pdf import dishonest, make_mutants
from test_hostile import big_image_page, flate_bomb


def blank_pages(dest: Path, count: int) -> Path:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(count):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(dest)
    return dest


def measure(args: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak RSS in MB of the process and its children, exit code, last stderr line)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    return seconds, usage.ru_maxrss / 1024, proc.returncode, (lines[0] if lines else "")[:110]


def parse_times() -> None:
    from jixiao.normalize.values import parse_value

    print("parse_value on long cells (was quadratic: 100 KB of ' 9' took 101 s):")
    for label, raw in [
        ("100 KB of ' 9'", " 9" * 50_000),
        ("20,000-character cell", ("≥95% 达到 " * 3000)[:20_000]),
        ("100 KB of ' 1.1'", " 1.1" * 25_000),
    ]:
        start = time.perf_counter()
        parse_value(raw)
        print(f"  {label:28s} {time.perf_counter() - start:8.3f} s")


def make_inputs(folder: Path) -> None:
    big_image_page(folder / "huge-page.pdf", 14400)
    flate_bomb(folder / "bomb.pdf")
    blank_pages(folder / "blank.pdf", 2000)


def worst_inputs(folder: Path) -> None:
    # Made in another process: building the bomb takes 1 GB, and a child's
    # peak RSS would inherit this process's (Linux keeps it across exec).
    subprocess.run([sys.executable, __file__, "--make", str(folder)], check=True)
    cases = {
        "image page on a 14400 pt MediaBox": folder / "huge-page.pdf",
        "1 MB Flate bomb (1 GB image)": folder / "bomb.pdf",
        "2000 blank pages": folder / "blank.pdf",
        "the sample (8 forms), for scale": SAMPLE,
    }
    print("\nworst inputs, one `jixiao extract -j 1` each in a fresh process:")
    print(f"  {'input':36s} {'seconds':>8s} {'peak MB':>8s}  exit  first stderr line")
    for label, pdf in cases.items():
        out = folder / f"out-{pdf.stem}"
        cmd = [sys.executable, "-m", "jixiao.cli", "extract", str(pdf), "--out", str(out), "-j", "1"]
        seconds, mb, code, line = measure(cmd)
        print(f"  {label:36s} {seconds:8.1f} {mb:8.0f}  {code:4d}  {line.replace(str(folder), '…')}")


def fuzz(folder: Path, count: int) -> None:
    from jixiao.limits import Limits
    from jixiao.pipelines.run import run

    raw = folder / "mutants"
    raw.mkdir()
    make_mutants(SAMPLE, raw, count, seed=7)
    start = time.perf_counter()
    summary = run([raw], folder / "out-fuzz", jobs=2, limits=Limits(seconds=120))
    seconds = time.perf_counter() - start
    bad = [
        (Path(r.path).name, why)
        for r in summary.results
        if (why := dishonest(r.status, r.error, r.path, r.forms, r.indicator_rows, r.page_decisions, r.traceback, (8, 143)))
    ]
    statuses = Counter(r.status for r in summary.results)
    slowest = max((r.seconds for r in summary.results), default=0.0)
    timeouts = sum(1 for r in summary.results if "timeout" in r.error)
    print(f"\nmutation fuzz: {count} mutants of {SAMPLE.name} (seed 7), -j 2, default limits, 120 s per file:")
    print(f"  {dict(statuses)}; {len(summary.duplicates)} duplicates; {timeouts} timeouts; slowest file {slowest:.1f} s; "
          f"{seconds:.0f} s in all")
    print(f"  dishonest results (short ok, traceback, no reason, no_forms on undecoded pages): {len(bad)}")
    for name, why in bad[:10]:
        print(f"    {name}: {why}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mutants", type=int, default=100)
    ap.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:
        make_inputs(args.make)
        return
    parse_times()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-hostile-") as tmp:
        worst_inputs(Path(tmp))
        fuzz(Path(tmp), args.mutants)


if __name__ == "__main__":
    main()
