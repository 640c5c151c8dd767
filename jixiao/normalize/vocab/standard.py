"""Words behind the analysis-safe columns (normalize/standard.py): the standard
一级/二级 categories, the unit conversions to base units, and the words that
mark a department-wide table.

The categories are those of 财政部《中央部门项目支出核心绩效目标和指标设置及取值指引
（试行）》(财预〔2021〕101号), which the provincial templates follow: forms print
them with or without the trailing 指标, and a few print a synonym.
"""

from __future__ import annotations

LEVEL1_STANDARD = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2_STANDARD = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",  # the pre-2021 templates put 成本 under 产出
    "经济成本指标",
    "社会成本指标",
    "生态环境成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
)

# Which 一级 each standard 二级 stands under (the guideline's tree; 成本指标 as
# a 二级 is the pre-2021 templates' place under 产出, and 成本 as a 一级 since
# 2021). OCR snapping uses it to tell 效量指标 under 产出 from one under 效益.
LEVEL2_STANDARD_PARENTS = {
    "数量指标": ("产出指标",),
    "质量指标": ("产出指标",),
    "时效指标": ("产出指标",),
    "成本指标": ("产出指标", "成本指标"),
    "经济成本指标": ("成本指标",),
    "社会成本指标": ("成本指标",),
    "生态环境成本指标": ("成本指标",),
    "经济效益指标": ("效益指标",),
    "社会效益指标": ("效益指标",),
    "生态效益指标": ("效益指标",),
    "可持续影响指标": ("效益指标",),
    "服务对象满意度指标": ("满意度指标",),
}

# Printed stems (after dropping spaces, numbering and a trailing 指标) that
# mean a standard name other than "<stem>指标".
LEVEL1_SYNONYMS = {"产出": "产出指标", "效益": "效益指标", "满意度": "满意度指标", "成本": "成本指标"}
LEVEL2_SYNONYMS = {
    "满意度": "服务对象满意度指标",
    "服务对象满意": "服务对象满意度指标",
    "社会公众或服务对象满意度": "服务对象满意度指标",
    "生态环境效益": "生态效益指标",
    "环境成本": "生态环境成本指标",
    "生态成本": "生态环境成本指标",
    "可持续影响力": "可持续影响指标",
}
LEVEL_SUFFIX = "指标"
# Numbering printed before a level name: "11－数量指标", "（一）产出指标", "1.".
LEVEL_NUMBERING = r"^[\s\d一二三四五六七八九十.．、()（）\-－—–]+"

# Units printed with a multiplier -> (base unit, factor). A unit not listed
# here keeps its printed form and factor 1.
UNIT_BASE: dict[str, tuple[str, float]] = {
    "％": ("%", 1.0),
    "万元": ("元", 1e4),
    "亿元": ("元", 1e8),
    "千元": ("元", 1e3),
    "百万元": ("元", 1e6),
    "万人": ("人", 1e4),
    "万人次": ("人次", 1e4),
    "万户": ("户", 1e4),
    "万个": ("个", 1e4),
    "万条": ("条", 1e4),
    "万份": ("份", 1e4),
    "万件": ("件", 1e4),
    "万次": ("次", 1e4),
    "万册": ("册", 1e4),
    "万吨": ("吨", 1e4),
    "万亩": ("亩", 1e4),
    "万平方米": ("平方米", 1e4),
    "平米": ("平方米", 1.0),
    "㎡": ("平方米", 1.0),
    "万㎡": ("平方米", 1e4),
    "公里": ("千米", 1.0),
    "km": ("千米", 1.0),
}

# Form titles of department-wide target tables (form_kind "department"),
# used where the dataset predates the form_kind column.
DEPARTMENT_FORM_WORDS = ("部门整体", "整体支出", "部门（单位）整体", "单位整体")
