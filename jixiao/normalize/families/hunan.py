"""Hunan wide table (项目支出绩效目标表, landscape): one band of rows per project,
each carrying 单位编码 / 单位（项目）名称 / 资金总额 / 绩效目标 and the indicator
columns 一级/二级/三级/指标值/指标值内容/评（扣）分标准/度量单位/指标值类型/备注;
指标值类型 (≥ ≤ ＝ 定性) is the operator, 备注 holds the weight. Also the
部门整体支出绩效目标表 of the same family."""

from __future__ import annotations

from ...extract.model import Table, TextLine
from ..shanghai import FormDraft
from . import wide
from .common import DocContext

LAYOUT = "hunan-wide"


def match(table: Table) -> bool:
    cols = wide.wide_columns(table)
    return cols is not None and cols.level1 is not None


def read_forms(items: list[Table | TextLine], ctx: DocContext) -> list[FormDraft]:
    return wide.read_forms(items, ctx, LAYOUT)
