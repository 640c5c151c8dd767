"""Compare what jixiao read from a PDF with a gold file, field by field."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.normalize.records import DocumentResult, Project

GOLD = Path(__file__).parent / "fixtures" / "gold"

PROJECT_FIELDS = (
    "project_name",
    "project_nature",
    "project_category",
    "department",
    "implementing_unit",
    "start_date",
    "end_date",
    "overall_goal_period",
    "overall_goal",
    "annual_goal",
)
FUNDS = ("total", "total_fiscal", "total_other", "annual_request", "annual_appropriation", "annual_carryover", "annual_other")
INDICATOR_FIELDS = ("level1", "level2", "level3", "value_raw", "operator", "value", "unit", "label")


def load_gold(name: str) -> dict:
    return json.loads((GOLD / name).read_text(encoding="utf-8"))


def project_view(p: Project) -> dict:
    return {
        "project_name": p.project_name,
        "project_nature": p.project_nature,
        "project_category": p.project_category,
        "department": p.department,
        "implementing_unit": p.implementing_unit,
        "start_date": p.start_date.isoformat() if p.start_date else None,
        "end_date": p.end_date.isoformat() if p.end_date else None,
        "overall_goal_period": p.goal_period,
        "overall_goal": p.overall_goal,
        "annual_goal": p.annual_goal,
        "funds": {k: getattr(p.funds, k) for k in FUNDS},
        "indicators": [
            {
                "level1": i.level1,
                "level2": i.level2,
                "level3": i.level3,
                "value_raw": i.value_raw,
                "operator": i.operator,
                "value": i.value,
                "unit": i.value_unit,
                "label": i.label,
            }
            for i in p.indicators
        ],
    }


@dataclass
class Comparison:
    projects_expected: int = 0
    projects_found: int = 0
    misses: list[str] = field(default_factory=list)
    # field -> [right, total] over indicator rows
    indicator_fields: dict[str, list[int]] = field(default_factory=dict)
    header_misses: int = 0
    rows_expected: int = 0
    rows_found: int = 0

    def share(self, name: str) -> float:
        right, total = self.indicator_fields.get(name, [0, 0])
        return right / total if total else 0.0

    def report(self) -> str:
        lines = [f"projects {self.projects_found}/{self.projects_expected}, rows {self.rows_found}/{self.rows_expected}"]
        for name, (right, total) in self.indicator_fields.items():
            lines.append(f"  {name}: {right}/{total}")
        lines += self.misses[:400]
        return "\n".join(lines)


def compare(result: DocumentResult, gold: dict) -> Comparison:
    cmp = Comparison(projects_expected=len(gold["projects"]), projects_found=len(result.projects))
    for gp, p in zip(gold["projects"], result.projects):
        view = project_view(p)
        tag = f"project {gp['seq']}"
        for f in PROJECT_FIELDS:
            if view[f] != gp[f]:
                cmp.header_misses += 1
                cmp.misses.append(f"{tag} {f}: {view[f]!r} != gold {gp[f]!r}")
        for f in FUNDS:
            if view["funds"][f] != gp["funds"][f]:
                cmp.header_misses += 1
                cmp.misses.append(f"{tag} funds.{f}: {view['funds'][f]!r} != gold {gp['funds'][f]!r}")
        gi, ri = gp["indicators"], view["indicators"]
        cmp.rows_expected += len(gi)
        cmp.rows_found += len(ri)
        if len(gi) != len(ri):
            cmp.misses.append(f"{tag}: {len(ri)} indicator rows != gold {len(gi)}")
        for n, (g, r) in enumerate(zip(gi, ri), start=1):
            for f in INDICATOR_FIELDS:
                slot = cmp.indicator_fields.setdefault(f, [0, 0])
                slot[1] += 1
                if r[f] == g[f]:
                    slot[0] += 1
                else:
                    cmp.misses.append(f"{tag} row {n} {f}: {r[f]!r} != gold {g[f]!r}")
    for gp in gold["projects"][len(result.projects):]:
        cmp.rows_expected += len(gp["indicators"])
        cmp.misses.append(f"project {gp['seq']} {gp['project_name']} not found")
    return cmp


def exact(cmp: Comparison) -> bool:
    return not cmp.misses and cmp.projects_found == cmp.projects_expected
