"""Docs that run: the README's ```sh and ```python examples, in document order,
in a fresh folder laid out like a checkout (data/raw with the sample PDF,
notebooks/), with the jixiao console script on PATH; and every command's
help carries an Example: that parses."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from jixiao.cli import parser

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SCRIPTS = Path(sysconfig.get_path("scripts"))
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
SHELLS = ("sh", "bash", "shell", "console")


@dataclass(frozen=True)
class Block:
    id: str
    lang: str
    code: str


def readme_blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    blocks, seen = [], {}
    for m in FENCE.finditer(text):
        lang = m.group(1).lower()
        if lang not in (*SHELLS, "python"):
            continue
        headings = re.findall(r"^#+ (.+)$", text[: m.start()], re.MULTILINE)
        where = re.sub(r"\W+", "-", headings[-1] if headings else "top").strip("-").lower()
        seen[where] = seen.get(where, 0) + 1
        blocks.append(Block(f"{where}-{seen[where]}-{lang}", "sh" if lang in SHELLS else "python", m.group(2)))
    return blocks


BLOCKS = readme_blocks()


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE))


def split_make(code: str) -> tuple[list[str], str]:
    """`make` lines are the repository's own set-up (a test cannot re-run the
    test suite inside itself): their targets are checked, the rest is run."""
    targets, rest = [], []
    for line in code.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "make":
            targets += [w for w in words[1:] if "=" not in w and not w.startswith("-")]
        else:
            rest.append(line)
    return targets, "\n".join(rest)


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str] | list[str]]:
    if shutil.which("jixiao", path=str(SCRIPTS)) is None:
        pytest.skip(f"the jixiao console script is not installed in {SCRIPTS} (pip install -e .)")
    work = tmp_path_factory.mktemp("readme")
    (work / "data" / "raw").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "raw" / "shpf-2023.pdf", work / "data" / "raw")
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    if sys.prefix != sys.base_prefix:  # `source .venv/bin/activate` activates the venv running the tests
        (work / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "JIXIAO_DATA"}
    env["PATH"] = f"{SCRIPTS}{os.pathsep}{env.get('PATH', '')}"
    results: dict[str, subprocess.CompletedProcess[str] | list[str]] = {}
    for b in BLOCKS:
        if b.lang == "sh":
            targets, script = split_make(b.code)
            unknown = [t for t in targets if t not in make_targets()]
            if unknown:
                results[b.id] = unknown
                continue
            cmd = ["bash", "-euo", "pipefail", "-c", script]
        else:
            cmd = [sys.executable, "-c", b.code]
        results[b.id] = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False)
    results["__work__"] = [str(work)]
    return results


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_readme_example_runs(ran: dict, block: Block) -> None:
    done = ran[block.id]
    assert not isinstance(done, list), f"README names make targets the Makefile lacks: {done}"
    assert done.returncode == 0, f"{block.code}\n--- stdout\n{done.stdout[-2000:]}\n--- stderr\n{done.stderr[-3000:]}"


def test_readme_examples_made_what_they_say(ran: dict) -> None:
    work = Path(ran["__work__"][0])
    assert (work / "data" / "parquet" / "manifest.parquet").is_file()
    made_by_readme = ("data/parquet/report/index.html", "jixiao.xlsx", "exports/indicators.csv", "exports/projects.csv",
                      "exports/review.csv", "jixiao.db", "jixiao.duckdb", "review.json")  # fmt: skip
    for made in made_by_readme:
        assert (work / made).is_file(), made


def _subcommands(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_help_has_an_example_that_parses() -> None:
    p = parser()
    helps = {"jixiao": p, **{f"jixiao {n}": s for n, s in _subcommands(p).items()}}
    assert len(helps) >= 4  # extract, report, export and more
    for name, cmd in helps.items():
        text = cmd.format_help()
        assert "Example:" in text, f"{name} --help has no Example:"
        examples = [ln.strip() for ln in text.split("Example:", 1)[1].splitlines() if ln.strip().startswith("jixiao ")]
        assert examples, f"{name} --help: no `jixiao ...` line after Example:"
        for line in examples:
            words = shlex.split(line, comments=True)
            if name != "jixiao":
                assert words[:2] == name.split(), f"{name} --help shows another command: {line}"
            try:
                parser().parse_args(words[1 : 1 + _args_end(words[1:])])
            except SystemExit as e:  # --help exits 0; anything else is an example that does not parse
                assert e.code == 0, f"{name} --help example does not parse: {line}"


def _args_end(words: list[str]) -> int:
    """Where the command's arguments end (a shell redirect or pipe)."""
    for i, w in enumerate(words):
        if w in (">", ">>", "|", "&&", ";"):
            return i
    return len(words)


def test_console_script_help(ran: dict) -> None:
    jixiao = shutil.which("jixiao", path=str(SCRIPTS))
    assert jixiao
    for name in ["", *_subcommands(parser())]:
        cmd = [jixiao, *([name] if name else []), "--help"]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0 and "Example:" in done.stdout, name


def test_every_command_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [n for n in _subcommands(parser()) if f"jixiao {n}" not in text]
    assert not missing, f"README.md shows no `jixiao <command>` for: {missing}"
