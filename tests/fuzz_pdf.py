"""Seeded byte mutations of a PDF, and what an honest result of one is.

Shared by the suite (tests/test_fuzz.py, a few dozen mutants) and
``make bench`` (bench/bench_hostile.py, hundreds)."""

from __future__ import annotations

import random
from pathlib import Path


def mutate(data: bytes, rng: random.Random) -> bytes:
    """1-8 random bytes replaced; now and then a chunk cut out or repeated."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    roll = rng.random()
    if roll < 0.1:
        start = rng.randrange(len(b))
        del b[start : start + rng.randint(1, 2000)]
    elif roll < 0.2:
        start = rng.randrange(len(b))
        chunk = b[start : start + rng.randint(1, 2000)]
        b[start:start] = chunk
    return bytes(b)


def make_mutants(src: Path, folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    data = src.read_bytes()
    paths = []
    for i in range(count):
        p = folder / f"mutant-{seed}-{i:03d}.pdf"
        p.write_bytes(mutate(data, rng))
        paths.append(p)
    return paths


def dishonest(status: str, error: str, path: str, forms: int, rows: int, decisions: tuple[str, ...], traceback: str,
              full: tuple[int, int]) -> str | None:
    """Why this result of a mutant is not acceptable, or None: every mutant is
    ``ok`` with all its rows, ``partial``/``error`` with the reason, or
    ``no_forms`` only when every page decoded to text without a form."""
    if traceback or "a bug in jixiao" in error:
        return "a failure inside jixiao"
    if status == "ok":
        return None if (forms, rows) == full else f"short ok: {forms} forms, {rows} rows"
    if status in ("partial", "error"):
        return None if error.startswith(f"{path}: ") and len(error) > len(path) + 10 else "no reason"
    if status == "no_forms":
        if all(d.endswith((":sound:skipped", ":sound:text")) for d in decisions):
            return None
        return f"no_forms on pages that did not decode: {decisions}"
    return f"unknown status {status}"
