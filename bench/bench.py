"""Speed and peak memory, jixiao vs camelot lattice, on the same PDFs.

Each measurement runs in a fresh subprocess (one core, as CI's worker would),
so peak RSS is that run's own. Prints a table; run with `make bench`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT / "tests" / "fixtures" / "pdfs"
FILES = [
    "shpf-2023.pdf",
    "shpf-2023-libreoffice.pdf",
    "01-sh-putuo-wanli-2023-dept-budget.pdf",
]

JIXIAO = """
import json, sys, time
from jixiao.extract import read_pdf
from jixiao.normalize import normalize, page_wanted
path, warm = sys.argv[1], sys.argv[2]
normalize(read_pdf(warm, wanted=page_wanted))  # steady state: imports and compiled patterns loaded
t = time.perf_counter()
doc = read_pdf(path, wanted=page_wanted)
res = normalize(doc)
el = time.perf_counter() - t
read = sum(1 for p in doc.pages if p.method != "skipped")
print(json.dumps({"seconds": el, "pages": doc.page_count, "read": read,
                  "rows": sum(len(p.indicators) for p in res.projects)}))
"""

# What a page without forms costs: open, text check, skip (every page skipped).
JIXIAO_SKIP = """
import json, sys, time
from jixiao.extract import read_pdf
path = sys.argv[1]
read_pdf(path, wanted=lambda text: False)  # warm-up: imports
t = time.perf_counter()
doc = read_pdf(path, wanted=lambda text: False)
el = time.perf_counter() - t
print(json.dumps({"seconds": el, "pages": doc.page_count, "read": 0, "rows": 0}))
"""

CAMELOT = """
import json, sys, time
import camelot
path, engine = sys.argv[1], sys.argv[2]
t = time.perf_counter()
kw = {} if engine == "default" else {"engine": engine}
tables = camelot.read_pdf(path, pages="all", flavor="lattice", **kw)
el = time.perf_counter() - t
import pypdfium2
n = len(pypdfium2.PdfDocument(path))
print(json.dumps({"seconds": el, "pages": n, "read": n, "rows": sum(t.df.shape[0] for t in tables)}))
"""


def measure(code: str, *args: str) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        err = proc.stderr.read() if proc.stderr else ""
        return {"error": err.strip().splitlines()[-1] if err.strip() else f"exit {status}"}
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux: KiB
    return result


def main() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    rows = []
    for name in FILES:
        path = str(PDFS / name)
        warm = str(PDFS / FILES[(FILES.index(name) + 1) % len(FILES)])  # another file: no cache helps
        rows.append(("jixiao", name, measure(JIXIAO, path, warm)))
        rows.append(("camelot lattice (default)", name, measure(CAMELOT, path, "default")))
        rows.append(("camelot lattice (vector)", name, measure(CAMELOT, path, "vector")))
    print(f"{'tool':28} {'file':42} {'pages':>5} {'read':>5} {'s total':>8} {'s/page':>8} {'s/read pg':>9} {'peak MB':>8}")
    for tool, name, r in rows:
        if "error" in r:
            print(f"{tool:28} {name:42} error: {r['error'][:60]}")
            continue
        per_page = r["seconds"] / r["pages"]
        per_read = r["seconds"] / max(r["read"], 1)
        print(
            f"{tool:28} {name:42} {r['pages']:>5} {r['read']:>5} {r['seconds']:>8.3f} {per_page:>8.4f}"
            f" {per_read:>9.4f} {r['peak_mb']:>8.0f}"
        )
    r = measure(JIXIAO_SKIP, str(PDFS / FILES[2]))
    if "error" not in r:
        ms = 1000 * r["seconds"] / r["pages"]
        print(f"\njixiao, a page skipped as non-form (PDF 01, {r['pages']} pages, text check only): {ms:.2f} ms/page")


if __name__ == "__main__":
    main()
