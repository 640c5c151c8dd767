"""The C library's heap, where it is glibc (elsewhere these do nothing).

Two of jixiao's stages free much memory to malloc and need glibc to give it
back: the recogniser's activations (a fixed mmap threshold) and the writer's
spilled rows (a trim after a spill). One place finds the functions.
"""

from __future__ import annotations

import ctypes
from functools import cache
from typing import Any

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


@cache
def _libc_function(name: str) -> Any:
    """The process's own C library function ``name``, or None."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


def set_mmap_threshold(size: int) -> None:
    """Blocks of ``size`` bytes or more come from (and go back to) the system at once."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, size)


def trim() -> None:
    """Hand the heap's free pages back to the system."""
    malloc_trim = _libc_function("malloc_trim")
    if malloc_trim is not None:
        malloc_trim(0)
