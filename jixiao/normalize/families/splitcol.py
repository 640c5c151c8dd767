"""Split-column label forms: the value's operator, number and unit sit in their own
columns (指标性质/指标值类型 | 指标值 | 计量单位/度量单位), often with 指标权重(%) and
是否核心; levels may be absent (指标名称 only: level1/level2 None). value_raw is
composed from the printed parts ("≥" + "95" + "%")."""

from __future__ import annotations

from ...extract.model import Table, TextLine
from ..shanghai import FormDraft
from . import labelform
from .common import DocContext

LAYOUT = "split-column"


def match(table: Table) -> bool:
    cols = labelform.form_columns(table)
    return cols is not None and cols.split and cols.level3 is not None and bool(cols.values)


def read_forms(items: list[Table | TextLine], ctx: DocContext) -> list[FormDraft]:
    return labelform.read_forms(items, ctx, LAYOUT)
