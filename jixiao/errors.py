"""Errors a user can act on, with the exit codes the CLI returns.

Library exceptions are translated into these at one boundary per engine
(``raise ... from e``), so that messages are ours and the cause is kept.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    some_failed = 1
    usage = 2


class JixiaoError(Exception):
    """Base class: ``str(e)`` is one line that tells the user what is wrong."""

    status = "error"


class InputError(JixiaoError):
    """A source file jixiao cannot read (not a PDF, damaged, ...)."""


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


class EncryptedPdf(InputError):
    def __init__(self, path: str, wrong_password: bool = False) -> None:
        if wrong_password:
            msg = f"{path}: encrypted PDF and the password given does not open it"
        else:
            msg = f"{path}: encrypted PDF; pass its password with --password"
        super().__init__(msg)
