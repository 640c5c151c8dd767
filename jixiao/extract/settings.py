"""Settings objects for the extract engines, free of the engines' heavy
imports (OpenCV, onnxruntime), so that an executor can build them cheaply."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OcrSettings:
    """The process's OCR settings: its recogniser is one per process, so the
    executor that starts a worker gives them (``ocr.configure``) before any page."""

    threads: int | None = None  # recogniser threads; None: every core this process may run on
