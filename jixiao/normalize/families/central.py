"""Central-department 项目绩效目标表 (中央部门): a label form (项目名称, 主管部门及代码,
实施单位, 项目资金（万元）: 年度资金总额 / 其中：财政拨款 / 上年结转 / 其他资金,
年度总体目标) whose indicator block has a score column: 一级/二级/三级/指标值/分值.
The value cell holds operator, number and unit ("≥330台（套）")."""

from __future__ import annotations

from ...extract.model import Table, TextLine
from ..shanghai import FormDraft
from . import labelform
from .common import DocContext

LAYOUT = "central"


def match(table: Table) -> bool:
    cols = labelform.form_columns(table)
    return cols is not None and not cols.split and cols.weight is not None


def read_forms(items: list[Table | TextLine], ctx: DocContext) -> list[FormDraft]:
    return labelform.read_forms(items, ctx, LAYOUT)
