"""Errors a user can act on, with the exit codes the CLI returns.

Library exceptions are translated into these at one boundary per engine
(``raise ... from e``), so that messages are ours and the cause is kept.
Each error carries its exit code; ``str(e)`` is one line that names the file
(or folder) and says what to do.
"""

from __future__ import annotations

import os
import re
from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0  # every file read (files without forms count as read)
    some_failed = 1  # at least one input could not be read (or only in part); the others are written
    usage = 2  # bad arguments, missing paths, a missing optional extra
    cannot_write = 3  # the dataset could not be written (full disk, permissions, another run, damaged manifest)
    interrupted = 130  # Ctrl-C: files finished so far are kept; re-run to go on
    terminated = 143  # SIGTERM: the same


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` as one safe line: bytes of a file name that are not UTF-8
    (carried as surrogate escapes, PEP 383) become ``\\xNN``, and newlines,
    escape codes and other control characters become ``\\n``, ``\\x1b``, ...
    Used for every name that reaches the terminal or a text column; the raw
    bytes are kept where losslessness matters (``manifest.source_path_bytes``)."""
    try:
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class JixiaoError(Exception):
    """Base class: ``str(e)`` is one line that tells the user what is wrong."""

    status = "error"
    exit_code = ExitCode.some_failed


class UsageError(JixiaoError):
    """The command line asks for something jixiao cannot do as asked."""

    exit_code = ExitCode.usage


class MissingExtra(UsageError):
    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(f"{feature} needs an optional extra: pip install -e '.[{extra}]' (in the jixiao checkout)")


class NoDataset(UsageError):
    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: no jixiao dataset here (no manifest.parquet); run `jixiao extract ... --out {path}`")


class OutputError(JixiaoError):
    """The dataset folder cannot be written (disk full, permissions, another run)."""

    exit_code = ExitCode.cannot_write


class OutputBusy(OutputError):
    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: another jixiao run is writing this dataset; wait for it to finish or use another --out")


class CannotWrite(OutputError):
    def __init__(self, path: str, detail: str, source: str = "", errno: int | None = None) -> None:
        what = f" the rows of {source}" if source else ""
        super().__init__(f"{path}: cannot write{what} ({detail}); check free space and permissions, then re-run")
        self.path, self.detail, self.errno = path, detail, errno


class DamagedManifest(OutputError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"{path}: the manifest is damaged ({detail}); `jixiao extract ... --out` on this folder rebuilds it "
            "from the data files"
        )


class DamagedDataset(JixiaoError):
    """A data file of the dataset cannot be read (by load, export, review, report)."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"{path}: a data file cannot be read ({detail}); `jixiao check {path}` names it, and "
            "`jixiao extract ... --out` on this folder reads its PDF again"
        )


class InputError(JixiaoError):
    """A source file jixiao cannot read (not a PDF, damaged, ...)."""


class UnreadableFile(InputError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: cannot read the file ({detail})")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C so that the same clean-up runs."""


class NotRegularFile(InputError):
    """A FIFO, a device, a socket or a folder given as a PDF: never opened
    (reading /dev/zero or a FIFO would never end)."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"{path}: not a regular file ({kind}); skipped")


class TooLarge(InputError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: too large ({detail}); raise the limit (--max-*) to read it")


class FileTimeout(InputError):
    def __init__(self, path: str, seconds: float) -> None:
        super().__init__(f"{path}: timeout (not read within {seconds:g} s); raise --timeout to read it")


class EmptyFile(InputError):
    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: empty file (0 bytes)")


class NotAPdf(InputError):
    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: not a PDF (no %PDF header)")


class DamagedPdf(InputError):
    def __init__(self, path: str, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(f"{path}: damaged or truncated PDF{extra}; re-download or repair it (e.g. qpdf)")
        self.detail = detail


class EncryptedPdf(InputError):
    def __init__(self, path: str, wrong_password: bool = False) -> None:
        if wrong_password:
            msg = f"{path}: encrypted PDF and the password given does not open it"
        else:
            msg = f"{path}: encrypted PDF; pass its password with --password"
        super().__init__(msg)


class WorkerDied(InputError):
    """The process reading a file died (a crash inside a PDF library, or the
    operating system killed it for memory): the file gets the blame only after
    it was read alone and died again."""

    def __init__(self, path: str, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"{path}: the worker reading this file died{extra}; the PDF may crash the PDF library or need more memory"
        )
