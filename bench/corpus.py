"""Run jixiao over a corpus of real budgets and print, per PDF, what it found.

    python bench/corpus.py [DIR ...] [-j N]      (default: ../shared/corpus and ../shared/real-pdfs)

Per PDF: status, forms found (and the hand count from tests/fixtures/corpus_counts/ where there
is one), indicator rows, the years and form kinds of the forms, target-like tables left unread,
forms without rows, and warnings by kind. The totals at the end are the figures of issue 9's
work loop. Not a test: it reads ~2,000 pages and takes a minute or two.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from jixiao.pipelines.task import FileResult, process_file

ROOT = Path(__file__).resolve().parent.parent
COUNTS = ROOT / "tests" / "fixtures" / "corpus_counts"
DEFAULT_DIRS = [ROOT.parent / "shared" / "corpus", ROOT.parent / "shared" / "real-pdfs"]


def hand_counts() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for f in sorted(COUNTS.glob("*.json")):
        out.update(json.loads(f.read_text(encoding="utf-8")))
    return out


def warning_kind(text: str) -> str:
    """A warning's kind: its text without names, numbers and quoted parts."""
    t = re.sub(r"'[^']*'", "'…'", text)
    t = re.sub(r"^indicator \d+ ", "indicator ", t)
    t = re.sub(r"p\.\d+", "p.N", t)
    t = re.sub(r"\d[\d,.]*", "N", t)
    return t[:70]


def summarise(r: FileResult, counts: dict[str, dict]) -> dict:
    name = Path(r.path).name
    prj = r.projects.to_pylist() if r.projects is not None else []
    years = Counter(p["year"] for p in prj)
    kinds = Counter(p.get("form_kind") or "project" for p in prj)
    no_rows = sum(1 for p in prj if not p["indicator_count"])
    warn = Counter(warning_kind(w) for p in prj for w in p["warnings"])
    hand = counts.get(name, {})
    return {
        "file": name,
        "status": r.status,
        "forms": r.forms,
        "hand": hand.get("forms"),
        "hand_year": hand.get("year"),
        "rows": r.indicator_rows,
        "years": dict(years),
        "kinds": dict(kinds),
        "unread": list(r.unread_tables),
        "no_rows": no_rows,
        "no_dept": sum(1 for p in prj if p["department"] in ("未注明", "", None)),
        "warnings": warn,
        "error": r.error if r.status != "ok" else "",
        "seconds": r.seconds,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("-v", action="store_true", help="print unread tables and warning kinds per PDF")
    args = ap.parse_args()
    dirs = args.dirs or [d for d in DEFAULT_DIRS if d.is_dir()]
    pdfs = sorted(p for d in dirs for p in d.rglob("*") if p.suffix.lower() == ".pdf")
    counts = hand_counts()
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.j) as pool:
        results = list(pool.map(process_file, pdfs))
    rows = [summarise(r, counts) for r in results]
    total = Counter()
    warn_total: Counter = Counter()
    for s in rows:
        hand = "" if s["hand"] is None else f"/{s['hand']}"
        flag = "" if s["hand"] is None or s["hand"] == s["forms"] else "  <-- count"
        yflag = ""
        if s["hand_year"] and set(s["years"]) - {s["hand_year"]}:
            yflag = "  <-- year"
        print(
            f"{s['status']:8} {s['forms']:3}{hand:4} forms {s['rows']:4} rows  years={s['years']} "
            f"kinds={s['kinds']} unread={len(s['unread'])} no_rows={s['no_rows']} no_dept={s['no_dept']}  "
            f"{s['file']}{flag}{yflag}"
        )
        if args.v:
            for u in s["unread"]:
                print(f"           unread: {u}")
            for k, n in s["warnings"].most_common():
                print(f"           {n:4} × {k}")
        if s["error"]:
            print(f"           {s['error']}")
        total["pdfs"] += 1
        total["forms"] += s["forms"]
        total["rows"] += s["rows"]
        total["unread"] += len(s["unread"])
        total["no_rows"] += s["no_rows"]
        total["year0"] += s["years"].get(0, 0)
        total["no_dept"] += s["no_dept"]
        total[s["status"]] += 1
        if s["hand"] is not None:
            total["counted"] += 1
            total["count_ok"] += s["hand"] == s["forms"]
            total["hand_forms"] += s["hand"]
        if s["hand_year"]:
            total["year_ok_forms"] += sum(n for y, n in s["years"].items() if y == s["hand_year"])
            total["year_forms"] += s["forms"]
        warn_total.update(s["warnings"])
    print(
        f"\n{total['pdfs']} PDFs in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{k} {total[k]}" for k in ("ok", "partial", "no_forms", "error"))
        + f"; {total['forms']} forms, {total['rows']} rows; "
        f"count right on {total['count_ok']}/{total['counted']} hand-counted PDFs "
        f"({total['hand_forms']} forms counted by hand); "
        f"year right on {total['year_ok_forms']}/{total['year_forms']} forms; "
        f"unread target-like tables {total['unread']}; forms without rows {total['no_rows']}; "
        f"year 0: {total['year0']}; no department: {total['no_dept']}"
    )
    print("warnings by kind:")
    for k, n in warn_total.most_common(25):
        print(f"  {n:5} × {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
