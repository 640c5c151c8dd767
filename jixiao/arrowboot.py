"""pyarrow without pandas where nothing asks for pandas (start-up, issue 13)."""

from __future__ import annotations

import sys


class _NoPandas:
    """An import finder that says pandas is not installed."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def arrow_without_pandas() -> None:
    """Keep pyarrow from importing pandas (0.13 CPU-s, a third of a one-file
    run's start-up) where nothing uses it. pyarrow's first array from a
    Python list asks whether pandas is installed, to tell pandas objects
    apart, and imports it to find out (in Python, and in C++ for pandas'
    null values when it infers a type); told "no" here, it takes lists as
    lists. Nothing is lost: where pandas is wanted later (``to_pandas``),
    pyarrow imports it then. Without effect once pandas is loaded."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])  # untyped: the type inference asks too (in C++, once)
    finally:
        sys.meta_path.remove(finder)
