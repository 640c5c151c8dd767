"""Command line: thin over the library. Known errors -> one line and an exit
code; anything else is a bug and keeps its traceback.

Each subcommand is a module in jixiao/commands with ``add_parser(sub)`` and
``run(args) -> int``; its help carries an example.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from . import __version__
from .errors import ExitCode, JixiaoError, Terminated, printable

COMMANDS = ("extract", "check", "review", "report", "export")

MAIN_EXAMPLE = """\
Example:
  jixiao extract data/raw --out data/parquet
  jixiao extract --help
"""


def _commands() -> dict[str, object]:
    found: dict[str, object] = {}
    for name in COMMANDS:
        try:
            found[name] = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as e:
            if e.name != f"{__package__}.commands.{name}":
                raise
    return found


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jixiao",
        description="Budget performance-target forms (绩效目标表) from PDF to a Parquet dataset.",
        epilog=MAIN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    for module in _commands().values():
        cmd = module.add_parser(sub)  # type: ignore[attr-defined]
        cmd.set_defaults(_run=module.run)  # type: ignore[attr-defined]
    return p


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # SIGTERM (kill, systemd, a batch scheduler) is handled like Ctrl-C: the
    # manifest is saved, the lock freed, one line said.
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args._run(args))
    except JixiaoError as e:
        print(f"jixiao: {printable(str(e))}", file=sys.stderr)
        return int(e.exit_code)
    except BrokenPipeError:
        # The reader went away (`jixiao check OUT --json | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.ok
    except KeyboardInterrupt as e:
        # Files finished so far are in the dataset and the manifest.
        what = "terminated" if isinstance(e, Terminated) else "interrupted"
        print(f"jixiao: {what}; what was finished is kept, re-run to go on", file=sys.stderr)
        return ExitCode.terminated if isinstance(e, Terminated) else ExitCode.interrupted
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
