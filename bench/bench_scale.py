"""The writer at scale: a synthetic archive of one-form PDFs, each of its own
主管部门 (so as many department partitions as files), read with -j 2.

Prints the per-file write cost (in the worker: the file's data files; in the
parent: its manifest bookkeeping) for the first 100 files and the last 100
(flat: no write lists the dataset), the parent's RSS at the start and the
end (flat: results are released once written), the cost of the glob the
writer used to do per file at the archive's final size, and a projection to
300,000 pages on 16 cores and on a dask cluster of N workers.

The PDFs are built by tests/synthetic_pdf.py (a one-page 2015-family form
with the 主管部门 rewritten, STSong-Light, no font embedded). The run is the
real pipeline (``run`` with the local process pool) in a fresh process; its
per-file task is timed by a copy of ``run.file_task`` that times its write
half separately.

    .venv/bin/python bench/bench_scale.py                 # 5,000 PDFs, 5,000 departments
    .venv/bin/python bench/bench_scale.py --files 500     # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

EDGE = 100  # files at each end whose costs are compared
TARGET_PAGES = 300_000
TARGET_FILES = 10_000
SAMPLE = ROOT / "data" / "raw" / "shpf-2023.pdf"


def make_archive(folder: Path, n: int) -> None:
    import synthetic_pdf as sp

    header = ["一级指标", "二级指标", "指标内容", "目标值", "备注"]
    for i in range(n):
        cells = sp._label_block(
            "高龄老人津贴",
            f"某市第{i + 1}局",  # one department each: n partitions per table
            "某市老龄工作办公室",
            ("360.00", "360.00", "0.00", "120.00", "120.00", "0.00"),
            [("年度目标", "按时足额发放高龄津贴。")],
        )
        cells += sp._block(6, "年度绩效指标", header, sp.FORM_C)
        ops, _ = sp.table_ops(95, sp.XS, cells)
        (folder / f"{i:05d}.pdf").write_bytes(sp._pdf([sp._title("项目支出绩效目标表", "（2015年度）") + ops]))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_file_task(task: partial, path: Path):  # type: ignore[no-untyped-def]
    """``run.file_task`` with its write half timed (the result's ``seconds``
    then holds the write's, for this bench only)."""
    from jixiao.pipelines.guard import guarded
    from jixiao.pipelines.task import process_file
    from jixiao.pipelines.write import write_task_result

    kw = task.keywords
    result = guarded(process_file, path, limits=kw["limits"], password=kw["password"], pages_dir=kw["pages_dir"])
    start = time.perf_counter()
    written = write_task_result(kw["out"], result)
    return replace(written, seconds=time.perf_counter() - start)


def child(archive: Path, out: Path, jobs: int, executor_name: str) -> dict:
    """One run in this (fresh) process."""
    from jixiao.pipelines.executors import local_executor
    from jixiao.pipelines.run import run

    files = sorted(archive.glob("*.pdf"))
    if executor_name == "dask":
        from jixiao.pipelines.dask_executor import dask_executor

        inner = dask_executor(None, jobs)
    else:
        inner = local_executor(jobs, len(files))
    write_s: list[float] = []
    parent_s: list[float] = []
    rss: list[tuple[int, float]] = [(0, rss_mb())]  # (files recorded, MB)

    def timed(task, todo: list[Path]) -> Iterator:  # type: ignore[no-untyped-def]
        for result in inner(partial(timed_file_task, task), todo):
            write_s.append(result.seconds)
            start = time.perf_counter()
            yield result  # the run records it (manifest row, old files) before asking for the next
            parent_s.append(time.perf_counter() - start)
            if len(parent_s) in (1, EDGE) or len(parent_s) % 1000 == 0:
                rss.append((len(parent_s), rss_mb()))

    start = time.perf_counter()
    summary = run([archive], out, executor=timed)
    seconds = time.perf_counter() - start
    rss.append((len(parent_s), rss_mb()))
    use = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return {
        "seconds": seconds,
        "files": len(summary.results),
        "ok": summary.count("ok"),
        "pages": summary.pages,
        "cpu": sum(u.ru_utime + u.ru_stime for u in use),
        "write_s": write_s,
        "parent_s": parent_s,
        "rss": rss,
    }


def old_glob_ms(out: Path) -> float:
    """What the writer did per file before: glob every partition for the file's name."""
    name = "0123456789abcdef.parquet"
    start = time.perf_counter()
    for t in ("projects", "indicators"):
        list((out / t).glob(f"year=*/department=*/{name}"))
    return (time.perf_counter() - start) * 1000


def per_page_ms() -> float:
    """CPU ms per page of the real-layout sample (17 pages), best of 3, one core."""
    from jixiao.pipelines.task import process_file

    process_file(SAMPLE)  # imports, warm caches
    best = float("inf")
    pages = 0
    for _ in range(3):
        start = time.process_time()
        r = process_file(SAMPLE)
        best = min(best, time.process_time() - start)
        pages = r.pages
    return best * 1000 / pages


def spawn(archive: Path, out: Path, jobs: int, executor_name: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", executor_name, "--archive", str(archive), "--out", str(out),
         "--jobs", str(jobs)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench_scale: the run failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.2f} ms, mean {statistics.fmean(values) * 1000:6.2f} ms"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--files", type=int, default=5000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--dask-files", type=int, default=300, help="files of the archive also run on a dask LocalCluster")
    p.add_argument("--workers", type=int, default=64, help="dask cluster size for the projection")
    p.add_argument("--child", choices=("local", "dask"), help=argparse.SUPPRESS)
    p.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.archive, args.out, args.jobs, args.child)))
        return 0

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-scale-") as tmp:
        archive, out = Path(tmp) / "archive", Path(tmp) / "out"
        archive.mkdir()
        start = time.perf_counter()
        make_archive(archive, args.files)
        print(f"\nbench_scale: {args.files} one-form PDFs, {args.files} departments "
              f"(built in {time.perf_counter() - start:.1f} s); -j {args.jobs}, {os.cpu_count()} cores")
        r = spawn(archive, out, args.jobs, "local")
        partitions = sum(1 for _ in (out / "indicators").glob("year=*/department=*"))
        n = len(r["write_s"])
        edge = min(EDGE, n // 2)
        print(f"run: {r['files']} files ({r['ok']} ok), {r['pages']} pages, {partitions} department partitions "
              f"per table, {r['seconds']:.1f} s wall, {r['cpu']:.1f} CPU s ({r['cpu'] * 1000 / max(1, r['pages']):.1f} "
              f"CPU ms per page, start-up of the workers included)")
        print(f"worker write per file, first {edge}: {ms(r['write_s'][:edge])}")
        print(f"worker write per file, last  {edge}: {ms(r['write_s'][-edge:])}")
        print(f"parent per file (manifest row, old files, journal), first {edge}: {ms(r['parent_s'][:edge])}")
        print(f"parent per file (manifest row, old files, journal), last  {edge}: {ms(r['parent_s'][-edge:])}")
        print("parent RSS: " + ", ".join(f"{mb:.0f} MB after {k} files" for k, mb in r["rss"][:-1])
              + f", {r['rss'][-1][1]:.0f} MB at the end (manifest compacted, pool closed)")
        glob = min(old_glob_ms(out) for _ in range(3))
        print(f"for comparison, the per-file glob the writer used to run: {glob:.1f} ms at {partitions} partitions "
              f"({glob * TARGET_FILES / 1000 / 60:.1f} min for {TARGET_FILES:,} files)")
        dask = None
        if args.dask_files:
            try:
                import distributed  # noqa: F401
            except ImportError:
                print("dask.distributed not installed (pip install -e '.[dask]'): no dask figure")
            else:
                small = Path(tmp) / "small"
                small.mkdir()
                for f in sorted(archive.glob("*.pdf"))[: args.dask_files]:
                    os.link(f, small / f.name)
                dask = spawn(small, Path(tmp) / "out-dask", args.jobs, "dask")
                print(f"dask LocalCluster ({args.jobs} workers), first {dask['files']} files: {dask['seconds']:.1f} s "
                      f"wall, worker write {ms(dask['write_s'])}, parent {ms(dask['parent_s'])}")

    page_ms = per_page_ms()
    write_ms = statistics.fmean(r["write_s"]) * 1000
    parent_ms = statistics.fmean(r["parent_s"]) * 1000
    print(f"\nprojection: {TARGET_PAGES:,} pages in {TARGET_FILES:,} PDFs, from {page_ms:.1f} CPU ms per page "
          f"(the real-layout sample {SAMPLE.name}, one core, best of 3), {write_ms:.2f} ms write per file "
          f"(worker) and {parent_ms:.2f} ms per file in the parent (serial)")
    for label, cores in (("16 cores (-j 16)", 16), (f"dask, {args.workers} workers", args.workers)):
        workers = (TARGET_PAGES * page_ms + TARGET_FILES * write_ms) / cores / 1000
        parent = TARGET_FILES * parent_ms / 1000
        print(f"  {label:<20} workers {workers / 60:6.1f} min, parent {parent / 60:5.2f} min "
              f"-> about {max(workers, parent) / 60:.1f} min (the parent records results while workers read)")
    if dask:
        per_file = dask["seconds"] / max(1, dask["files"])
        print(f"  measured here: -j {args.jobs} {r['seconds'] / max(1, r['files']) * 1000:.0f} ms wall per file, "
              f"dask {per_file * 1000:.0f} ms wall per file (one-page files: per-task overhead included)")
    print(f"load average: {os.getloadavg()[0]:.1f} (wall-clock figures assume an otherwise idle machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
