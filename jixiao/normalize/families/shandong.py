"""Shandong-style 政策和项目预算绩效目标表 / 专项资金绩效目标表: a label form
(项目名称 or 专项资金名称, 主管部门(及代码), 实施单位, 年度预算资金总额 …, 总体目标 /
年度总体目标) with 一级/二级/三级/指标值 and no score column; the value cell
holds operator, number and unit ("≤2149.09万元", "=100%")."""

from __future__ import annotations

from ...extract.model import Table, TextLine
from ..shanghai import FormDraft
from . import labelform
from .common import DocContext

LAYOUT = "shandong"


def match(table: Table) -> bool:
    cols = labelform.form_columns(table)
    return cols is not None and not cols.split and cols.level3 is not None and bool(cols.values)


def read_forms(items: list[Table | TextLine], ctx: DocContext) -> list[FormDraft]:
    return labelform.read_forms(items, ctx, LAYOUT)
