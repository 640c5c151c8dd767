"""Reading speed: jixiao against camelot, pdfplumber and the PDFium floor.

Three figures, each measured in fresh subprocesses pinned to one core (CPU
time, not wall time, so other load on the machine matters less):

1. born-digital CPU ms per form page, steady state (imports done, one warm-up
   pass on another file), min / median of the passes, for jixiao (its default
   PDFium backend, and PLAYA, the reference backend), camelot lattice (default
   and ``engine="vector"``), pdfplumber ``extract_tables`` and the floor: a
   loop that only reads PDFium's char boxes and path segments. Every tool
   reads the same pages: the form pages of each set, copied into a PDF of
   their own (the pages jixiao reads in the samples and in real PDF 01);
2. whole-process CPU of ``jixiao extract`` (-j 1) on real PDF 10 plus the
   sample, against a Python program that only reads every char box and path
   segment of the same files through pypdfium2;
3. start-up CPU of a one-file run: a ``jixiao extract`` process on the sample
   minus the same run repeated in that process (imports, compiled patterns,
   the interpreter itself);
4. a scanned page without a form: what it costs now that the OCR gate
   (``extract.formgate``) keeps it from OCR.

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


def per_page(tmp: Path, passes: int) -> None:
    env = _child_env(tmp)
    sets = {}
    for i, (label, src) in enumerate(SETS.items()):
        dest = tmp / f"set{i}.pdf"
        sets[label] = (dest, form_pages_pdf(src, dest))
    labels = list(sets)
    results: dict[str, dict[str, list[float] | str]] = {label: {} for label in labels}
    for tool, (setup, work) in TOOLS.items():
        code = _HARNESS.format(setup=setup, work="\n".join("    " + ln for ln in work.splitlines()))
        n = 1 if tool == "camelot lattice (default)" else passes  # 0.2-0.3 s a page
        for k, label in enumerate(labels):
            path = sets[label][0]
            warm = sets[labels[(k + 1) % len(labels)]][0]  # another file: no cache helps
            try:
                out = spawn([sys.executable, "-c", code, str(path), str(warm), str(n)], env)
                row = json.loads(out.strip().splitlines()[-1])
                results[label][tool] = [1000 * c / row["pages"] for c in row["cpu"]]
            except (RuntimeError, ValueError) as e:
                results[label][tool] = str(e)[:60]
    from jixiao.extract import pdfium_layer

    helper = "compiled helper" if getattr(pdfium_layer, "native", None) is not None else "no compiled helper: ctypes"
    print(
        "Born-digital CPU ms per form page, one core, steady state: min / median of the passes, ×floor (median); "
        f"jixiao's PDFium reader through its {helper}"
    )
    print(f"{'tool':28}" + "".join(f"{label + f' ({sets[label][1]} p.)':>34}" for label in labels))
    for tool in TOOLS:
        line = f"{tool:28}"
        for label in labels:
            r, floor = results[label][tool], results[label][FLOOR]
            if isinstance(r, str):
                line += f"{'error: ' + r[:26]:>34}"
                continue
            ratio = statistics.median(r) / statistics.median(floor) if not isinstance(floor, str) else float("nan")
            line += f"{min(r):>14.2f} / {statistics.median(r):6.2f} ms {ratio:6.1f}×"
        print(line)


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
        f"pypdfium2 char boxes + path segments {f:.2f} CPU-s: {j / f:.1f}×"
    )


STARTUP = """
import json, resource, sys
if sys.argv[3] == "hide-pandas":  # a plain install: pandas comes only with the test and bench extras
    class Hide:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "pandas":
                raise ModuleNotFoundError(name)
    sys.meta_path.insert(0, Hide())
from jixiao.cli import main
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
main(["extract", sys.argv[1], "--out", sys.argv[2] + "/a", "-j", "1", "-q"])
first = cpu()
main(["extract", sys.argv[1], "--out", sys.argv[2] + "/b", "-j", "1", "-q"])
print(json.dumps({"first": first, "again": cpu() - first}))
"""

# What start-up is made of: CPU after each step, imported in this order.
IMPORT_STEPS = """
import json, resource, sys
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
steps = [("interpreter", cpu())]
import pypdfium2, jixiao.extract, jixiao.extract.textlayer
steps.append(("pypdfium2 + jixiao.extract", cpu()))
import pyarrow, pyarrow.parquet, pyarrow.compute
steps.append(("pyarrow (+ numpy, parquet, compute)", cpu()))
import jixiao.cli
jixiao.cli.arrow_without_pandas()
pyarrow.array([1])
steps.append(("pyarrow's first array (pandas kept out, as jixiao extract does)", cpu()))
import rich.console, rich.progress, rich.table
steps.append(("rich", cpu()))
import jixiao.normalize
steps.append(("jixiao.normalize (its patterns compiled at import)", cpu()))
import jixiao.cli, jixiao.commands.extract, jixiao.pipelines.run, jixiao.pipelines.progress
steps.append(("jixiao.cli + jixiao.pipelines", cpu()))
print(json.dumps(steps))
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
        print(
            f"\nStart-up of a one-file run (the sample, -j 1), {label}: whole run {best['first']:.3f} CPU-s, "
            f"the same run again in that process {best['again']:.3f} CPU-s: start-up "
            f"{best['first'] - best['again']:.3f} CPU-s"
        )
    runs = [json.loads(spawn([sys.executable, "-c", IMPORT_STEPS], env).strip().splitlines()[-1]) for _ in range(3)]
    steps = min(runs, key=lambda r: r[-1][1])
    print("  made of (CPU-s, imported in this order):")
    before = 0.0
    for name, at in steps:
        print(f"    {at - before:6.3f}  {name}")
        before = at


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
        f"{'never sent to OCR' if r['methods'] == ['skipped'] else 'read as ' + str(r['methods'])} (target <= 0.3 s); "
        f"the gate on a scanned form page: {r['gate']:.3f} CPU-s before its OCR"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=5, help="timed passes per tool and set (camelot default: 1)")
    args = ap.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
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
