"""The 2015-era 项目支出绩效目标表: a label form whose indicator block reads
一级指标 | 二级指标 | 指标内容 | 指标值 (目标值, 年度指标值, 指标值及单位) | 备注,
sometimes printed twice, as a 长期(中期)绩效指标 block and a 年度绩效指标 block
(horizon "period" / "annual" from the side label), or with one value column
per horizon."""

from __future__ import annotations

from ...extract.model import Table, TextLine
from .. import vocab
from ..shanghai import FormDraft
from ..vocab import key
from . import common, labelform
from .common import DocContext

LAYOUT = "template-2015"


def match(table: Table) -> bool:
    cols = labelform.form_columns(table)
    if cols is None or cols.split or cols.level3 is None or not cols.values:
        return False
    own = {key(w) for w in vocab.TEMPLATE_2015_HEADERS}
    if any(h in own for h in cols.headers):
        return True
    if len(cols.values) > 1:
        return True
    return any(
        common.is_short(c.text) and any(w in key(c.text) for w in vocab.PERIOD_WORDS)
        for c in table.cells
        if cols.first_indicator_col is not None and c.col < cols.first_indicator_col
    )


def read_forms(items: list[Table | TextLine], ctx: DocContext) -> list[FormDraft]:
    return labelform.read_forms(items, ctx, LAYOUT)
