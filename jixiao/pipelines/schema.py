"""The dataset's Parquet schemas, as code (never inferred from the data).

The partition columns (year, department) live in the directory names, as
Hive-style partitioning expects; the files hold the other columns.
"""

from __future__ import annotations

import pyarrow as pa

PARTITIONS = ("year", "department")

INDICATORS = pa.schema(
    [
        ("implementing_unit", pa.string()),
        ("project_id", pa.string()),
        ("project_name", pa.string()),
        ("seq", pa.int32()),
        ("level1", pa.string()),
        ("level2", pa.string()),
        ("level3", pa.string()),
        ("value_raw", pa.string()),
        ("operator", pa.string()),
        ("value", pa.float64()),
        ("value_max", pa.float64()),
        ("value_unit", pa.string()),
        ("label", pa.string()),
        ("value_kind", pa.string()),
        ("weight", pa.float64()),
        ("horizon", pa.string()),
        ("source_file", pa.string()),
        ("source_sha256", pa.string()),
        ("page", pa.int32()),
        # Provenance: the 三级指标 cell's box on `page`, PDF points, top-left origin.
        ("bbox_x0", pa.float64()),
        ("bbox_top", pa.float64()),
        ("bbox_x1", pa.float64()),
        ("bbox_bottom", pa.float64()),
        # The value cell's box on `page` (null where the value has no cell of its own).
        ("value_bbox_x0", pa.float64()),
        ("value_bbox_top", pa.float64()),
        ("value_bbox_x1", pa.float64()),
        ("value_bbox_bottom", pa.float64()),
        # Lowest OCR confidence of the row's cells; null for text-layer rows.
        ("ocr_confidence", pa.float64()),
        # The project's warnings that concern this row.
        ("row_warnings", pa.list_(pa.string())),
        # Analysis-safe columns (normalize/standard.py), beside the printed ones.
        ("level1_std", pa.string()),
        ("level2_std", pa.string()),
        ("value_base", pa.float64()),
        ("value_max_base", pa.float64()),
        ("unit_base", pa.string()),
    ]
)

PROJECTS = pa.schema(
    [
        ("implementing_unit", pa.string()),
        ("project_id", pa.string()),
        ("project_name", pa.string()),
        ("project_nature", pa.string()),
        ("project_category", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("funds_total", pa.float64()),
        ("funds_total_fiscal", pa.float64()),
        ("funds_total_other", pa.float64()),
        ("funds_annual_request", pa.float64()),
        ("funds_annual_appropriation", pa.float64()),
        ("funds_annual_carryover", pa.float64()),
        ("funds_annual_other", pa.float64()),
        ("goal_period", pa.string()),
        ("overall_goal", pa.string()),
        ("annual_goal", pa.string()),
        ("indicator_count", pa.int32()),
        ("source_file", pa.string()),
        ("source_sha256", pa.string()),
        ("first_page", pa.int32()),
        ("last_page", pa.int32()),
        ("layout", pa.string()),
        ("extraction_method", pa.string()),
        ("warnings", pa.list_(pa.string())),
        # Order of the form in its source document, from 1.
        ("form_seq", pa.int32()),
        ("form_title", pa.string()),
        ("form_kind", pa.string()),  # "project" | "department"
        # 主管部门 in full: the `department` partition holds a stable short form
        # of a name too long for a folder (pipelines/write.py).
        ("department_printed", pa.string()),
        # The weights' total the weight column prints (分值（90） -> 90, 指标权重(%) -> 100).
        ("weight_total", pa.float64()),
        # The codes of `warnings` (normalize/forms.py lists them), for filtering.
        ("warning_codes", pa.list_(pa.string())),
        # The budget year's amount, whichever block printed it (normalize/standard.py).
        ("funds_budget", pa.float64()),
    ]
)

MANIFEST = pa.schema(
    [
        ("source_sha256", pa.string()),
        ("source_file", pa.string()),
        ("source_path", pa.string()),
        ("size_bytes", pa.int64()),
        ("pages", pa.int32()),
        ("status", pa.string()),  # ok | no_forms | partial | error | superseded
        ("error", pa.string()),
        ("forms", pa.int32()),
        ("indicators", pa.int32()),
        ("extraction_methods", pa.list_(pa.string())),
        ("page_decisions", pa.list_(pa.string())),  # "3:sound:text", "4:absent:ocr", ...
        ("skipped_tables", pa.list_(pa.string())),
        ("jixiao_version", pa.string()),
        ("processed_at", pa.timestamp("s", tz="UTC")),
        # The path's raw bytes: file names need not be UTF-8 (source_file and
        # source_path hold them escaped, \xNN, so that they are valid text).
        ("source_path_bytes", pa.binary()),
        # For status superseded: the sha256 of the content that replaced this
        # one at the same path.
        ("superseded_by", pa.string()),
        # The data files holding this source's rows, relative to the dataset
        # folder: a re-read removes those it no longer writes without listing
        # the dataset (null in manifests written before they were recorded).
        ("data_files", pa.list_(pa.string())),
    ]
)
