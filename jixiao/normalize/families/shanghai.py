"""Shanghai 财政项目支出绩效目标申报表/填报表: read by ``normalize.shanghai``.

Claimed by the labels only that form prints (项目性质, 项目类别, 计划开始日期 …).
"""

from __future__ import annotations

from ...extract.model import Cell, Table, TextLine
from .. import shanghai, vocab
from ..shanghai import FormDraft
from ..vocab import key
from .common import DocContext

LAYOUT = shanghai.LAYOUT


def _labelled(table: Table, c: Cell, labels: set[str]) -> bool:
    """``c`` is a label with a value on its right (not a column header beside another header)."""
    right = table.cell_at(c.row, c.col + c.colspan)
    return right is not None and key(right.text) not in labels


def match(table: Table) -> bool:
    own = {key(w) for w in vocab.SHANGHAI_OWN_LABELS}
    labels = own | {key(w) for w in vocab.HEADER_LABELS} | {key(w) for w in vocab.FUNDS_LABELS}
    name = vocab.FORM_START_LABEL
    return any(key(c.text) == name and _labelled(table, c, labels) for c in table.cells) and any(
        key(c.text) in own and _labelled(table, c, labels) for c in table.cells
    )


def read_forms(items: list[Table | TextLine], ctx: DocContext) -> list[FormDraft]:
    drafts = shanghai.read_forms(tuple(items))
    for d in drafts:
        d.layout = LAYOUT
    return drafts
