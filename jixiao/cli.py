"""Command line: thin over the library. Known errors -> one line and an exit
code; anything else is a bug and keeps its traceback.

Each subcommand is a module in jixiao/commands with ``add_parser(sub)`` and
``run(args) -> int``; its help carries an example.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import signal
import sys

from . import __version__
from .arrowboot import arrow_without_pandas
from .errors import ExitCode, JixiaoError, Terminated, printable

COMMANDS = ("extract", "check", "review", "report", "export")

MAIN_EXAMPLE = """\
Example:
  jixiao extract data/raw --out data/parquet
  jixiao extract --help
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with a "did you mean" on a mistyped command or option."""

    def error(self, message: str) -> None:  # type: ignore[override]
        words: list[str] = []
        if m := re.search(r"invalid choice: '([^']*)'", message):
            choices = [a.choices for a in self._actions if isinstance(a, argparse._SubParsersAction)]
            words = difflib.get_close_matches(m.group(1), [str(c) for cs in choices for c in cs or ()], n=1)
        elif m := re.search(r"unrecognized arguments: (\S+)", message):
            options = [o for a in self._actions for o in a.option_strings]
            words = difflib.get_close_matches(m.group(1).split("=")[0], options, n=1)
        if words:
            message += f" (did you mean {words[0]}?)"
        super().error(message)


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
    p = _Parser(
        prog="jixiao",
        description="Budget performance-target forms (绩效目标表) from PDF to a Parquet dataset.",
        epilog=MAIN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in _commands().values():
        cmd = module.add_parser(sub)  # type: ignore[attr-defined]
        cmd.set_defaults(_run=module.run, _parser=cmd)  # type: ignore[attr-defined]
    return p


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """Options the subcommand does not know are told first, with its own usage
    (before "the following arguments are required", which a typo causes)."""
    argv = sys.argv[1:] if argv is None else argv
    p = parser()
    subs = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction)).choices
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in subs:
        sub = subs[command]
        known = {o for a in sub._actions for o in a.option_strings}
        unknown = [a for a in argv if a.startswith("--") and a.split("=")[0] not in known]
        if unknown:
            sub.error(f"unrecognized arguments: {' '.join(unknown)}")
    args, extra = p.parse_known_args(argv)
    if extra:
        args._parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.command == "extract" and getattr(args, "executor", "local") == "local":
        arrow_without_pandas()  # a Dask cluster may pass pandas objects: left alone
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
