"""Settings objects for the extract engines, free of the engines' heavy
imports (OpenCV, onnxruntime), so that an executor can build them cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .prior import CharPrior, PriorFile


@dataclass(frozen=True)
class OcrSettings:
    """The process's OCR settings: its recogniser is one per process, so the
    executor that starts a worker gives them (``ocr.configure``) before any page."""

    threads: int | None = None  # recogniser threads; None: every core this process may run on
    # Character counts the recogniser weighs doubtful characters with (see
    # ``prior``); None: the model's own reading only.
    prior: CharPrior | PriorFile | None = None


_process = OcrSettings()


def configure(settings: OcrSettings) -> None:
    """This process's OCR settings (an executor's worker: its share of the
    cores; the language prior). Here, not in ``ocr``: the parent of forked
    children sets them without importing the engine."""
    global _process
    _process = settings


def current() -> OcrSettings:
    return _process
