"""jixiao review: are the targets well set? The rules (rules.py) run over
every form of a dataset; the findings are one row per form and finding, and a
summary counts them per department and year.

    from jixiao.review import review
    r = review(jixiao.read_tables("data/parquet"))
    r.findings.to_pandas()
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from ..api import Tables
from .rules import BY_CODE, RULES, Context, Form, Rule, Settings

__all__ = ["FINDINGS", "RULES", "Review", "Settings", "review", "rules_table"]

FINDINGS = pa.schema(
    [
        ("year", pa.int32()),
        ("department", pa.string()),
        ("implementing_unit", pa.string()),
        ("project_name", pa.string()),
        ("form_kind", pa.string()),
        ("rule", pa.string()),
        ("title", pa.string()),
        ("finding", pa.string()),
        ("source_file", pa.string()),
        ("form_seq", pa.int32()),
        ("first_page", pa.int32()),
        ("last_page", pa.int32()),
        ("project_id", pa.string()),
    ]
)
RULES_SCHEMA = pa.schema(
    [("rule", pa.string()), ("title", pa.string()), ("explanation", pa.string()), ("source", pa.string()),
     ("applies_to", pa.string())]
)  # fmt: skip
SUMMARY = pa.schema(
    [("year", pa.int32()), ("department", pa.string()), ("forms", pa.int32()), ("forms_with_findings", pa.int32()),
     ("findings", pa.int32())] + [(r.code, pa.int32()) for r in RULES]
)  # fmt: skip


@dataclass(frozen=True)
class Review:
    findings: pa.Table  # FINDINGS: one row per form and finding
    summary: pa.Table  # SUMMARY: per year and department, forms and findings per rule
    forms: int

    def for_project(self, project_id: str) -> list[dict]:
        return [f for f in self.findings.to_pylist() if f["project_id"] == project_id]


def forms_of(tables: Tables) -> list[Form]:
    """Each project with the targets the review reads: its annual rows, or its
    period rows where the form prints no annual ones."""
    rows: dict[str, list[dict]] = defaultdict(list)
    for r in tables.indicators.to_pylist():
        rows[r["project_id"]].append(r)
    forms = []
    for p in tables.projects.to_pylist():
        mine = sorted(rows.get(p["project_id"], []), key=lambda r: r["seq"])
        annual = [r for r in mine if r["horizon"] == "annual"]
        forms.append(Form(p, tuple(annual or mine)))
    forms.sort(key=lambda f: (f.project["year"], f.project["department"], f.project["source_file"],
                              f.project["form_seq"] or 0))  # fmt: skip
    return forms


def review(tables: Tables, settings: Settings | None = None, rules: tuple[Rule, ...] = RULES) -> Review:
    ctx = Context(forms_of(tables), settings or Settings())
    found: list[dict] = []
    for form in ctx.forms:
        p = form.project
        for rule in rules:
            if p["form_kind"] not in rule.kinds:
                continue
            for finding in rule.check(form, ctx):
                found.append({
                    **{k: p.get(k) for k in FINDINGS.names if k in p},
                    "rule": rule.code, "title": rule.title, "finding": finding,
                })  # fmt: skip
    findings = pa.Table.from_pylist(found, schema=FINDINGS)
    return Review(findings, summarize(ctx.forms, found), len(ctx.forms))


def summarize(forms: Sequence[Form], found: list[dict]) -> pa.Table:
    per_dept: dict[tuple, Counter] = defaultdict(Counter)
    with_findings: dict[tuple, set] = defaultdict(set)
    for f in forms:
        per_dept[(f.project["year"], f.project["department"])]["forms"] += 1
    for x in found:
        key = (x["year"], x["department"])
        per_dept[key]["findings"] += 1
        per_dept[key][x["rule"]] += 1
        with_findings[key].add(x["project_id"])
    rows = []
    for (year, dept), c in sorted(per_dept.items()):
        rows.append({"year": year, "department": dept, "forms": c["forms"],
                     "forms_with_findings": len(with_findings[(year, dept)]), "findings": c["findings"],
                     **{r.code: c[r.code] for r in RULES}})  # fmt: skip
    return pa.Table.from_pylist(rows, schema=SUMMARY)


def rules_table(rules: tuple[Rule, ...] = RULES) -> pa.Table:
    return pa.Table.from_pylist(
        [{"rule": r.code, "title": r.title, "explanation": r.explanation, "source": r.source,
          "applies_to": ", ".join(r.kinds)} for r in rules],
        schema=RULES_SCHEMA,
    )  # fmt: skip


def rule(code: str) -> Rule:
    return BY_CODE[code]
