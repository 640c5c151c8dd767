"""Build the OCR language prior (character counts) from born-digital PDFs.

    .venv/bin/python tools/build_ocr_prior.py /work/shared/corpus /work/shared/real-pdfs

The recogniser (``jixiao.extract.prior``) can weigh a doubtful character
against its neighbours with counts of characters and character pairs. The
counts come from what jixiao itself reads off the born-digital text layers of
the development corpus, on the pages it reads forms from: the text of every
table cell (labels, project names, goals, indicator names and values) and of
every line outside the tables (titles). Written to
``jixiao/normalize/vocab/ocr_chars.tsv``.

Kept out, so that the tests stay honest:
- the sample document (any file whose name holds "shpf") and every cell
  whose text is one of the sample's gold values (a generic name such as
  用户满意度 included);
- the documents the scan tests read as other cities' scans (HELD_OUT): the
  OCR is measured on them, so their text is not in the prior.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "jixiao/normalize/vocab/ocr_chars.tsv"
GOLD = ROOT / "tests/fixtures/gold/shpf-2023.json"
HELD_OUT = ("020_西安_2026年西安市审计局部门预算.pdf",)
MIN_PAIR = 2  # pairs seen once are mostly one document's wording: left out (size)
# Every page's text against the form pages' (measured on the sample's fax,
# rows exact: 0 -> 134, 0.3 and 0.5 -> 135, 1.0 -> 134, every page alone 132).
OTHER_PAGES_WEIGHT = 0.4


def sample_texts() -> set[str]:
    def walk(v: object) -> Iterator[str]:
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            for x in v.values():
                yield from walk(x)
        elif isinstance(v, list):
            for x in v:
                yield from walk(x)

    return set(walk(json.loads(GOLD.read_text(encoding="utf-8"))))


def texts(pdf: Path, forms_only: bool) -> Iterator[str]:
    """Every cell of every table, and every line outside them, of the
    born-digital pages (``forms_only``: of those jixiao reads forms from;
    labels as well as values: 项目名称, 主管部门)."""
    from jixiao.extract import read_pdf
    from jixiao.normalize import page_wanted

    doc = read_pdf(pdf, wanted=page_wanted if forms_only else None)
    scanned = {p.number for p in doc.pages if p.method == "ocr"}
    for item in doc.items:
        cells = getattr(item, "cells", None)
        if cells is not None:
            yield from (c.text for c in cells if c.text and c.page not in scanned)
        elif getattr(item, "text", "") and item.page not in scanned:
            yield item.text


def count(values: Iterable[str]) -> tuple[collections.Counter[str], collections.Counter[str]]:
    """Characters and neighbouring pairs (spaces and line breaks left out:
    the recogniser's lines are not the fields' lines)."""
    chars: collections.Counter[str] = collections.Counter()
    pairs: collections.Counter[str] = collections.Counter()
    for v in values:
        for part in v.split():
            chars.update(part)
            pairs.update(a + b for a, b in itertools.pairwise(part))
    return chars, pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--exclude", action="append", default=[], help="a further file name to leave out")
    args = parser.parse_args()
    held = set(HELD_OUT) | set(args.exclude)
    sample = sample_texts()
    used: list[str] = []
    values: list[str] = []
    others: list[str] = []
    for folder in args.folders:
        for pdf in sorted(folder.glob("*.pdf")):
            if "shpf" in pdf.name or pdf.name in held:
                print(f"left out: {pdf.name}", file=sys.stderr)
                continue
            got = [v for v in texts(pdf, forms_only=True) if v not in sample]
            if got:
                used.append(pdf.name)
                values.extend(got)
            others.extend(v for v in texts(pdf, forms_only=False) if v not in sample)
    chars, pairs = count(values)
    every_chars, every_pairs = count(others)
    for mine, every in ((chars, every_chars), (pairs, every_pairs)):
        for key, n in every.items():
            if round(n * OTHER_PAGES_WEIGHT):
                mine[key] += round(n * OTHER_PAGES_WEIGHT)
    header = f"{len(used)} documents, {len(values)} form texts + {OTHER_PAGES_WEIGHT} x {len(others)} texts of every page"
    lines = [f"# {header}; built by tools/build_ocr_prior.py from:"]
    lines += [f"# {name}" for name in used]
    lines += [f"{c}\t{n}" for c, n in sorted(chars.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += [f"{p}\t{n}" for p, n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])) if n >= MIN_PAIR]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kept = sum(1 for n in pairs.values() if n >= MIN_PAIR)
    print(f"{args.out}: {len(chars)} characters, {kept} of {len(pairs)} pairs, {args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
