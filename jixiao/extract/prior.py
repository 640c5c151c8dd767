"""A character language prior for the recogniser: counts of characters and
of neighbouring pairs, from text of the kind the pages hold.

At low resolution (a fax) the recogniser's first choice for a character is
often a look-alike (没 for 设, 欢 for 效), the printed one close behind. Its
few best candidates per character are weighed against their neighbours:
a path through them (Viterbi, over the characters the CTC decoding found:
none added or removed) maximising visual log-probability plus WEIGHT times
the pairs' log-probability. Extract knows nothing of what the text is: the
counts are data, given through ``OcrSettings.prior`` by whoever knows what
the documents say.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

WEIGHT = 0.6  # language against vision, per character pair
MIX = 0.2  # share of P(b) in P(b | a): a pair never seen costs this much, no more


@dataclass(frozen=True)
class CharPrior:
    """Character and pair counts (plain dicts: the object is pickled to a
    process pool's workers)."""

    chars: dict[str, int]
    pairs: dict[str, int]
    weight: float = WEIGHT
    mix: float = MIX
    total: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", sum(self.chars.values()))

    @classmethod
    def load(cls, path: str | Path, weight: float = WEIGHT, mix: float = MIX) -> CharPrior:
        """A counts file: ``x<TAB>n`` a line (one character or a pair), "# " comments."""
        chars: dict[str, int] = {}
        pairs: dict[str, int] = {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("# "):
                continue
            key, _, n = line.partition("\t")
            (chars if len(key) == 1 else pairs)[key] = int(n)
        return cls(chars, pairs, weight, mix)

    def with_pairs(self, extra: dict[str, int], times: float) -> CharPrior:
        """These counts with more pairs, each counted ``times`` (a page's own
        sure text; its first characters counted along, so P(b | a) stays a
        share)."""
        pairs, chars = dict(self.pairs), dict(self.chars)
        for ab, n in extra.items():
            pairs[ab] = pairs.get(ab, 0) + round(n * times)
            chars[ab[0]] = chars.get(ab[0], 0) + round(n * times)
        return CharPrior(chars, pairs, self.weight, self.mix)

    def unigram(self, b: str) -> float:
        """log P(b), add-one over the known characters."""
        return math.log((self.chars.get(b, 0) + 1) / (self.total + len(self.chars) + 1))

    def bigram(self, a: str, b: str) -> float:
        """log P(b | a), interpolated with P(b); after a character never seen
        (or a line's start, a space), P(b)."""
        ca = self.chars.get(a, 0)
        pb = math.exp(self.unigram(b))
        if not ca:
            return math.log(pb)
        return math.log((1 - self.mix) * self.pairs.get(a + b, 0) / ca + self.mix * pb)

    def best_path(self, candidates: Sequence[Sequence[tuple[str, float]]]) -> list[int]:
        """For each character of a line, the index of the chosen candidate
        ((character, visual probability), the first choice first); a
        position with one candidate is fixed, but is context all the same."""
        if all(len(c) == 1 for c in candidates):
            return [0] * len(candidates)
        return self._viterbi(candidates, "")

    def _viterbi(self, run: Sequence[Sequence[tuple[str, float]]], before: str) -> list[int]:
        w = self.weight
        score = [math.log(max(p, 1e-6)) + w * self.bigram(before, c) for c, p in run[0]]
        back: list[list[int]] = []
        for pos in range(1, len(run)):
            prev = run[pos - 1]
            new, ptr = [], []
            for c, p in run[pos]:
                best, arg = -math.inf, 0
                for j, (a, _) in enumerate(prev):
                    s = score[j] + w * self.bigram(a, c)
                    if s > best:
                        best, arg = s, j
                new.append(best + math.log(max(p, 1e-6)))
                ptr.append(arg)
            score = new
            back.append(ptr)
        j = max(range(len(score)), key=score.__getitem__)
        path = [j]
        for ptr in reversed(back):
            j = ptr[j]
            path.append(j)
        return path[::-1]


class PriorFile:
    """A ``CharPrior`` counts file, read at its first use: a run that OCRs
    nothing (every born-digital one) never pays for reading it. Pickled as
    its path (a pool's worker reads it the first time it OCRs)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._prior: CharPrior | None = None

    def counts(self) -> CharPrior:
        if self._prior is None:
            self._prior = CharPrior.load(self.path)
        return self._prior

    def best_path(self, candidates: Sequence[Sequence[tuple[str, float]]]) -> list[int]:
        return self.counts().best_path(candidates)

    def __getstate__(self) -> dict[str, str]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.path, self._prior = state["path"], None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PriorFile) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)
