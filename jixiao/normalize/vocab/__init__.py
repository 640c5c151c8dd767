"""Chinese form vocabulary, as data, in one place (this package).

This module: the forms' labels and headers; ``vocab.values``: the words of
the value grammar (operators, units, numerals, dates).

Labels are compared after ``key()``: NFKC, no white space, full-width colons
and brackets folded, so that "其中：财政资金" and "其中:财政资金" are one label.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .standard import LEVEL1_STANDARD, LEVEL2_STANDARD, LEVEL2_STANDARD_PARENTS

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

# The label every form of this family starts with.
FORM_START_LABEL = "项目名称"

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
FUNDS_RIGHT_BLOCK_LABEL = "年度资金申请总额"  # 其他资金 at or right of its column is the right block
FUNDS_OTHER_LEFT = "total_other"
FUNDS_OTHER_RIGHT = "annual_other"
FUNDS_BLOCK_LABEL = "项目资金"  # the side label; "(元)" or "(万元)" gives the unit

# Goal block: header cells whose cell below holds the text.
OVERALL_GOAL = "项目总目标"
ANNUAL_GOAL = "年度总体目标"

# Indicator table header.
LEVEL1_HEADER = "一级指标"
LEVEL2_HEADER = "二级指标"
LEVEL3_HEADERS = ("三级指标", "指标内容", "指标名称")
VALUE_HEADERS = ("指标值", "目标值", "年度指标值", "指标值及单位", "年度(/项目)指标值")
VALUE_HEADER_SUFFIXES = ("指标值", "目标值")  # 年度指标值, 实施期指标值, 年度目标值 …
SIDE_LABELS = ("绩效指标", "年度绩效指标", "项目绩效目标", "绩效目标")

# Known level1/level2 names: used to flag doubtful values and to correct OCR
# only where the match is unambiguous. Forms may use others (e.g. 双星指标).
# The standard categories (vocab/standard.py) and the few others forms use.
LEVEL1_NAMES = (*LEVEL1_STANDARD, "双星指标")
LEVEL2_NAMES = (*LEVEL2_STANDARD, "行业双星指标")
LEVEL2_PARENTS = {**LEVEL2_STANDARD_PARENTS, "行业双星指标": ("双星指标",)}

# Words whose presence on a page says "a target form may be here": used to skip
# the rest of a 部门预算 cheaply.
PAGE_MARKERS = ("三级指标", "一级指标", "绩效目标", "项目名称", "绩效指标", "指标名称")

# Form titles and year labels printed above a form, outside the table.
FORM_TITLE_WORDS = ("绩效目标申报表", "绩效目标填报表", "绩效目标表")


@lru_cache(maxsize=1 << 16)  # called with the same labels and cell texts over and over
def key(text: str) -> str:
    """A label's comparison key: NFKC, no spaces, no colons/brackets."""
    t = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in t if not ch.isspace() and ch not in ":：()（）")

# Words of the cover/title line that names the publisher and the year
# ("2026年烟台市民政局部门预算"), and where the publisher's name stops.
COVER_TITLE_WORDS = ("预算", "决算", "绩效目标")
PUBLISHER_STOP_WORDS = (
    "部门综合预算", "部门预算", "部门决算", "预算", "决算", "项目支出", "项目绩效", "绩效目标",
    "部门整体", "整体支出", "部门专项", "专项业务经费",
)
NAME_WORD = "名称"  # 项目名称, 单位名称 … (a name column, unless it is 指标名称)
INDICATOR_WORD = "指标"
NOTE_PREFIX = "注"  # a footnote row under a table
MONEY_YUAN = "元"

# Marks a cover prints in the margin before a unit's name (".长春市信访局").
MARGIN_MARKS = r"^[\s.。·•・*#\-—_]+"
# A table's number printed before its title ("表十", "表14", "表 3-1"): no unit's name.
TABLE_NUMBER = r"^表\s*[\d一二三四五六七八九十〇零]+(?:[-－—.．]\d+)?[、.．:：]?\s*"
# How the name of a unit (an organ of government) ends: in a form's title after
# its year, "西安市审计局" is the unit, "市级一般性" (项目) the form's kind.
UNIT_NAME_ENDINGS = (
    "局", "厅", "委", "委员会", "办", "办公室", "室", "院", "中心", "会", "处", "站", "所", "馆", "队",
    "部", "署", "府", "行", "社", "团", "校", "园", "台", "街道", "镇", "乡", "区", "县", "市", "省",
)
# Level suffixes of a unit named on a cover: "长春市信访局（本级）" -> "长春市信访局".
UNIT_LEVEL_SUFFIX = r"[（(](?:机关本级|本级|汇总|本部|机关)[)）]$"
# Partition values where nothing in the document prints one (with a warning).
UNKNOWN_DEPARTMENT = "未注明"
UNKNOWN_YEAR = 0

# A document's title names its year: "2026年度…部门预算", "…2023年度项目绩效目标汇总表".
DOCUMENT_TITLE_WORDS = ("预算", "汇总表", "绩效目标", "决算")


# =============================================================================
# Target-table families beyond the Shanghai 申报表 (normalize/families/).
# Every word a family reader looks for lives below, one section per family
# plus a shared section; readers only assemble these.
# =============================================================================

# --- Shared: the indicator block ----------------------------------------------
# Headers that mark the indicator header row of a target table.
INDICATOR_HEADER_WORDS = ("一级指标", "二级指标", "三级指标", "指标内容", "指标名称")
# Qualifiers a form may print after an indicator header word ("三级指标名称").
HEADER_QUALIFIERS = ("名称", "内容", "指标")
HEADER_QUALIFIER_MAX = 2
# Operator column of split-column tables ("≥" | "≤" | "＝" | "定性"); taken as
# the operator column only when its cells hold operators (content check).
OPERATOR_HEADERS = ("指标性质", "指标值类型", "指标类型", "运算符号", "运算符", "符号", "比较符")
# Symbols an operator column prints (compared after key(): NFKC folds ＝＞＜).
SPLIT_OPERATORS = ("≥", "≤", "=", ">", "<", "≧", "≦", ">=", "<=", "≥=", "≤=")
# A table after a form with this many cells opening with an operator symbol holds
# indicator rows: if it cannot carry on the form's grid, it is reported.
ROWS_LIKE_MIN = 2
# Operator-column words that mark the value qualitative whatever it holds.
QUALITATIVE_OPERATORS = ("定性",)
# A block label of the funds ("项目资金（元）", "专项资金情况（万元）") holds this.
FUNDS_BLOCK_WORD = "资金"
# Operator-column words that mean "no operator: the value is a text".
SPLIT_NO_OPERATOR = ("定性", "定量", "/", "-", "—", "无")
# Unit-of-measure column.
UNIT_HEADERS = ("度量单位", "计量单位", "指标单位", "单位")
# Score/weight column (分值（90）, 分值权重（90）, 指标权重(%)): key starts with one.
WEIGHT_HEADERS = ("分值", "权重", "指标权重", "分值权重", "指标分值")
# A column with one of these headers is the weight column only when every
# filled cell holds a number (the Hunan table prints weights under 备注).
WEIGHT_BY_CONTENT_HEADERS = ("备注",)
# Words of a side label or value header that make an indicator a
# multi-year (实施期/长期) target; "annual" otherwise.
PERIOD_WORDS = ("长期", "中期", "实施期", "实施周期", "项目期", "整个项目")
# A side label left of the indicator columns holds one of these ("长期绩效指标").
SIDE_LABEL_WORDS = ("指标", "目标")

# --- Shared: label forms (one project per form, label -> value on its right) --
PROJECT_NAME_LABELS = ("项目名称", "专项（项目）名称", "项目（专项）名称", "专项资金名称", "政策名称", "项目政策名称", "政策项目名称", "专项名称")
DEPARTMENT_LABELS = ("主管部门", "主管部门及代码", "资金主管部门", "主管单位", "部门名称")
UNIT_LABELS = ("实施单位", "项目实施单位", "资金使用单位", "单位名称", "部门（单位）名称", "部门(单位)名称")
# Funds labels -> (block, part). block "annual" | "total" | "side" (decided by
# the column of the block's head label); part as in records.Funds.
FUNDS_LABELS_FAMILY: dict[str, tuple[str, str]] = {
    "年度资金总额": ("annual", "request"),
    "年度预算资金总额": ("annual", "request"),
    "年度预算资金": ("annual", "request"),
    "年度预算": ("annual", "request"),
    "当年预算": ("annual", "request"),
    "年度资金申请总额": ("annual", "request"),
    "预算数": ("annual", "request"),
    "中期资金总额": ("total", "total"),
    "实施期资金总额": ("total", "total"),
    "项目资金总额": ("total", "total"),
    "项目总金额": ("total", "total"),
    # A bare 资金总额 heads the block its block label names (实施期 -> total);
    # in a one-year budget it is the year's amount.
    "资金总额": ("bare", "request"),
    "其中当年财政拨款": ("side", "fiscal"),
    "总额": ("bare", "request"),  # a funds column head: 预算金额（万元） | 总额 | 财政拨款 | 其他资金
    "其中财政拨款": ("side", "fiscal"),
    "财政拨款": ("side", "fiscal"),
    "其中财政资金": ("side", "fiscal"),
    "上年结转": ("annual", "carryover"),
    "上年结转资金": ("annual", "carryover"),
    "其他资金": ("side", "other"),
}
# Other envelope labels whose value is the text on their right -> Project field.
ENVELOPE_OTHER_LABELS: dict[str, str] = {
    "项目性质": "project_nature",
    "项目类别": "project_category",
    "计划开始日期": "start_date",
    "计划完成日期": "end_date",
}
# Form words at the end of a title that prints no name cell: the rest is the
# project's name ("市行政中心保安服务项目绩效目标表" -> "市行政中心保安服务").
TITLE_FORM_SUFFIXES = (
    "项目支出绩效目标申报表",
    "项目支出绩效目标表",
    "项目绩效目标申报表",
    "项目绩效目标表",
    "绩效目标申报表",
    "绩效目标填报表",
    "绩效目标表",
)
# A title's numbering before the name: "表16", "附表3-1", "（一）", "1."
TITLE_NUMBERING = r"^(?:附?表\s*[\d一二三四五六七八九十-]+\s*[:：.、]?|[(（][一二三四五六七八九十\d]+[)）]|\d+\s*[.、])\s*"
# Goal labels -> which goal; the text is in the cell right of the label, or
# below it when the label spans the table.
GOAL_LABELS: dict[str, str] = {
    "年度总体目标": "annual",
    "年度目标": "annual",
    "年度绩效目标": "annual",
    "当年绩效目标": "annual",
    "当年整体绩效目标": "annual",
    "整体绩效目标": "annual",
    "绩效目标": "annual",
    "总体目标": "overall",
    "长期目标": "overall",
    "中期目标": "overall",
    "实施期目标": "overall",
    "项目总目标": "overall",
    "项目实施期目标": "overall",
    "项目年度目标": "annual",
}
# Words of a funds block label ("实施期资金（万元）") that make a bare 资金总额 the
# multi-year total; any other block is the year's budget.
FUNDS_TOTAL_BLOCK_WORDS = ("实施期", "中期", "长期", "项目总", "总投资")
# Money units as printed in a label ("项目资金（万元）") or a line ("单位：万元").
MONEY_WAN = "万元"
MONEY_YUAN = "元"
MONEY_LINE = ("单位", "金额单位")
# Labels whose value cell may carry a department code: "[292]国家信访局",
# "233_烟台市民政局" (the code is dropped).
CODED_LABEL_SUFFIX = "及代码"

# --- Shared: wide tables (one row band per project) ---------------------------
# Column header of the project (or unit) name: key holds 名称 and one of these.
WIDE_NAME_WORDS = ("项目", "单位")
# ... or is exactly one of these.
WIDE_NAME_HEADERS = ("项目", "项目（单位）", "单位（项目）")
# Glyphs a generator leaves inside header words ("计量。单位"): ignored when a
# header is matched.
HEADER_STRAY_GLYPHS = "。.、·•，,"
WIDE_IGNORED_HEADERS = ("单位编码", "项目编码", "序号", "编码", "是否核心", "指标值内容", "指标解释", "评扣分标准", "评分标准")
# Funds columns: a header (or its parent header) with 年度/当年 is the annual block.
FUNDS_ANNUAL_WORDS = ("年度", "当年")
FUNDS_FISCAL_WORDS = ("财政拨款", "财政专户", "一般公共预算", "政府性基金", "国有资本经营")
FUNDS_OTHER_WORDS = ("其他资金",)
FUNDS_TOTAL_WORDS = ("资金总额", "总计", "预算金额", "预算数", "金额", "总额")
GOAL_HEADER_WORD = "绩效目标"
TOTAL_ROW_NAMES = ("合计", "总计", "小计")
# A row whose label ends so holds a funds block's totals ("金额合计").
TOTAL_ROW_SUFFIXES = ("合计", "总计")
# Short cells holding these are headers of a funds block, never its amounts.
FUNDS_NOT_VALUE_WORDS = ("分值", "执行率")
# Lines printed above a wide table: "部门名称：长沙市信访局 单位：万元",
# "资金主管部门：重庆市水利局", "单位名称：重庆市水利局".
DEPARTMENT_LINE_LABELS = ("资金主管部门", "主管部门", "部门名称", "预算主管部门")
UNIT_LINE_LABELS = ("单位名称",)
# A form about the whole department, not a project: its name comes from its title.
DEPARTMENT_WIDE_WORDS = ("部门整体",)

# --- Self-evaluation tables (自评表): recognised, never read ---------------------
SELF_EVALUATION_HEADERS = (
    "实际完成值",
    "全年实际值",
    "实际完成情况",
    "完成值",
    "得分",
    "偏差原因",
    "自评",
)
# A line above a table naming it a self-evaluation ("项目支出绩效自评表").
SELF_EVALUATION_TITLE_WORDS = ("自评表", "自评情况", "绩效评价表")
# Header cells are short; body cells quoting "得满分" are not headers.
HEADER_MAX_CHARS = 14

# --- Shanghai: labels only the Shanghai 申报表 prints (claims a table for it) ------
SHANGHAI_OWN_LABELS = ("项目性质", "项目类别", "计划开始日期", "计划完成日期", "年度资金申请总额")

# --- Central (中央部门项目绩效目标表) ---------------------------------------------
# A label form whose indicator block has a score column (WEIGHT_HEADERS).

# --- Shandong (政策和项目预算绩效目标表 / 专项资金绩效目标表) ------------------------
# A label form with 一级/二级/三级/指标值 and no score column. Its 二级指标
# may be printed short ("经济成本", "可持续影响").

# --- Template 2015 (项目支出绩效目标表/申报表) --------------------------------------
# A label form whose indicator header uses 指标内容 / 目标值 / 指标值及单位, or
# that prints 长期/年度 indicator blocks, or a text 备注 column.
TEMPLATE_2015_HEADERS = ("指标内容", "目标值", "指标值及单位", "备注")

# --- Guangdong (serialized 绩效指标 cell) -------------------------------------------
# "1.1－产出指标，11－数量指标，<名称>；实施周期指标值：≦…，年度指标值：≦…；2、…"
SERIAL_HEADERS = ("绩效指标",)
SERIAL_HORIZON_MARKERS: dict[str, str] = {
    "实施周期指标值": "period",
    "实施期指标值": "period",
    "中期指标值": "period",
    "长期指标值": "period",
    "年度指标值": "annual",
    "当年指标值": "annual",
}
SERIAL_CODE_DASHES = "－-—–"
SERIAL_ITEM_MARKS = "、.．"
SERIAL_SEPARATORS = ";；"
SERIAL_FIELD_SEPARATORS = "，,"

# Level names printed short by some families: not errors, so no warning
# (kept apart from LEVEL2_NAMES, which also drives OCR snapping).
LEVEL2_SHORT_NAMES = (
    "经济成本",
    "社会成本",
    "生态环境成本",
    "经济效益",
    "社会效益",
    "生态效益",
    "可持续影响",
    "服务对象满意度",
)


def is_value_header(k: str) -> bool:
    """Is this header key (see ``key``) the column of target values?"""
    return k in _VALUE_KEYS or k.endswith(VALUE_HEADER_SUFFIXES)


_VALUE_KEYS = {key(h) for h in VALUE_HEADERS}
