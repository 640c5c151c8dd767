"""jixiao check OUT: the doubts the pipeline recorded, per project."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import ExitCode, NoDataset, printable
from . import help_format

EXAMPLE = """\
Example:
  jixiao check data/parquet
  jixiao check data/parquet --json > warnings.json

Lists every project whose `warnings` column is not empty (funds that do not
add up, empty value cells, 一级/二级指标 outside the known vocabulary, the same
三级指标 twice, a form year that differs from the document's, ...) and every
source file the manifest has as not read (errors), read in part, without
forms or superseded. It also verifies the dataset: every source's data files
exist, read back whole and hold the row counts the manifest recorded.
Exit code 0 when the dataset verifies (whatever warnings it lists), 1 when
data files are damaged, missing or not in the manifest (`jixiao extract`
on the sources repairs it), 3 when the manifest itself is damaged.
"""

WIDTH_NOT_TTY = 160
COLUMNS = ("project_id", "project_name", "source_file", "form_seq", "first_page", "last_page", "warnings")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    c = sub.add_parser(
        "check",
        help="list the warnings on the dataset's projects",
        description="Print the warnings recorded on each project of the dataset at OUT, and the "
        "source files that could not be read.",
        epilog=EXAMPLE,
        formatter_class=help_format(),
    )
    c.add_argument("out", metavar="OUT", help="dataset folder (as given to jixiao extract --out)")
    c.add_argument("--json", action="store_true", help="print JSON on stdout instead of tables")
    return c


def collect(out: Path) -> dict[str, Any]:
    """The check's findings as plain data (what --json prints)."""
    from ..api import read_tables
    from ..pipelines import journal
    from ..pipelines.manifest import NAME, read_manifest
    from ..pipelines.verify import verify
    from ..pipelines.write import file_stem

    if not (out / NAME).exists() and not journal.exists(out):  # a first run killed early has only its journal
        raise NoDataset(str(out))
    manifest = read_manifest(out).to_pylist()  # a damaged manifest: one line, exit 3; a journal replayed
    v = verify(out, manifest)
    damaged_files = {f for sha in v.damaged for f in v.listed.get(file_stem(sha), [])}
    # The one reader of a dataset, without the files found damaged (listed below instead).
    tables = read_tables(out, exclude=frozenset(damaged_files | set(v.strays)))
    projects: list[dict[str, Any]] = []
    checked = 0
    if tables.projects.num_rows:
        table = tables.projects.select(["year", "department", *COLUMNS])
        checked = table.num_rows
        rows = sorted(
            table.to_pylist(), key=lambda r: (r["year"], r["department"], r["source_file"], r["form_seq"])
        )
        projects = [r for r in rows if r["warnings"]]
    files = [
        {k: r[k] for k in ("source_file", "source_path", "source_sha256", "status", "error")}
        for r in manifest
        if r["status"] != "ok"
    ]
    names = {r["source_sha256"]: r["source_path"] or r["source_file"] for r in manifest}
    damaged = [{"source": names.get(sha, sha), "source_sha256": sha, "reason": why} for sha, why in sorted(v.damaged.items())]
    strays = [str(p.relative_to(out)) for p in v.strays]
    return {
        "dataset": str(out),
        "projects_checked": checked,
        "projects": projects,
        "files": files,
        "verified_files": v.files,
        "damaged": damaged,
        "strays": strays,
    }


def run(args: argparse.Namespace) -> int:
    found = collect(Path(args.out))
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        render(found)
    return ExitCode.some_failed if found["damaged"] or found["strays"] else ExitCode.ok


def render(found: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def t(value: object) -> Text:
        # Text from PDFs and file names is shown as printed: "[bold]" is no markup,
        # and control characters are escaped.
        return Text(printable(str(value)))

    console = Console()
    if not console.is_terminal:
        # A file or a pipe: wide enough that Chinese names are not folded.
        console = Console(width=WIDTH_NOT_TTY)
    if found["projects"]:
        table = Table(title="projects with warnings", show_lines=True)
        table.add_column("year", justify="right", no_wrap=True)
        table.add_column("department", overflow="fold")
        table.add_column("project", overflow="fold")
        table.add_column("source (pages)", overflow="fold")
        table.add_column("warnings", overflow="fold")
        for p in found["projects"]:
            table.add_row(
                t(p["year"]),
                t(p["department"]),
                t(p["project_name"]),
                t(f"{p['source_file']} ({_pages(p['first_page'], p['last_page'])})"),
                Text("\n".join(printable(w) for w in p["warnings"])),
            )
        console.print(table)
    if found["files"]:
        table = Table(title="source files not read or without forms", show_lines=True)
        table.add_column("file", overflow="fold")
        table.add_column("status", no_wrap=True)
        table.add_column("reason", overflow="fold")
        for f in found["files"]:
            table.add_row(t(f["source_file"]), t(f["status"]), t(f["error"]))
        console.print(table)
    for d in found["damaged"]:
        console.print(t(f"damaged: {d['source']}: {d['reason']}; `jixiao extract` on it reads it again"))
    for path in found["strays"]:
        console.print(t(f"not in the manifest: {path}; the next `jixiao extract` moves it to .quarantine/"))
    errors = sum(1 for f in found["files"] if f["status"] == "error")
    console.print(
        f"{len(found['projects'])} of {found['projects_checked']} projects have warnings; "
        f"{errors} source files could not be read; {found['verified_files']} data files verified, "
        f"{len(found['damaged'])} sources damaged, {len(found['strays'])} files not in the manifest.",
        markup=False,
        highlight=False,
    )


def _pages(first: int, last: int) -> str:
    return f"p.{first}" if first == last else f"p.{first}-{last}"
