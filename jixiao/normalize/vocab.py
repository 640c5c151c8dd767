"""Chinese form vocabulary, as data, in one place.

Labels are compared after ``key()``: NFKC, no white space, full-width colons
and brackets folded, so that "其中：财政资金" and "其中:财政资金" are one label.
"""

from __future__ import annotations

import unicodedata

# --- Form header block (Shanghai 申报表/填报表) ---------------------------------
# label -> field name in normalize.records.Project
HEADER_LABELS: dict[str, str] = {
    "项目名称": "project_name",
    "项目性质": "project_nature",
    "项目类别": "project_category",
    "主管部门": "department",
    "实施单位": "implementing_unit",
    "计划开始日期": "start_date",
    "计划完成日期": "end_date",
}

# Funds block. 其他资金 appears twice: the left block (项目资金总额 side) and
# the right block (年度资金申请总额 side); the side decides which.
FUNDS_LABELS: dict[str, str] = {
    "项目资金总额": "total",
    "其中财政资金": "total_fiscal",
    "年度资金申请总额": "annual_request",
    "其中当年财政拨款": "annual_appropriation",
    "上年结转资金": "annual_carryover",
}
FUNDS_OTHER = "其他资金"
FUNDS_OTHER_LEFT = "total_other"
FUNDS_OTHER_RIGHT = "annual_other"
FUNDS_BLOCK_LABEL = "项目资金"  # the side label; "(元)" or "(万元)" gives the unit
FUNDS_UNIT_WAN = "万元"

# Goal block: header cells whose cell below holds the text.
OVERALL_GOAL = "项目总目标"
ANNUAL_GOAL = "年度总体目标"

# Indicator table header.
LEVEL1_HEADER = "一级指标"
LEVEL2_HEADER = "二级指标"
LEVEL3_HEADERS = ("三级指标", "指标内容", "指标名称")
VALUE_HEADERS = ("指标值", "目标值", "年度指标值", "指标值及单位", "年度(/项目)指标值")
SIDE_LABELS = ("绩效指标", "年度绩效指标", "项目绩效目标", "绩效目标")

# Known level1/level2 names: used to flag doubtful values and to correct OCR
# only where the match is unambiguous. Forms may use others (e.g. 双星指标).
LEVEL1_NAMES = ("产出指标", "效益指标", "满意度指标", "成本指标", "双星指标")
LEVEL2_NAMES = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济成本指标",
    "社会成本指标",
    "生态环境成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
    "行业双星指标",
)

# Words whose presence on a page says "a target form may be here": used to skip
# the rest of a 部门预算 cheaply.
PAGE_MARKERS = ("三级指标", "一级指标", "绩效目标", "项目名称", "绩效指标")

# Form titles and year labels printed above a form, outside the table.
FORM_TITLE_WORDS = ("绩效目标申报表", "绩效目标填报表", "绩效目标表")


def key(text: str) -> str:
    """A label's comparison key: NFKC, no spaces, no colons/brackets."""
    t = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in t if not ch.isspace() and ch not in ":：()（）")

# A document's title names its year: "2026年度…部门预算", "…2023年度项目绩效目标汇总表".
DOCUMENT_TITLE_WORDS = ("预算", "汇总表", "绩效目标", "决算")
