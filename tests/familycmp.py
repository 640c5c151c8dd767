"""Compare what jixiao read with a hand-checked expected file, field by field.

Expected files (tests/fixtures/expected/<pdf-stem>.json) use the gold format of
shared/gold/README.md for the forms they list, plus per indicator ``weight``
and ``horizon`` and per project ``seq`` (its order among all forms the
document holds), ``layout``, ``year`` and ``pages`` ([first, last]). They need
not list every form: ``document.forms`` is the count of all of them, and
``document.skipped`` the tables normalize must report as left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldcmp import FUNDS
from goldcmp import PROJECT_FIELDS as GOLD_PROJECT_FIELDS
from goldcmp import project_view as gold_view

from jixiao.normalize.records import DocumentResult, Project

EXPECTED = Path(__file__).parent / "fixtures" / "expected"

PROJECT_FIELDS = ("layout", "form_kind", "year", "pages", *GOLD_PROJECT_FIELDS)
INDICATOR_FIELDS = (
    "level1",
    "level2",
    "level3",
    "value_raw",
    "operator",
    "value",
    "unit",
    "label",
    "weight",
    "horizon",
)


def load_expected(stem: str) -> dict[str, Any]:
    return json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8"))


def project_view(p: Project) -> dict[str, Any]:
    """A Project in the expected file's shape: the gold shape plus the fields
    other families have (layout, pages, weight, horizon)."""
    view = gold_view(p)
    view.update(seq=p.seq, layout=p.layout, form_kind=p.form_kind, year=p.year, pages=[p.first_page, p.last_page])
    for row, i in zip(view["indicators"], p.indicators):
        row.update(weight=i.weight, horizon=i.horizon)
    return view


@dataclass
class Result:
    misses: list[str] = field(default_factory=list)
    checked: int = 0  # fields compared

    @property
    def exact(self) -> bool:
        return not self.misses

    def report(self) -> str:
        lines = [f"{self.checked} fields compared, {len(self.misses)} wrong"]
        lines += self.misses[:200]
        return "\n".join(lines)


def compare(result: DocumentResult, expected: dict[str, Any]) -> Result:
    out = Result()
    doc = expected["document"]

    def check(tag: str, seq: int, name: str, got: Any, want: Any) -> None:
        out.checked += 1
        if got == want:
            return
        out.misses.append(f"{tag} {name}: got {got!r}, expected {want!r}")

    if len(result.projects) != doc["forms"]:
        out.misses.append(f"{len(result.projects)} forms found, expected {doc['forms']}")
    # Blank templates are listed as skipped (contract v2); the files count forms only.
    skipped = [s for s in result.skipped if "blank template" not in s]
    if skipped != doc.get("skipped", []):
        out.misses.append(f"skipped {skipped!r}, expected {doc.get('skipped', [])!r}")
    if "year" in doc and result.year != doc["year"]:
        out.misses.append(f"document year {result.year}, expected {doc['year']}")
    by_seq = {p.seq: p for p in result.projects}
    for want in expected["projects"]:
        seq = want["seq"]
        tag = f"form {seq} ({want['project_name']})"
        if seq not in by_seq:
            out.misses.append(f"{tag}: not found")
            continue
        got = project_view(by_seq[seq])
        for f in PROJECT_FIELDS:
            if f in want:  # hand-checked files need not name the layout
                check(tag, seq, f, got[f], want[f])
        for f in FUNDS:
            check(tag, seq, f"funds.{f}", got["funds"][f], want["funds"][f])
        gi, wi = got["indicators"], want["indicators"]
        if len(gi) != len(wi):
            out.misses.append(f"{tag}: {len(gi)} indicator rows, expected {len(wi)}")
        for n, (g, w) in enumerate(zip(gi, wi), start=1):
            for f in INDICATOR_FIELDS:
                check(f"{tag} row {n}", seq, f"indicators[{n}].{f}", g[f], w[f])
    return out
