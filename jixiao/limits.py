"""Resource limits for reading one file: a settings object with sane defaults.

A hostile or broken PDF must cost bounded time and memory: a page on a
14400 pt MediaBox would render at 30000 x 30000 px, a small Flate bomb
inflates to gigabytes, a crafted file can keep a reader busy for minutes.
Each limit can be switched off with None.

- ``page_pixels``: the largest page image rendered for OCR (checked from the
  page's size before rendering; a larger page fails alone, the file is
  ``partial``).
- ``image_bytes``: the decompressed size of a page's images, from their
  declared width, height and depth, checked before a page is rendered (a
  1 MB Flate bomb declares a 32768 x 32768 image: 1 GB once inflated).
- ``stream_bytes``: the decompressed size of each content stream, form
  XObject and font program a page uses, measured in 1 MB steps before any
  reader inflates it (``extract.inflate``; a 1 MB content stream can hold
  1 GB): a larger one fails its page ``too large``.
- ``memory_bytes``: the memory reading one file may take. Under ``-j 1``
  (and one file) and in dask tasks the file is read in a child forked for
  it, whose resident memory its parent watches (growth over the parent's;
  the child is ended, the file ``too large``); in ``-j N`` pool workers a
  soft RLIMIT_DATA while the file is read (an allocation past it fails with
  ``too large`` instead of waking the OOM killer). See ``pipelines.guard``.
- ``seconds``: wall time per file; then ``timeout``. Checked by a timer in the
  reading thread; a reader stuck inside a C library is ended ``kill_after``
  seconds later, by the worker's watchdog (``-j N``: the batch goes on in a
  fresh worker) or by the parent of the forked child (``-j 1``, dask).
"""

from __future__ import annotations

from dataclasses import dataclass

OUT_OF_MEMORY = "more memory than the limit"  # in the reason of a file or page that ran out
MIB = 1 << 20
GIB = 1 << 30


@dataclass(frozen=True)
class Limits:
    page_pixels: int | None = 60_000_000  # an A0 page at 200 dpi is 62 M px; A4 at 300 dpi 8.7 M
    image_bytes: int | None = 512 * MIB  # an A4 colour scan at 600 dpi is 104 MB
    stream_bytes: int | None = 256 * MIB  # real content streams and CJK font programs are < 30 MB
    memory_bytes: int | None = 2 * GIB  # a scanned page peaks at ~0.4 GB, a text page at ~0.2 GB
    seconds: float | None = 600.0
    # Past ``seconds``, this long more before a worker stuck in C code is ended.
    kill_after: float = 10.0

    def __post_init__(self) -> None:
        for name in ("page_pixels", "image_bytes", "stream_bytes", "memory_bytes", "seconds", "kill_after"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"Limits.{name} must be positive or None, not {value!r}")

    @classmethod
    def none(cls) -> Limits:
        return cls(page_pixels=None, image_bytes=None, stream_bytes=None, memory_bytes=None, seconds=None)
