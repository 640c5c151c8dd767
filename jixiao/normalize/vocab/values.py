"""Vocabulary of the indicator-value grammar (``values.py``), as data.

Everything Chinese the value parser knows lives here: operator symbols and
their look-alikes, operator words, units / measure words, Chinese numerals
and the words that make a number a date. ``values.py`` only assembles these
into patterns, so extending the grammar to a new form usually means adding a
word here. Longest-first ordering is done by the parser, not here.
"""

from __future__ import annotations

# --- Operators ---------------------------------------------------------------
# Symbols as printed, with the look-alikes that turn up in real forms:
# ≧/≦ (Japanese-style), 》 (a typo for ≥), ≮/≯ ("not less/more than"),
# full-width ＞＜＝ and two-character spellings.
OPERATOR_SYMBOLS: dict[str, str] = {
    "≥": ">=", "≧": ">=", "⩾": ">=", "》": ">=", "≮": ">=",
    ">=": ">=", "＞＝": ">=", "≥=": ">=", "=>": ">=",
    "≤": "<=", "≦": "<=", "⩽": "<=", "≯": "<=",
    "<=": "<=", "＜＝": "<=", "≤=": "<=", "=<": "<=",
    ">": ">", "＞": ">",
    "<": "<", "＜": "<",
    "=": "=", "＝": "=",
}

# A look-alike that is also a closing mark: 》 is no operator when its opening
# 《 comes before it (《...报告》 100% names a report, it is not ">= 100%").
SYMBOL_CLOSING_MARKS: dict[str, str] = {"》": "《"}

# Words printed before the number. 不低于 must win over 低于 (the parser
# sorts longest first). 达到 reads as ">=" (达到95% = at least 95%).
OPERATOR_WORDS_BEFORE: dict[str, str] = {
    "不低于": ">=", "不少于": ">=", "不小于": ">=", "至少": ">=", "达到": ">=",
    "大于等于": ">=", "大于或等于": ">=", "最少": ">=",
    "不高于": "<=", "不超过": "<=", "不超出": "<=", "不超": "<=", "不多于": "<=",
    "不大于": "<=", "至多": "<=", "最多": "<=", "小于等于": "<=", "小于或等于": "<=",
    "未超过": "<=", "未超出": "<=",
    "大于": ">", "高于": ">", "超过": ">", "多于": ">",
    "小于": "<", "低于": "<", "少于": "<", "不足": "<", "不到": "<",
    "等于": "=",
}

# Words printed after the quantity (5%以内, 60人以上, 2次及以上, 24小时内).
OPERATOR_WORDS_AFTER: dict[str, str] = {
    "及以上": ">=", "以上": ">=",
    "及以下": "<=", "以下": "<=", "以内": "<=", "之内": "<=",
    "内": "<=",  # only at the end of a phrase (24小时内), see values.py
}

# Words between the number and its unit that make it a lower bound: 10余次 (more than 10 times).
OPERATOR_WORDS_INFIX: dict[str, str] = {"余": ">", "多": ">"}

# Units are an open set: what stands after the number at the end of the value is
# its unit (亿美元, 元/人.天, 百分比, 盒) when it is short, holds no digit and none
# of these characters or words (a sentence goes on, or an operator follows).
OPEN_UNIT_MAX = 4  # characters after the number (or after a known unit's joiner)
OPEN_UNIT_BREAKS = "，,。；;：:、的和及或与等左右！!？?\"“”'‘’《》"
OPEN_UNIT_STOP_WORDS = ("以上", "以下", "以内", "之内", "左右", "以来", "内", "前", "后", "起")
# Characters that carry a known unit on (元/人.天, 人·天).
OPEN_UNIT_JOINERS = "/／.·・"

# Up to this many Han characters may stand between an operator word and its
# number (不超过预算15万元, 至少开展一次). Symbols must touch the number.
OPERATOR_WORD_GAP = 2

# "About": the number stays, without an operator, and a warning says so.
APPROX_WORDS = ("大约", "约为", "约", "≈")

# A minus sign counts only at the very start or right after an operator symbol
# (≥-5%, -3%); elsewhere a dash is a range or a list separator.
MINUS_SIGNS = ("-", "－", "−")

# Separators between the two bounds of a range (90-95%, 90～95, 1至2次).
RANGE_SEPARATORS = ("-", "－", "—", "–", "−", "~", "～", "〜", "至", "到")

# --- Units -------------------------------------------------------------------
# Measure words and units that may follow a number directly (glued, or after
# extraction spaces). Compound units are built by the parser: a magnitude
# prefix (万人次, 万元, 千米) and "/" joins (元/件, 万元/年, 次/季, 元/人/半天).
UNITS: tuple[str, ...] = (
    # shares
    "%", "％", "‰", "个百分点", "百分点",
    # people and organisations
    "人", "人次", "人天", "人日", "名", "位", "户", "户次", "家", "家次",
    # counts of things and events
    "个", "个数", "个次", "次", "次数", "场", "场次", "期", "批", "批次", "轮", "班", "班次",
    "项", "件", "件次", "宗", "起", "例", "笔", "份", "本", "册", "篇", "部", "条", "则",
    "页", "张", "幅", "首", "套", "台", "台次", "台（套）", "台(套)", "辆", "辆次",
    "车次", "罐车次", "艘", "艘次", "架", "架次", "座", "所", "处", "栋", "间", "块",
    "根", "盏", "口", "株", "棵", "头", "只", "组", "类", "种", "样", "点位", "周次",
    "倍", "分", "级", "星",
    # time
    "年", "个月", "月", "周", "季", "季度", "天", "日", "半天", "半年", "工作日",
    "个工作日", "小时", "分钟", "秒", "毫秒", "学时", "课时",
    # money
    "元",
    # sizes, weights, energy
    "平方米", "平方千米", "平方公里", "㎡", "立方米", "m³", "公里", "米", "延米",
    "公顷", "亩", "吨", "公斤", "克", "毫克", "微克", "升", "毫升", "度", "瓦", "瓦时",
)

# Latin units: matched only when no letter follows (so "5G" is not 5 "G...").
LATIN_UNITS: tuple[str, ...] = ("km", "KM", "Km", "m", "kg", "t", "GB", "TB", "MB", "Mbps", "Gbps", "kWh", "kW", "h")

# Magnitude prefixes for compound units (万元, 万人次, 千米); 万/亿 may also
# stand alone (参与人数不少于50万).
UNIT_PREFIXES: tuple[str, ...] = ("百万", "千万", "万", "亿", "千")

# Brackets a unit may be printed in, half or full width: ≥95 (%), 台（套）.
OPEN_BRACKETS = "（("
CLOSE_BRACKETS = "）)"

# Characters that separate the parts of a compound unit (元/件).
UNIT_JOINERS = ("/", "／")

# --- Chinese numerals ----------------------------------------------------------
CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
CN_MULTIPLIERS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
CN_DECIMAL_POINT = "点"  # 百分之九十五点五
CN_PERCENT = "百分之"  # 百分之九十五 -> 95 %
CN_PERCENT_UNIT = "%"

# A Chinese numeral is a quantity only right before one of these measure
# words: 一年, 两次, 十二个月. Deliberately narrower than UNITS: 一期工程,
# 一批, 一部分, 一条龙, 一类水质, 二级标准 are names, not counts.
CN_MEASURE_WORDS: tuple[str, ...] = (
    "次", "年", "个月", "个", "月", "天", "周", "季度", "份", "项", "场", "名", "人次", "人",
    "家", "篇", "本", "套", "台", "辆", "艘", "轮", "小时", "分钟", "万元", "元", "座", "所",
    "处", "户", "宗", "件", "册", "倍",
)
# ...and not when the measure word is itself the start of a word: 一次性, 一站式.
CN_MEASURE_FALSE_FOLLOWERS = "性式化体"
# Ordinals are not quantities: 第一次, 第3批.
ORDINAL_PREFIX = "第"

# --- Dates -----------------------------------------------------------------------
# Year-like numbers (19xx/20xx) followed by 年, or by a month (2023.07,
# 2026/6/1, 2023-12-31), are dates. Month/day parts that make a bare number a
# date: 12月底, 3月份, 10月前, 12月31日, 每月10日前.
YEAR_WORD = "年"
MONTH_WORD = "月"
DATE_SEPARATORS = ("-", "－", "/", "／", ".")
# What may follow 2023.07 / 2026/6/1 for it to be a date; anything else (2012.5万元,
# 2012.5(万元)) leaves it a number. Range separators are added by the parser.
DATE_FOLLOWERS = "年月日号底前止起，,;；、。）)"
MONTH_SUFFIXES = ("底", "末", "初", "中", "份", "之前", "以前", "前", "上旬", "中旬", "下旬")
DAY_WORDS = ("日", "号")
DEADLINE_SUFFIXES = ("前", "之前", "以前", "止")
# A numeral year spelled out: 二〇二三年.
CN_YEAR_DIGITS = "〇零一二三四五六七八九"

# --- Rates -----------------------------------------------------------------------
# Indicator names that end so measure a share (完成率, 满意度, 占比): their target
# is a percentage of at most 100 (ocrfix reads a fax's "%" taken for a digit by them).
RATE_NAME_ENDINGS = ("率", "满意度", "占比", "比例", "比重")
