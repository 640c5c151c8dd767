"""Help for text that came from OCR: snapping labels to a closed vocabulary,
and telling which cells deserve a warning.

extract stays form-agnostic, so this lives in normalize: the caller knows which
vocabulary a cell's text should come from (level-1 names, level-2 names,
header labels) and calls ``correct`` only for cells whose ``confidence`` is not
None (text read by OCR).

A label is changed only when the match is unambiguous: a small edit distance
(1; 2 for long labels) to exactly one vocabulary entry, every other entry
clearly further away, and the label long enough that one edit is not a large
share of it. Everything is compared after ``vocab.key`` (spaces, colons and
brackets do not count).
"""

from __future__ import annotations

from collections.abc import Sequence

from .vocab import key

DOUBTFUL_BELOW = 0.9  # mean character probability of the worst line in a cell
MIN_LENGTH = 3  # shorter labels are never changed: one edit would be a third of them
LONG_LABEL = 8  # from this length on, two edits may be corrected


def looks_doubtful(confidence: float | None) -> bool:
    """Should a value read with this OCR confidence carry a warning?

    ``None`` means the text came from the PDF's text layer: never doubtful.
    """
    return confidence is not None and confidence < DOUBTFUL_BELOW


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance (insert, delete, substitute); stops early once every
    path exceeds ``limit`` and then returns ``limit + 1``."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def correct(text: str, vocabulary: Sequence[str]) -> tuple[str, str | None]:
    """``text`` snapped to the one vocabulary entry it unambiguously misspells.

    Returns (text, None) when nothing changed (already in the vocabulary, or no
    unambiguous match), else (entry, warning).
    """
    k = key(text)
    if not k or not vocabulary:
        return text, None
    keys = [(key(v), v) for v in vocabulary]
    if any(k == vk for vk, _ in keys):
        return text, None
    if len(k) < MIN_LENGTH:
        return text, None
    allowed = 2 if len(k) >= LONG_LABEL else 1
    scored = sorted((edit_distance(k, vk, allowed + 1), v) for vk, v in keys if vk)
    best, entry = scored[0]
    if best > allowed or len(key(entry)) < MIN_LENGTH:
        return text, None
    # Unambiguous: the runner-up must be at least two edits further away.
    if len(scored) > 1 and scored[1][0] < best + 2:
        return text, None
    return entry, f"OCR text {text!r} read as {entry!r} ({best} character{'s' if best > 1 else ''} differ)"
