"""The target-quality review (项目支出绩效目标审核) as data: each rule has a
code, a plain explanation, where it comes from, and a check that returns the
findings of one form (empty: the rule is silent).

A check sees one form (its project row and its indicator rows, annual
targets first) and the review's context (every form of the dataset, for the
rules that compare forms). The thresholds are settings, not constants.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from . import vocab

GUIDE_2021 = "财政部《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》(财预〔2021〕101号)"
GUIDE_2020 = "财政部《项目支出绩效评价管理办法》(财预〔2020〕10号): 产出、效益、满意度 indicator frame"
PRACTICE = "common review practice (项目支出绩效目标审核); the threshold is a setting of jixiao review"
FUNDS = "the form's own funds block: the parts printed under a total add up to it"


@dataclass(frozen=True)
class Settings:
    satisfaction_floor: float = 80.0  # %: a satisfaction target below this is unusually low
    completion_floor: float = 90.0  # %: a completion / pass-rate target below this is unusually low
    cost_from_year: int = 2022  # first budget year whose forms should carry 成本指标 (the 2021 guide)
    weight_totals: tuple[float, ...] = (100.0, 90.0)  # 90: 10 points kept for 预算执行率
    copied_min_projects: int = 3  # projects sharing one indicator set before it counts as copied
    copied_min_indicators: int = 3  # smaller sets are too common to mean copying


@dataclass(frozen=True)
class Form:
    project: dict
    rows: tuple[dict, ...]  # the targets reviewed: annual rows (or the period rows of a form without annual ones)

    @property
    def key(self) -> tuple:
        """Who the project is, across years and copies of a document."""
        p = self.project
        return (p["department"], p.get("implementing_unit"), p.get("project_name"))

    @cached_property
    def targets(self) -> tuple:
        """The targets as printed, order-free: for comparing forms."""
        return tuple(sorted((r["level1"] or "", r["level2"] or "", r["level3"] or "", r["value_raw"] or "")
                            for r in self.rows))  # fmt: skip

    @property
    def has_levels(self) -> bool:
        return any(r.get("level1_std") for r in self.rows)


@dataclass
class Context:
    forms: Sequence[Form]
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def by_targets(self) -> dict[tuple, list[Form]]:
        by: dict[tuple, list[Form]] = defaultdict(list)
        for f in self.forms:
            if f.project["form_kind"] == "project" and len(f.rows) >= self.settings.copied_min_indicators:
                by[(f.project["year"], f.targets)].append(f)
        return by

    @cached_property
    def by_key(self) -> dict[tuple, list[Form]]:
        by: dict[tuple, list[Form]] = defaultdict(list)
        for f in self.forms:
            by[(f.project["year"], *f.key)].append(f)
        return by


Check = Callable[[Form, Context], list[str]]


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    explanation: str
    source: str
    check: Check
    kinds: tuple[str, ...] = ("project", "department")  # form_kind values it applies to


# -- checks -----------------------------------------------------------------------------------------------------------


def _printed_level1(form: Form) -> str:
    names = sorted({r["level1"] for r in form.rows if r["level1"]})
    return "、".join(names) or "none"


def _missing_level1(level: str) -> Check:
    def check(form: Form, ctx: Context) -> list[str]:
        if not form.rows or not form.has_levels or any(r.get("level1_std") == level for r in form.rows):
            return []
        return [f"no {level} among {len(form.rows)} indicators (一级指标 printed: {_printed_level1(form)})"]

    return check


def no_cost(form: Form, ctx: Context) -> list[str]:
    year = form.project["year"] or 0
    if year < ctx.settings.cost_from_year or not form.rows or not form.has_levels:
        return []
    if any(r.get("level1_std") == vocab.COST or r.get("level2_std") in vocab.COST_LEVEL2 for r in form.rows):
        return []
    return [f"budget year {year} and no 成本指标 among {len(form.rows)} indicators"]


def not_applicable(r: dict) -> bool:
    """A row that says its category does not apply (value 无 / 不适用), not a target."""
    return _plain(r["value_raw"]) in vocab.NOT_APPLICABLE or _plain(r["level3"]) in vocab.NOT_APPLICABLE


def only_qualitative(form: Form, ctx: Context) -> list[str]:
    kinds = [r["value_kind"] for r in form.rows if r["value_kind"] != "empty" and not not_applicable(r)]
    if not kinds or "numeric" in kinds:
        return []
    return [f"all {len(kinds)} targets are qualitative (no number to check the result against)"]


def _plain(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch not in vocab.PUNCTUATION)


def restated(form: Form, ctx: Context) -> list[str]:
    found = []
    for r in form.rows:
        if r["value_kind"] != "qualitative" or not_applicable(r):
            continue
        value, name = _plain(r["label"] or r["value_raw"]), _plain(r["level3"])
        if not value:
            continue
        names_measure = value.endswith(vocab.MEASURE_SUFFIXES) and (value in name or value in vocab.MEASURE_NOUNS)
        # a bare measure word (完善率, 满意度) with no level in it
        bare = value.endswith(vocab.BARE_MEASURE_SUFFIXES) and len(value) <= vocab.BARE_MEASURE_MAX and \
            not any(ch.isdigit() for ch in value)
        if value == name or names_measure or bare:
            found.append(f"indicator {r['seq']} '{r['level3']}': target '{r['value_raw']}' restates the indicator")
    return found


def weights_total(form: Form, ctx: Context) -> list[str]:
    weights = [r["weight"] for r in form.rows if r["weight"] is not None]
    if not weights:
        return []
    total = sum(weights)
    printed = form.project.get("weight_total")
    # The total the form prints (分值（90）) when it prints one, else the common ones.
    expected = (printed,) if isinstance(printed, float) and not math.isnan(printed) else ctx.settings.weight_totals
    out = []
    if not any(abs(total - t) < 0.01 for t in expected):
        shown = " or ".join(f"{t:g}" for t in expected)
        out.append(f"weights add up to {total:g}, not {shown}")
    missing = [r for r in form.rows if r["weight"] is None and not not_applicable(r)]
    if missing:
        out.append(f"{len(missing)} of {len(form.rows)} indicators have no weight")
    return out


def _rate(r: dict) -> float | None:
    """The lower bound a numeric rate target sets, in %."""
    if r["value_kind"] != "numeric" or r["value"] is None or r["operator"] in ("<=", "<"):
        return None
    if r["value_unit"] not in (None, *vocab.PERCENT_UNITS):
        return None
    if r["value_unit"] is None and 0 < r["value"] <= 1:
        return 100.0 * r["value"]  # a rate printed as a fraction: 1 = 100 %
    return float(r["value"])


def _below_floor(words: tuple[str, ...], floor: Callable[[Settings], float], what: str) -> Check:
    def check(form: Form, ctx: Context) -> list[str]:
        limit = floor(ctx.settings)
        out = []
        for r in form.rows:
            v = _rate(r)
            if v is not None and any(w in (r["level3"] or "") for w in words) and v < limit:
                out.append(f"indicator {r['seq']} '{r['level3']}': {what} target '{r['value_raw']}' below {limit:g}%")
        return out

    return check


def copied_set(form: Form, ctx: Context) -> list[str]:
    same = ctx.by_targets.get((form.project["year"], form.targets), [])
    others = sorted({f.key for f in same} - {form.key}, key=lambda k: [str(x) for x in k])
    if len(others) + 1 < ctx.settings.copied_min_projects:
        return []
    names = "、".join(f"'{k[2]}'" for k in others[:3]) + (" …" if len(others) > 3 else "")
    return [f"the same {len(form.rows)} indicators and values as {len(others)} other projects ({names})"]


def _sum_differs(total: float | None, parts: list[float | None]) -> float | None:
    if total is None or all(p is None for p in parts):
        return None
    s = sum(p or 0.0 for p in parts)
    return s if abs(total - s) > max(1.0, abs(total) * 1e-9) else None


def funds_sum(form: Form, ctx: Context) -> list[str]:
    p = form.project
    out = []
    blocks = (
        ("项目资金总额", "funds_total", "财政资金 + 其他资金", ("funds_total_fiscal", "funds_total_other")),
        ("年度资金申请总额", "funds_annual_request", "当年财政拨款 + 上年结转资金 + 其他资金",
         ("funds_annual_appropriation", "funds_annual_carryover", "funds_annual_other")),
    )  # fmt: skip
    for label, total, parts_label, parts in blocks:
        s = _sum_differs(p[total], [p[n] for n in parts])
        if s is not None:
            out.append(f"{label} {p[total]:,.2f} 元 ≠ {parts_label} = {s:,.2f} 元")
    return out


def same_as_last_year(form: Form, ctx: Context) -> list[str]:
    year = form.project["year"]
    if not year or not form.rows:
        return []
    before = [f for f in ctx.by_key.get((year - 1, *form.key), []) if f.targets == form.targets]
    if not before:
        return []
    return [f"the same {len(form.rows)} indicators and values as the {year - 1} form ({before[0].project['source_file']})"]


def empty_targets(form: Form, ctx: Context) -> list[str]:
    empty = [r for r in form.rows if r["value_kind"] == "empty"]
    if not empty:
        return []
    names = "、".join(f"'{r['level3']}'" for r in empty[:3]) + (" …" if len(empty) > 3 else "")
    return [f"{len(empty)} of {len(form.rows)} indicators have no target value ({names})"]


RULES: tuple[Rule, ...] = (
    Rule("no-output", "no 产出指标",
         "The targets say nothing about what the money produces (quantity, quality, time).",
         GUIDE_2020, _missing_level1(vocab.OUTPUT)),
    Rule("no-benefit", "no 效益指标",
         "The targets say nothing about the effect of the outputs (social, economic, ecological, lasting).",
         GUIDE_2020, _missing_level1(vocab.BENEFIT)),
    Rule("no-satisfaction", "no 满意度指标",
         "No target for the satisfaction of the people the project serves.",
         GUIDE_2020, _missing_level1(vocab.SATISFACTION), kinds=("project",)),
    Rule("no-cost", "no 成本指标",
         "Budget years from the 2021 guide on carry 成本指标 (economic, social, ecological cost); this form has none.",
         GUIDE_2021, no_cost, kinds=("project",)),
    Rule("only-qualitative", "only qualitative targets",
         "Every target is a word (完成, 有效提升, 及时): none can be measured against a result.",
         GUIDE_2021 + ": 指标值 quantified where possible", only_qualitative),
    Rule("restated-value", "the target restates the indicator",
         "The 指标值 repeats the indicator's name or only names a measure (及时率, 满意度) instead of setting a level.",
         PRACTICE, restated),
    Rule("weights-total", "weights do not add up",
         "The 分值/权重 of the indicators should add up to the form's total (100, or 90 where 10 points "
         "are kept for 预算执行率).", PRACTICE, weights_total),
    Rule("satisfaction-floor", "satisfaction target below the floor",
         "A 满意度 target below the usual floor (a setting, 80 % by default) sets the bar unusually low.",
         PRACTICE, _below_floor(vocab.SATISFACTION_WORDS, lambda s: s.satisfaction_floor, "satisfaction")),
    Rule("completion-floor", "completion target below the floor",
         "A 完成率/合格率/达标率 target below the usual floor (a setting, 90 % by default) plans for work "
         "left undone.", PRACTICE,
         _below_floor(vocab.COMPLETION_WORDS, lambda s: s.completion_floor, "completion")),
    Rule("copied-set", "indicator set copied across projects",
         "The same indicators with the same values appear on several projects of the year: targets "
         "copied rather than set for each project.", PRACTICE, copied_set, kinds=("project",)),
    Rule("funds-sum", "funds do not add up",
         "The parts printed under a funds total (财政资金, 其他资金, 上年结转 …) do not add up to it.",
         FUNDS, funds_sum),
    Rule("same-as-last-year", "targets identical to the previous year's",
         "The same project (department, unit, name) printed exactly the same targets the year before.",
         PRACTICE, same_as_last_year),
    Rule("empty-target", "indicators without a target value",
         "A 三级指标 whose 指标值 cell is empty sets no target.", GUIDE_2021, empty_targets),
)  # fmt: skip

BY_CODE = {r.code: r for r in RULES}
