"""The data dictionary of the exports: each column's Chinese title and what it
means (the XLSX `dictionary` sheet, the database's `dictionary` table)."""

from __future__ import annotations

# column -> (中文标题, meaning)
COLUMNS: dict[str, tuple[str, str]] = {
    "year": ("年度", "budget year of the form"),
    "department": ("主管部门", "主管部门 as printed (未注明 where the form prints none)"),
    "implementing_unit": ("实施单位", "实施单位"),
    "project_id": ("项目ID", "stable id of the form: same PDF content, same id"),
    "project_name": ("项目名称", "项目名称"),
    "seq": ("序号", "order of the indicator inside its project, from 1"),
    "level1": ("一级指标", "一级指标 as printed"),
    "level2": ("二级指标", "二级指标 as printed"),
    "level3": ("三级指标", "三级指标: the indicator's name"),
    "value_raw": ("指标值（原文）", "指标值 as printed"),
    "operator": ("运算符", ">=, <=, =, >, < or range"),
    "value": ("指标数值", "the number (lower bound of a range)"),
    "value_max": ("指标数值上限", "upper bound of a range"),
    "value_unit": ("计量单位", "unit as printed"),
    "label": ("定性指标值", "qualitative value (及时, 有效提升 …)"),
    "value_kind": ("指标值类型", "numeric, qualitative or empty"),
    "weight": ("分值/权重", "分值/权重 where the form has such a column"),
    "horizon": ("目标期间", "annual (年度) or period (实施期)"),
    "source_file": ("来源文件", "file name of the source PDF"),
    "source_sha256": ("来源文件SHA256", "sha256 of the source PDF"),
    "page": ("页码", "page of the 三级指标 cell"),
    "bbox_x0": ("单元格左边界", "cell box on the page, PDF points from the top-left corner"),
    "bbox_top": ("单元格上边界", "cell box on the page, PDF points from the top-left corner"),
    "bbox_x1": ("单元格右边界", "cell box on the page, PDF points from the top-left corner"),
    "bbox_bottom": ("单元格下边界", "cell box on the page, PDF points from the top-left corner"),
    "ocr_confidence": ("OCR置信度", "lowest OCR confidence of the row; empty: read from the text layer"),
    "level1_std": ("一级指标（标准）", "standard 一级指标 category (财预〔2021〕101号)"),
    "level2_std": ("二级指标（标准）", "standard 二级指标 category (社会效益 → 社会效益指标)"),
    "value_base": ("指标数值（基本单位）", "value in the base unit (万元 → 元)"),
    "value_max_base": ("指标数值上限（基本单位）", "upper bound in the base unit"),
    "unit_base": ("基本单位", "base unit of value_base"),
    "project_nature": ("项目性质", "项目性质"),
    "project_category": ("项目类别", "项目类别"),
    "start_date": ("计划开始日期", "计划开始日期"),
    "end_date": ("计划完成日期", "计划完成日期"),
    "funds_total": ("项目资金总额（元）", "项目资金总额 / 实施期资金总额, yuan"),
    "funds_total_fiscal": ("其中：财政资金（元）", "其中：财政资金, yuan"),
    "funds_total_other": ("其他资金（元）", "其他资金 of the total block, yuan"),
    "funds_annual_request": ("年度资金申请总额（元）", "年度资金申请总额, yuan"),
    "funds_annual_appropriation": ("其中：当年财政拨款（元）", "其中：当年财政拨款, yuan"),
    "funds_annual_carryover": ("上年结转资金（元）", "上年结转资金, yuan"),
    "funds_annual_other": ("其他资金（年度，元）", "其他资金 of the annual block, yuan"),
    "funds_budget": ("年度预算金额（元）", "the budget year's amount, whichever block printed it, yuan"),
    "goal_period": ("目标期间", "e.g. 2023年-2023年"),
    "overall_goal": ("项目总目标", "项目总目标"),
    "annual_goal": ("年度总体目标", "年度总体目标"),
    "indicator_count": ("指标数", "number of indicator rows"),
    "first_page": ("起始页", "first page of the form"),
    "last_page": ("结束页", "last page of the form"),
    "layout": ("表式", "form family it was read as"),
    "extraction_method": ("读取方式", "text (text layer) or ocr"),
    "warnings": ("提示", "what the pipeline doubted, one per line"),
    "warning_codes": ("提示代码", "the codes of warnings (empty_value, funds_sum …), one per line"),
    "row_warnings": ("本行提示", "the project's warnings that concern this row"),
    "form_seq": ("表序号", "order of the form in its source PDF"),
    "form_title": ("表名", "the form's printed title"),
    "form_kind": ("表类型", "project or department (部门整体)"),
    "value_bbox_x0": ("值框左", "the value cell's box on page (PDF points, top-left origin)"),
    "value_bbox_top": ("值框上", "the value cell's box on page"),
    "value_bbox_x1": ("值框右", "the value cell's box on page"),
    "value_bbox_bottom": ("值框下", "the value cell's box on page"),
    "weight_total": ("分值合计（表头）", "the weights' total the form's weight column prints"),
    "department_printed": ("主管部门（全称）", "主管部门 in full (the department column may hold a short form)"),
    "rule": ("审核规则", "review rule code (jixiao review --rules)"),
    "title": ("规则名称", "what the rule checks"),
    "finding": ("审核发现", "what the rule found on this form"),
    "explanation": ("说明", "the rule in plain words"),
    "source": ("依据", "where the rule comes from"),
    "applies_to": ("适用表类型", "form kinds the rule applies to"),
    "forms": ("表数", "forms reviewed"),
    "forms_with_findings": ("有发现的表数", "forms with at least one finding"),
    "findings": ("发现数", "findings"),
    # manifest (database exports)
    "source_path": ("来源路径", "path the PDF was read from"),
    "source_path_bytes": ("来源路径（原始字节）", "the path's raw bytes where it is not valid text"),
    "size_bytes": ("文件大小（字节）", "file size"),
    "pages": ("页数", "page count"),
    "status": ("状态", "ok, partial, no_forms or error"),
    "error": ("原因", "why a file is partial, has no forms or could not be read"),
    "indicators": ("指标行数", "indicator rows written"),
    "extraction_methods": ("读取方式", "engines that read pages"),
    "page_decisions": ("逐页判定", "page:text_layer:method"),
    "skipped_tables": ("未读表格", "tables left out, with why"),
    "jixiao_version": ("jixiao版本", "version that wrote the row"),
    "processed_at": ("处理时间", "when the PDF was read (UTC)"),
    "superseded_by": ("被替代", "the sha256 of the file that supersedes this one"),
    "data_files": ("数据文件", "the data files holding this source's rows, relative to the dataset folder"),
}

# Amounts in yuan: shown with thousands separators in XLSX.
MONEY = tuple(c for c in COLUMNS if c.startswith("funds_"))
COORDINATES = ("bbox_x0", "bbox_top", "bbox_x1", "bbox_bottom")
# Long text: wrapped in XLSX.
WRAPPED = ("warnings", "row_warnings", "warning_codes", "overall_goal", "annual_goal", "finding", "explanation", "source")


def title(column: str) -> str:
    return COLUMNS.get(column, (column, ""))[0]


def dictionary_rows(columns: list[str], extra: dict[str, str] | None = None) -> list[dict[str, str]]:
    """One row per column, in first-seen order; EXTRA titles columns not in
    COLUMNS (the review summary's one column per rule)."""
    seen: dict[str, None] = dict.fromkeys(columns)
    extra = extra or {}
    return [
        {"column": c, "title_zh": title(c) if c in COLUMNS else extra.get(c, c),
         "meaning": COLUMNS[c][1] if c in COLUMNS else ("findings of this rule" if c in extra else "")}
        for c in seen
    ]  # fmt: skip
