"""Resource limits for reading one file: a settings object with sane defaults.

A hostile or broken PDF must cost bounded time and memory: a page on a
14400 pt MediaBox would render at 30000 x 30000 px, a small Flate bomb
inflates to gigabytes, a crafted file can keep a reader busy for minutes.
Each limit can be switched off with None.

- ``page_pixels``: the largest page image rendered for OCR (checked from the
  page's size before rendering; a larger page fails alone, the file is
  ``partial``).
- ``memory_bytes``: the data segment a file may grow its reader to (soft
  RLIMIT_DATA while the file is read; a Flate bomb or a huge image then fails
  with ``too large`` instead of waking the OOM killer).
  It also bounds decompression: streams are inflated in that memory.
- ``seconds``: wall time per file; then ``timeout``. Checked by a timer in the
  reading thread, and in worker processes by a watchdog that ends the worker
  when the file is stuck inside a C library (the file is recorded as
  ``timeout``, the batch goes on in a fresh worker).
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1 << 30


@dataclass(frozen=True)
class Limits:
    page_pixels: int | None = 60_000_000  # an A0 page at 200 dpi is 62 M px; A4 at 300 dpi 8.7 M
    memory_bytes: int | None = 4 * GIB
    seconds: float | None = 600.0

    def __post_init__(self) -> None:
        for name in ("page_pixels", "memory_bytes", "seconds"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"Limits.{name} must be positive or None, not {value!r}")

    @classmethod
    def none(cls) -> Limits:
        return cls(page_pixels=None, memory_bytes=None, seconds=None)
