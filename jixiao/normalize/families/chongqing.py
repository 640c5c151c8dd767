"""Chongqing flat list: a wide multi-project table without level columns
(序号 / 项目名称 / 当年财政拨款预算金额 / 当年绩效目标 / 指标名称 / 指标性质 / 指标值 /
计量单位 / 指标权重(%)): level3 = 指标名称, level1/level2 None."""

from __future__ import annotations

from ...extract.model import Table, TextLine
from ..shanghai import FormDraft
from . import wide
from .common import DocContext

LAYOUT = "chongqing-list"


def match(table: Table) -> bool:
    cols = wide.wide_columns(table)
    return cols is not None and cols.level1 is None and cols.level3 is not None


def read_forms(items: list[Table | TextLine], ctx: DocContext) -> list[FormDraft]:
    return wide.read_forms(items, ctx, LAYOUT)
