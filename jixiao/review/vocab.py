"""Words the target review looks for (rules.py): Chinese vocabulary as data."""

from __future__ import annotations

# A 三级指标 whose target is a satisfaction rate (满意度, 满意率).
SATISFACTION_WORDS = ("满意",)
# A 三级指标 whose target is a completion / pass rate of the planned work.
COMPLETION_WORDS = ("完成率", "合格率", "达标率", "通过率", "验收率", "到位率", "执行率", "完好率")
# Units a rate is printed in (a rate printed without a unit counts too).
PERCENT_UNITS = ("%", "％", "百分比")
# A qualitative "target" that only names the measure: 及时率, 满意度, 完成率 …
# (ends in one of these and adds nothing to the indicator's name).
MEASURE_SUFFIXES = ("率", "度", "性", "量", "数", "值", "比例", "情况")
MEASURE_NOUNS = (
    "及时率",
    "满意度",
    "满意率",
    "完成率",
    "合格率",
    "达标率",
    "覆盖率",
    "知晓率",
    "完成情况",
    "完成数量",
    "完成质量",
    "完成时间",
    "指标值",
)
# A short word ending so (完善率, 满意度, 及时率) names a measure without a level.
BARE_MEASURE_SUFFIXES = ("率", "度")
BARE_MEASURE_MAX = 5
# Characters ignored when comparing a value with its indicator's name.
PUNCTUATION = " \u3000\t\n,，.。;；:：、()（）[]【】《》\"'“”‘’"

# The standard 一级指标 a project's targets should cover (as level1_std).
OUTPUT = "产出指标"
BENEFIT = "效益指标"
SATISFACTION = "满意度指标"
COST = "成本指标"
# 二级指标 (level2_std) that count as cost targets (the pre-2021 templates put 成本 under 产出).
COST_LEVEL2 = ("成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标")

# A row that only says the category does not apply (长沙: 社会成本指标 / 无 / 无):
# not a target, so not counted where targets are counted.
NOT_APPLICABLE = ("无", "不适用", "不涉及", "无此项", "/", "-", "—", "－")
