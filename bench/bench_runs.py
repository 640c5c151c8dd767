"""Batch throughput: files/s and pages/s for -j 1, -j 2 and a dask LocalCluster.

The batch is copies of the sample PDFs, each made unique (a different /Info
entry, so their sha256 differ and none is skipped as a duplicate). Each
configuration runs in a fresh Python process on an empty dataset folder, so
start-up (pool or cluster) is included and peak memory is its own; the
outputs are then compared byte for byte.

    .venv/bin/python bench/bench_runs.py            # 40 files
    .venv/bin/python bench/bench_runs.py --files 80 --no-dask
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PDFS = HERE.parent / "tests" / "fixtures" / "pdfs"
SOURCES = ("shpf-2023.pdf", "shpf-2023-libreoffice.pdf", "01-sh-putuo-wanli-2023-dept-budget.pdf")
CONFIGS = ("-j 1", "-j 2", "dask LocalCluster (2 workers)")


def make_batch(folder: Path, n: int) -> int:
    """n unique PDFs; returns their total page count."""
    import pikepdf

    pages = 0
    for i in range(n):
        src = PDFS / SOURCES[i % len(SOURCES)]
        with pikepdf.open(src) as pdf:
            pdf.docinfo["/JixiaoBenchCopy"] = str(i)
            pdf.save(folder / f"{i:03d}-{src.name}")
            pages += len(pdf.pages)
    return pages


def one(config: str, batch: Path, out: Path) -> dict:
    """Run one configuration in this process (called in a fresh process)."""
    from jixiao.pipelines.run import run

    executor = None
    jobs = 1 if config == CONFIGS[0] else 2
    if config == CONFIGS[2]:
        from jixiao.pipelines.dask_executor import dask_executor

        executor = dask_executor(None, 2)
    start = time.perf_counter()
    summary = run([batch], out, jobs=jobs, executor=executor)
    seconds = time.perf_counter() - start
    self_use = resource.getrusage(resource.RUSAGE_SELF)
    kids_use = resource.getrusage(resource.RUSAGE_CHILDREN)  # workers that have exited (all, after the run)
    cpu = sum(u.ru_utime + u.ru_stime for u in (self_use, kids_use))
    return {
        "seconds": seconds,
        "files": len(summary.results),
        "pages": summary.pages,
        "errors": summary.count("error"),
        "forms": summary.forms,
        "indicators": summary.indicators,
        "cpu_seconds": cpu,
        "rss_main_mb": self_use.ru_maxrss / 1024,
        "rss_worker_mb": kids_use.ru_maxrss / 1024,
    }


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for t in ("projects", "indicators") for p in (out / t).rglob("*.parquet")}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--files", type=int, default=40)
    p.add_argument("--no-dask", action="store_true")
    p.add_argument("--one", choices=CONFIGS, help=argparse.SUPPRESS)
    p.add_argument("--batch", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.batch, args.out)))
        return 0

    configs = list(CONFIGS)
    if args.no_dask:
        configs.remove(CONFIGS[2])
    else:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("bench_runs: dask.distributed not installed (pip install '.[dask]'); skipping it", file=sys.stderr)
            configs.remove(CONFIGS[2])
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-runs-") as tmp:
        batch = Path(tmp) / "batch"
        batch.mkdir()
        pages = make_batch(batch, args.files)
        rows = []
        outputs = {}
        for config in configs:
            out = Path(tmp) / f"out-{len(rows)}"
            proc = subprocess.run(
                [sys.executable, __file__, "--one", config, "--batch", str(batch), "--out", str(out)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append((config, r))
            outputs[config] = snapshot(out)
        same = all(o == outputs[configs[0]] for o in outputs.values())
    print(f"\nbatch: {args.files} PDFs, {pages} pages ({', '.join(SOURCES)}), {os.cpu_count()} cores")
    head = (
        f"{'executor':<32}{'seconds':>9}{'files/s':>9}{'pages/s':>9}{'CPU s':>8}"
        f"{'forms':>7}{'indicators':>12}{'main MB':>9}{'worker MB':>11}"
    )
    print(head)
    print("-" * len(head))
    for config, r in rows:
        print(
            f"{config:<32}{r['seconds']:>9.1f}{r['files'] / r['seconds']:>9.2f}{r['pages'] / r['seconds']:>9.1f}"
            f"{r['cpu_seconds']:>8.1f}{r['forms']:>7}{r['indicators']:>12}{r['rss_main_mb']:>9.0f}{r['rss_worker_mb']:>11.0f}"
        )
    print(f"identical data files across executors: {'yes' if same else 'NO'}")
    print(f"load average while running: {os.getloadavg()[0]:.1f} (wall-clock figures assume an otherwise idle machine)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
