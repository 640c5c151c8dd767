"""Reading speed: jixiao against camelot, pdfplumber and the PDFium floor.

Three figures, each measured in fresh subprocesses pinned to one core (CPU
time, not wall time, so other load on the machine matters less):

1. born-digital CPU ms per form page, steady state (imports done, one warm-up
   pass on another file), min / median of the passes, for jixiao (its default
   PDFium backend, and PLAYA, the reference backend), camelot lattice (default
   and ``engine="vector"``), pdfplumber ``extract_tables`` and the floor: a
   loop that only reads PDFium's char boxes and path segments. Every tool
   reads the same pages: the form pages of each set, copied into a PDF of
   their own (the pages jixiao reads in the samples and in real PDF 01).
   jixiao and the floor, whose ratio is the bar, run in ROUNDS rounds of
   fresh processes taken in turn (floor, jixiao, floor, ...), so that a change
   in the machine's load falls on both: the median is over all their passes;
2. whole-process CPU of ``jixiao extract`` (-j 1) on real PDF 10 plus the
   sample, against a Python program that only reads every char box and path
   segment of the same files through pypdfium2;
3. start-up CPU of a one-file run: a fresh process running ``jixiao extract``
   on the sample, minus the same run repeated in that process (imports,
   compiled patterns, first-use tables, the interpreter itself). The file is
   read in that process (not in the child -j 1 forks for it), so that what
   the child would import on its first page is counted too;
4. a scanned page without a form: what it costs now that the OCR gate
   (``extract.formgate``) keeps it from OCR.

Each figure is printed with the bar issue 13 sets for it and whether it is
met; the load average is printed first (the machine may be shared).

Run with `make bench` or `.venv/bin/python bench/bench.py [--passes N]`.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT / "tests" / "fixtures" / "pdfs"
SAMPLE = PDFS / "shpf-2023.pdf"
SETS = {
    "sample (shpf-2023)": SAMPLE,
    "LibreOffice twin": PDFS / "shpf-2023-libreoffice.pdf",
    "real PDF 01, form pages": PDFS / "01-sh-putuo-wanli-2023-dept-budget.pdf",
}
REAL10 = PDFS / "10-guangzhou-shengtaihuanjing-2026-project-targets.pdf"

# Each tool: code run in a fresh process with argv = [pdf, warm-up pdf, passes];
# it prints one JSON line {"cpu": [seconds per pass], "pages": n}.
_HARNESS = """
import json, sys, time
path, warm, passes = sys.argv[1], sys.argv[2], int(sys.argv[3])
{setup}
def work(p):
{work}
work(warm)
cpu = []
for _ in range(passes):
    t = time.process_time()
    n = work(path)
    cpu.append(time.process_time() - t)
print(json.dumps({{"cpu": cpu, "pages": n}}))
"""

TOOLS = {
    "jixiao": (
        "from jixiao.extract import read_pdf\nfrom jixiao.normalize import normalize, page_wanted",
        "doc = read_pdf(p, wanted=page_wanted); normalize(doc); return doc.page_count",
    ),
    "jixiao (PLAYA backend)": (
        (
            "import jixiao.extract as X\nfrom jixiao.extract.textlayer import TextLayerEngine\n"
            "from jixiao.normalize import normalize, page_wanted\n"
            "_get = X.get_engine\n"
            "X.get_engine = lambda name: TextLayerEngine('playa') if name == 'text' else _get(name)"
        ),
        "doc = X.read_pdf(p, wanted=page_wanted); normalize(doc); return doc.page_count",
    ),
    "camelot lattice (default)": (
        "import camelot, pypdfium2",
        "camelot.read_pdf(p, pages='all', flavor='lattice'); return len(pypdfium2.PdfDocument(p))",
    ),
    "camelot lattice (vector)": (
        "import camelot, pypdfium2",
        "camelot.read_pdf(p, pages='all', flavor='lattice', engine='vector'); return len(pypdfium2.PdfDocument(p))",
    ),
    "pdfplumber extract_tables": (
        "import pdfplumber",
        "with pdfplumber.open(p) as pdf:\n        [pg.extract_tables() for pg in pdf.pages]\n        return len(pdf.pages)",
    ),
    "PDFium floor": ("import floor", "return floor.read(p)"),
}
FLOOR = "PDFium floor"
JIXIAO = "jixiao"
ROUNDS = 3  # fresh processes per set for jixiao and the floor, in turn

# Issue 13's bars.
BAR_PER_PAGE = 2.5  # jixiao's CPU per form page over the floor's, on every set
BAR_WHOLE = 2.5  # jixiao extract's whole process over the pypdfium2 reading program
BAR_STARTUP = 0.15  # CPU-s of a one-file run's start-up
BAR_SCANNED = 0.3  # CPU-s of a scanned page without a form


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"

# The floor as a program of its own: every char box and path segment of every
# page through pypdfium2's raw API, nothing else.
FLOOR_MODULE = '''
import ctypes, sys
import pypdfium2 as pdfium
from pypdfium2 import raw

def _segments(obj, x, y):
    n = 0
    kind = raw.FPDFPageObj_GetType(obj)
    if kind == raw.FPDF_PAGEOBJ_PATH:
        for k in range(raw.FPDFPath_CountSegments(obj)):
            raw.FPDFPathSegment_GetPoint(raw.FPDFPath_GetPathSegment(obj, k), x, y)
            n += 1
    elif kind == raw.FPDF_PAGEOBJ_FORM:
        for k in range(raw.FPDFFormObj_CountObjects(obj)):
            n += _segments(raw.FPDFFormObj_GetObject(obj, k), x, y)
    return n

def read(path):
    doc = pdfium.PdfDocument(path)
    l, r, b, t = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(len(doc)):
        page = doc[i]
        tp = page.get_textpage()
        for k in range(raw.FPDFText_CountChars(tp)):
            raw.FPDFText_GetCharBox(tp, k, l, r, b, t)
        for k in range(raw.FPDFPage_CountObjects(page)):
            _segments(raw.FPDFPage_GetObject(page, k), x, y)
        tp.close()
        page.close()
    n = len(doc)
    doc.close()
    return n

if __name__ == "__main__":
    for p in sys.argv[1:]:
        read(p)
'''


def _child_env(extra_path: Path) -> dict[str, str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(extra_path), env.get("PYTHONPATH", "")) if p)
    return env


def spawn(args: list[str], env: dict[str, str]) -> str:
    """Run a process on one core; its stdout."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if hasattr(os, "sched_setaffinity"):  # before it has done much: its imports take longer than this
        os.sched_setaffinity(proc.pid, {min(os.sched_getaffinity(0))})
    out, err = proc.communicate()
    if proc.returncode != 0:
        lines = err.strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit {proc.returncode}")
    return out


def cpu_of(args: list[str], env: dict[str, str]) -> float:
    """CPU seconds (user + system) of a process run on one core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    spawn(args, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def form_pages_pdf(src: Path, dest: Path) -> int:
    """The pages jixiao reads in ``src``, as a PDF of their own."""
    import pypdfium2 as pdfium

    from jixiao.extract import read_pdf
    from jixiao.normalize import page_wanted

    doc = read_pdf(src, wanted=page_wanted)
    pages = [p.number - 1 for p in doc.pages if p.method == "text"]
    out = pdfium.PdfDocument.new()
    out.import_pages(pdfium.PdfDocument(src), pages)
    out.save(dest)
    return len(pages)


def _run_tool(tool: str, path: Path, warm: Path, passes: int, env: dict[str, str]) -> list[float] | str:
    """One fresh process of ``tool``: CPU ms per page of each pass, or why it failed."""
    setup, work = TOOLS[tool]
    code = _HARNESS.format(setup=setup, work="\n".join("    " + ln for ln in work.splitlines()))
    try:
        out = spawn([sys.executable, "-c", code, str(path), str(warm), str(passes)], env)
        row = json.loads(out.strip().splitlines()[-1])
        return [1000 * c / row["pages"] for c in row["cpu"]]
    except (RuntimeError, ValueError) as e:
        return str(e)[:60]


def per_page(tmp: Path, passes: int) -> None:
    env = _child_env(tmp)
    sets = {}
    for i, (label, src) in enumerate(SETS.items()):
        dest = tmp / f"set{i}.pdf"
        sets[label] = (dest, form_pages_pdf(src, dest))
    labels = list(sets)
    results: dict[str, dict[str, list[float] | str]] = {label: {} for label in labels}
    for k, label in enumerate(labels):
        path = sets[label][0]
        warm = sets[labels[(k + 1) % len(labels)]][0]  # another file: no cache helps
        # The ratio's two sides in turn, each round in fresh processes.
        for _ in range(ROUNDS):
            for tool in (FLOOR, JIXIAO):
                got = _run_tool(tool, path, warm, passes, env)
                have = results[label].get(tool, [])
                results[label][tool] = got if isinstance(got, str) or isinstance(have, str) else have + got
        for tool in TOOLS:
            if tool not in (FLOOR, JIXIAO):
                n = 1 if tool == "camelot lattice (default)" else passes  # 0.2-0.3 s a page
                results[label][tool] = _run_tool(tool, path, warm, n, env)
    from jixiao.extract import pdfium_layer

    helper = "compiled helper" if getattr(pdfium_layer, "native", None) is not None else "no compiled helper: ctypes"
    print(
        "Born-digital CPU ms per form page, one core, steady state: min / median of the passes, ×floor (median); "
        f"jixiao's PDFium reader through its {helper}; jixiao and the floor: {ROUNDS} rounds of fresh processes "
        "in turn"
    )
    print(f"{'tool':28}" + "".join(f"{label + f' ({sets[label][1]} p.)':>34}" for label in labels))
    ratios: dict[str, float] = {}
    for tool in TOOLS:
        line = f"{tool:28}"
        for label in labels:
            r, floor = results[label][tool], results[label][FLOOR]
            if isinstance(r, str):
                line += f"{'error: ' + r[:26]:>34}"
                continue
            ratio = statistics.median(r) / statistics.median(floor) if not isinstance(floor, str) else float("nan")
            if tool == JIXIAO:
                ratios[label] = ratio
            line += f"{min(r):>14.2f} / {statistics.median(r):6.2f} ms {ratio:6.1f}×"
        print(line)
    met = [f"{label} {ratios[label]:.2f}× {verdict(ratios[label] <= BAR_PER_PAGE)}" for label in labels if label in ratios]
    print(f"  bar: jixiao ≤ {BAR_PER_PAGE}× the floor on every set: " + "; ".join(met))


def whole_process(tmp: Path) -> None:
    env = _child_env(tmp)
    files = [str(REAL10), str(SAMPLE)]
    floor = [sys.executable, str(tmp / "floor.py"), *files]
    runs = []
    for _ in range(2):
        out = tempfile.mkdtemp(dir=tmp)  # a fresh dataset: nothing is skipped as done before
        jixiao = [sys.executable, "-m", "jixiao.cli", "extract", *files, "--out", out, "-j", "1", "-q"]
        runs.append((cpu_of(jixiao, env), cpu_of(floor, env)))
    j, f = min(r[0] for r in runs), min(r[1] for r in runs)
    print(
        f"\nWhole process, real PDF 10 + the sample (157 pages), one core: jixiao extract -j 1 {j:.2f} CPU-s, "
        f"pypdfium2 char boxes + path segments {f:.2f} CPU-s: {j / f:.2f}× (bar ≤ {BAR_WHOLE}×: "
        f"{verdict(j / f <= BAR_WHOLE)})"
    )


STARTUP = """
import json, resource, sys
if sys.argv[3] == "hide-pandas":  # a plain install: pandas comes only with the test and bench extras
    class Hide:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "pandas":
                raise ModuleNotFoundError(name)
    sys.meta_path.insert(0, Hide())
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from jixiao.cli import main
import jixiao.pipelines.executors as executors
# The file read in this process, not in a child forked for it: what the
# child imports on its first page (PLAYA, the text layer, ...) is counted.
executors.can_fork = lambda: False
main(["extract", sys.argv[1], "--out", sys.argv[2] + "/a", "-j", "1", "-q"])
first = cpu()
main(["extract", sys.argv[1], "--out", sys.argv[2] + "/b", "-j", "1", "-q"])
print(json.dumps({"first": first, "again": cpu() - first}))
"""

# What start-up is made of: CPU after each step, in this order (each step
# what the one before left to do; a one-file run needs all of them).
IMPORT_STEPS = """
import json, resource, sys
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
steps = [("interpreter", cpu())]
import pyarrow, pyarrow.parquet
steps.append(("pyarrow + numpy (pyarrow imports numpy) + parquet: required", cpu()))
import jixiao.cli
jixiao.cli.arrow_without_pandas()
pyarrow.array([1])
steps.append(("pyarrow's first array (pandas kept out, as jixiao extract does)", cpu()))
import pypdfium2
steps.append(("pypdfium2: required", cpu()))
import playa
steps.append(("playa (the stream check and the reference backend): required", cpu()))
import jixiao.extract, jixiao.extract.textlayer, jixiao.extract.pagewindow
steps.append(("jixiao.extract", cpu()))
import jixiao.normalize
steps.append(("jixiao.normalize (its patterns compiled at import)", cpu()))
import jixiao.commands.extract, jixiao.pipelines.run, jixiao.pipelines.progress, jixiao.pipelines.executors
steps.append(("jixiao.cli + jixiao.pipelines", cpu()))
from jixiao.extract import pdfium_layer, text, triage
triage._not_rare(); text._clean_table(); pdfium_layer._blanks()
steps.append(("tables made at first use (common ideographs, look-alikes, blanks)", cpu()))
import regex
from jixiao.normalize import values
regex.purge()
t = cpu()
regex.compile(values.QUANTITY_RE.pattern), regex.compile(values.UNIT_RE.pattern)
part = ("  of which values.py's QUANTITY_RE and UNIT_RE (compiled again after regex.purge)", cpu() - t)
print(json.dumps({"steps": steps, "part": part}))
"""


def startup(tmp: Path) -> None:
    # With the bytecode caches an installed package has (a first run writes
    # them), not recompiling jixiao's sources in every process.
    env = {k: v for k, v in _child_env(tmp).items() if k != "PYTHONDONTWRITEBYTECODE"}
    spawn([sys.executable, "-c", "import jixiao.cli, jixiao.pipelines.progress"], env)
    for mode, label in (("", "as installed here"), ("hide-pandas", "pandas not installed (a plain install)")):
        rows = []
        for _ in range(3):
            out = spawn([sys.executable, "-c", STARTUP, str(SAMPLE), tempfile.mkdtemp(dir=tmp), mode or "-"], env)
            rows.append(json.loads(out.strip().splitlines()[-1]))
        best = min(rows, key=lambda r: r["first"] - r["again"])
        cost = best["first"] - best["again"]
        print(
            f"\nStart-up of a one-file run (the sample, -j 1, read in the process), {label}: whole run "
            f"{best['first']:.3f} CPU-s, the same run again in that process {best['again']:.3f} CPU-s: start-up "
            f"{cost:.3f} CPU-s (bar ≤ {BAR_STARTUP}: {verdict(cost <= BAR_STARTUP)})"
        )
    runs = [json.loads(spawn([sys.executable, "-c", IMPORT_STEPS], env).strip().splitlines()[-1]) for _ in range(3)]
    best_run = min(runs, key=lambda r: r["steps"][-1][1])
    print("  made of (CPU-s, in this order; 'required': a library a one-file run cannot do without):")
    before = 0.0
    required = 0.0
    for name, at in best_run["steps"]:
        print(f"    {at - before:6.3f}  {name}")
        if name.startswith("jixiao.normalize"):
            print(f"    {best_run['part'][1]:6.3f}  {best_run['part'][0]}")
        if name == "interpreter" or name.endswith("required"):
            required += at - before
        before = at
    print(f"    {required:6.3f}  of it the interpreter and the required libraries alone")


SKIP = """
import json, sys, time
from jixiao.extract import read_pdf
read_pdf(sys.argv[1], wanted=lambda text: False)  # warm-up: imports
t = time.process_time()
doc = read_pdf(sys.argv[1], wanted=lambda text: False)
print(json.dumps({"cpu": time.process_time() - t, "pages": doc.page_count}))
"""


def skipped_pages(tmp: Path) -> None:
    """What a page without forms costs: load, text check, skip."""
    src = SETS["real PDF 01, form pages"]
    r = json.loads(spawn([sys.executable, "-c", SKIP, str(src)], _child_env(tmp)).strip().splitlines()[-1])
    print(f"\nA page skipped as non-form (PDF 01, all {r['pages']} pages): {1000 * r['cpu'] / r['pages']:.2f} CPU ms")


SCANNED_PROSE = """
import json, sys, time
import pypdfium2 as pdfium
from jixiao.extract import formgate, read_pdf
prose, form = sys.argv[1], sys.argv[2]
read_pdf(prose)  # warm-up: imports (OpenCV), the first render
cpu = []
for _ in range(3):
    t = time.process_time()
    doc = read_pdf(prose)
    cpu.append(time.process_time() - t)
best = min(cpu)
page = pdfium.PdfDocument(form)[0]
gates = []
for _ in range(3):
    t = time.process_time()
    assert formgate.holds_table(page)
    gates.append(time.process_time() - t)
gate = min(gates)
print(json.dumps({"cpu": best / doc.page_count, "methods": [p.method for p in doc.pages], "gate": gate}))
"""


def scanned_non_form(tmp: Path) -> None:
    """A scanned page without a form: triage, the blank check, the OCR gate."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.make_scans import build

    prose = build("seal", tmp / "prose-scan.pdf", source=PDFS / "01-sh-putuo-wanli-2023-dept-budget.pdf", pages=[7])
    form = build("seal", tmp / "form-scan.pdf", source=SAMPLE, pages=[1])
    r = json.loads(spawn([sys.executable, "-c", SCANNED_PROSE, str(prose), str(form)], _child_env(tmp)).strip().splitlines()[-1])
    print(
        f"\nA scanned page without a form (PDF 01's prose page 7, seal scan at 200 dpi): {r['cpu']:.3f} CPU-s, "
        f"{'never sent to OCR' if r['methods'] == ['skipped'] else 'read as ' + str(r['methods'])} "
        f"(bar ≤ {BAR_SCANNED} s: {verdict(r['cpu'] <= BAR_SCANNED and r['methods'] == ['skipped'])}); "
        f"the gate on a scanned form page: {r['gate']:.3f} CPU-s before its OCR"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=5, help="timed passes per tool and set (camelot default: 1)")
    args = ap.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    print(f"Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)\n")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "floor.py").write_text(FLOOR_MODULE)
        per_page(tmp, args.passes)
        skipped_pages(tmp)
        scanned_non_form(tmp)
        whole_process(tmp)
        startup(tmp)


if __name__ == "__main__":
    main()
