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
from test_hostile import big_image_page, content_bomb, flate_bomb, font_bomb


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


def big_cell_pdf(dest: Path, chars: int = 20_000) -> Path:
    """A 项目支出绩效目标表 (the synthetic 2015 family) whose first 指标值 cell
    holds ``chars`` characters: the value column 1200 pt wide on a 1700 x
    2400 pt page, so that the cell holds them at the usual 9 pt."""
    import synthetic_pdf as sp

    sp.PAGE_W, sp.PAGE_H = 1700.0, 2400.0
    xs = [50.0, 122.0, 194.0, 266.0, 410.0, 1610.0, 1650.0]
    text = ("≥95% 达到 " * (chars // 8 + 1))[:chars]
    rows = list(sp.FORM_C)
    rows[0] = (*rows[0][:3], text, *rows[0][4:])
    cells = sp._label_block(
        "高龄老人津贴", "某市民政局", "某市老龄工作办公室", ("360.00", "360.00", "0.00", "120.00", "120.00", "0.00"),
        [("年度目标", "按时足额发放高龄津贴。")],
    )
    cells += sp._block(6, "年度绩效指标", ["一级指标", "二级指标", "指标内容", "目标值", "备注"], rows)
    ops, _ = sp.table_ops(95, xs, cells)
    dest.write_bytes(sp._pdf([sp._title("项目支出绩效目标表", "（2015年度）") + ops]))
    return dest


def big_cell(folder: Path) -> None:
    """The issue's 20,000-character cell (19 s then), read whole: extract, normalize, tables."""
    from jixiao.pipelines.task import process_file

    pdf = big_cell_pdf(folder / "big-cell.pdf")
    process_file(SAMPLE)  # imports and first-use costs out of the figure
    start = time.perf_counter()
    r = process_file(pdf)
    seconds = time.perf_counter() - start
    longest = max(len(v or "") for v in r.indicators.column("value_raw").to_pylist()) if r.indicators else 0
    print(f"\n20,000-character cell, one form read whole (process_file, warm): {seconds:.2f} s; "
          f"{r.status}, {r.indicator_rows} rows, longest value_raw {longest} characters")


def make_inputs(folder: Path) -> None:
    big_image_page(folder / "huge-page.pdf", 14400)
    flate_bomb(folder / "bomb.pdf")
    blank_pages(folder / "blank.pdf", 2000)
    content_bomb(folder / "content-bomb.pdf")
    font_bomb(folder / "font-bomb.pdf")


def worst_inputs(folder: Path) -> None:
    # Made in another process: building the bomb takes 1 GB, and a child's
    # peak RSS would inherit this process's (Linux keeps it across exec).
    subprocess.run([sys.executable, __file__, "--make", str(folder)], check=True)
    memory = ["--max-stream-mb", "0"]  # past the stream limit, to the memory limit
    cases = {
        "image page on a 14400 pt MediaBox": (folder / "huge-page.pdf", []),
        "1 MB Flate bomb (1 GB image)": (folder / "bomb.pdf", []),
        "2000 blank pages": (folder / "blank.pdf", []),
        "content stream inflating to 1 GB": (folder / "content-bomb.pdf", []),
        "font program inflating to 1 GB": (folder / "font-bomb.pdf", []),
        "the same, no stream limit": (folder / "content-bomb.pdf", memory),
        "the font, no stream limit": (folder / "font-bomb.pdf", memory),
        "the sample (8 forms), for scale": (SAMPLE, []),
    }
    print("\nworst inputs, one `jixiao extract -j 1 --max-memory 0.5` each in a fresh process (each file is read")
    print("in a child forked for it; peak RSS of the run and its children):")
    print(f"  {'input':36s} {'seconds':>8s} {'peak MB':>8s}  exit  first stderr line")
    for label, (pdf, extra) in cases.items():
        out = folder / f"out-{pdf.stem}-{len(extra)}"
        cmd = [sys.executable, "-m", "jixiao.cli", "extract", str(pdf), "--out", str(out), "-j", "1", "--max-memory", "0.5"]
        seconds, mb, code, line = measure(cmd + extra)
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
        big_cell(Path(tmp))
        worst_inputs(Path(tmp))
        fuzz(Path(tmp), args.mutants)


if __name__ == "__main__":
    main()
