"""extract's building blocks on synthetic input: spans from ruling lines,
stitching across page breaks, and cell text rules."""

from __future__ import annotations

from jixiao.extract.geometry import Segment, build_grids
from jixiao.extract.tables import continues, stitch, table_from_grid
from jixiao.extract.text import Glyph, glyphs_text, join_fragments


def H(y: float, x0: float, x1: float) -> Segment:
    return Segment(x0, y, x1, y)


def V(x: float, y0: float, y1: float) -> Segment:
    return Segment(x, y0, x, y1)


def test_merged_cell_is_one_cell_with_span() -> None:
    # 3 columns x 3 rows; column 0 merged over rows 0-1 (no rule between them).
    segs = [V(0, 0, 30), V(10, 0, 30), V(20, 0, 30), V(30, 0, 30), H(0, 0, 30), H(30, 0, 30)]
    segs += [H(10, 10, 30), H(20, 0, 30)]
    (grid,) = build_grids(segs)
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in grid.cells}
    assert spans[(0, 0)] == (2, 1)
    assert spans[(0, 1)] == (1, 1) and spans[(1, 1)] == (1, 1)
    assert len(grid.cells) == 3 * 3 - 1


def test_side_column_rule_no_horizontal_touches_still_belongs_to_the_table() -> None:
    # A continuation page: the side label column is open at both ends, so no
    # horizontal rule reaches its left rule.
    segs = [V(0, 0, 20), V(10, 0, 20), V(20, 0, 20), H(0, 10, 20), H(10, 10, 20), H(20, 10, 20)]
    (grid,) = build_grids(segs)
    assert grid.col_edges[0] == 0
    assert grid.open_top == (True, False) and grid.open_bottom == (True, False)


def _page(segs: list[Segment], page: int, texts: dict[tuple[int, int], str]):  # type: ignore[no-untyped-def]
    (grid,) = build_grids(segs)
    return table_from_grid(grid, page, [texts.get((c.row, c.col), "") for c in grid.cells])


def test_label_printed_after_the_break_belongs_to_rows_before_it() -> None:
    # Page 1: two indicator rows; the level-1 cell has no bottom rule.
    p1 = [V(0, 0, 20), V(10, 0, 20), V(20, 0, 20), H(0, 0, 20), H(10, 10, 20), H(20, 10, 20)]
    # Page 2: one more row; the level-1 cell has no top rule and holds the label.
    p2 = [V(0, 0, 10), V(10, 0, 10), V(20, 0, 10), H(0, 10, 20), H(10, 0, 20)]
    t1 = _page(p1, 1, {(0, 1): "a", (1, 1): "b"})
    t2 = _page(p2, 2, {(0, 0): "双星指标", (0, 1): "c"})
    assert continues(t1, t2)
    t = stitch(t1, t2)
    label = t.cell_at(0, 0)
    assert label is not None and label.text == "双星指标" and label.rowspan == 3
    assert label is t.cell_at(2, 0) and label.page == 2
    assert [f.page for f in label.fragments] == [1, 2]
    assert [t.cell_at(r, 1).text for r in range(3)] == ["a", "b", "c"]  # type: ignore[union-attr]


def test_closed_break_is_not_stitched() -> None:
    p1 = [V(0, 0, 10), V(10, 0, 10), H(0, 0, 10), H(10, 0, 10)]
    t1 = _page(p1, 1, {})
    t2 = _page(p1, 2, {})
    assert not continues(t1, t2)


def _line(text: str, x: float, y: float, w: float = 9.0) -> list[Glyph]:
    return [Glyph(ch, x + i * w, y, x + (i + 1) * w, y + 9) for i, ch in enumerate(text)]


def test_wrapped_lines_join_without_spaces() -> None:
    glyphs = _line("服务对象满意度", 0, 0) + _line("指标", 18, 12)
    assert glyphs_text(glyphs) == "服务对象满意度指标"


def test_a_sentence_that_ends_short_is_a_paragraph() -> None:
    glyphs = _line("第一段结束。", 0, 0) + _line("第二段继续写满了这一行", 0, 12) + _line("完", 0, 24)
    assert glyphs_text(glyphs) == "第一段结束。\n第二段继续写满了这一行完"


def test_wrap_only_breaks_and_radicals() -> None:
    assert glyphs_text(_line("⼀级指标", 0, 0)) == "一级指标"  # Kangxi radical look-alike
    assert join_fragments("APP", "service") == "APP service"
    assert join_fragments("运", "行") == "运行"
    assert join_fragments("3.", "确保") == "3. 确保"


def test_a_numbered_item_after_a_full_line_sentence_is_a_paragraph() -> None:
    glyphs = _line("5.多措并举推动化解积案。", 0, 0) + _line("6.做好特护期信访保障。", 0, 12)
    assert glyphs_text(glyphs) == "5.多措并举推动化解积案。\n6.做好特护期信访保障。"


def test_label_printed_before_the_break_carries_on_after_it() -> None:
    p1 = [V(0, 0, 20), V(10, 0, 20), V(20, 0, 20), H(0, 0, 20), H(10, 10, 20), H(20, 10, 20)]
    p2 = [V(0, 0, 10), V(10, 0, 10), V(20, 0, 10), H(0, 10, 20), H(10, 0, 20)]
    t = stitch(_page(p1, 1, {(0, 0): "产出指标", (0, 1): "a", (1, 1): "b"}), _page(p2, 2, {(0, 1): "c"}))
    label = t.cell_at(2, 0)
    assert label is not None and label.text == "产出指标" and label.page == 1 and label.rowspan == 3


def test_a_goal_text_cut_by_the_break_is_one_text() -> None:
    p1 = [V(0, 0, 20), V(20, 0, 20), H(0, 0, 20)]
    p2 = [V(0, 0, 10), V(20, 0, 10), H(10, 0, 20)]
    t1, t2 = _page(p1, 1, {(0, 0): "确保业务运转的不间"}), _page(p2, 2, {(0, 0): "断性。"})
    assert continues(t1, t2)
    (cell,) = stitch(t1, t2).cells
    assert cell.text == "确保业务运转的不间断性。" and [f.page for f in cell.fragments] == [1, 2]


def test_a_numbered_item_after_a_short_line_starts_a_paragraph() -> None:
    # "目标1：建成公租房户数" stops short of the wrap width; "目标2：" opens the next item.
    from jixiao.extract.text import Glyph, Line, join_lines

    def line(text: str, y: float) -> Line:
        return Line([Glyph(ch, 10.0 * i, y, 10.0 * (i + 1), y + 10) for i, ch in enumerate(text)])

    short, item = line("目标1：建成公租房户数", 0), line("目标2：工程建设产生的效益并完成分配交付使用", 12)
    assert join_lines([short, item]) == "目标1：建成公租房户数\n目标2：工程建设产生的效益并完成分配交付使用"
    # Without a number the short line is only wrapped text.
    assert join_lines([short, line("工程建设产生的效益并完成分配交付使用", 12)]) == "目标1：建成公租房户数工程建设产生的效益并完成分配交付使用"
