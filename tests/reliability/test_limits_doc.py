"""docs/limits.md states every limit the loaders enforce, with the value the code holds now."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from csu_assure.loading import cohort_file, folder, tables, workbook

DOC = Path(__file__).resolve().parents[2] / "docs" / "limits.md"
LIMITS = {
    "MAX_PLAN_BYTES": folder.MAX_PLAN_BYTES,
    "MAX_TABLE_BYTES": folder.MAX_TABLE_BYTES,
    "MAX_YAML_DEPTH": folder.MAX_YAML_DEPTH,
    "MAX_ROWS": tables.MAX_ROWS,
    "MAX_WORKBOOK_BYTES": workbook.MAX_WORKBOOK_BYTES,
    "MAX_UNCOMPRESSED_BYTES": workbook.MAX_UNCOMPRESSED_BYTES,
    "MAX_COMPRESSION_RATIO": workbook.MAX_COMPRESSION_RATIO,
    "RATIO_CHECKED_FROM_BYTES": workbook.RATIO_CHECKED_FROM_BYTES,
    "MAX_ZIP_MEMBERS": workbook.MAX_ZIP_MEMBERS,
    "MAX_COLUMNS": workbook.MAX_COLUMNS,
    "MAX_COHORT_FILE_BYTES": cohort_file.MAX_COHORT_FILE_BYTES,
    "csv.field_size_limit()": csv.field_size_limit(),
}


def _table_row(name: str) -> str:
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    found = [row for row in rows if f"`{name}`" in row]
    assert len(found) == 1, f"docs/limits.md: expected one table row naming `{name}`, found {len(found)}"
    return found[0]


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_the_limits_doc_states_the_current_value(name: str) -> None:
    value = LIMITS[name]
    assert f"{value:,}" in _table_row(name), f"docs/limits.md: `{name}` should say {value:,}"


def test_every_upper_case_limit_of_the_loaders_is_documented() -> None:
    constants = {
        attr
        for module in (folder, tables, workbook, cohort_file)
        for attr, value in vars(module).items()
        if (attr.startswith("MAX_") or attr.endswith("_BYTES")) and isinstance(value, int)
    }
    assert constants <= set(LIMITS), f"undocumented limits: {sorted(constants - set(LIMITS))}"
