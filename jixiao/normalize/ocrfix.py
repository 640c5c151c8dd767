"""Domain corrections for OCR'd text, only where unambiguous."""

from __future__ import annotations

from collections.abc import Sequence

LOW_CONFIDENCE = 0.80


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def correct(text: str, vocabulary: Sequence[str]) -> tuple[str, str | None]:
    """Snap ``text`` to the one vocabulary word within edit distance 1."""
    if not text or text in vocabulary:
        return text, None
    close = [w for w in vocabulary if _distance(text, w) <= 1]
    if len(close) == 1:
        return close[0], f"OCR '{text}' read as '{close[0]}'"
    return text, None


def looks_doubtful(confidence: float | None) -> bool:
    return confidence is not None and confidence < LOW_CONFIDENCE
