"""Data-quality issues in every rendering of a record: the Word report, the Prefect markdown, the JSON and CSV."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from csu_assure import synthetic
from csu_assure.domain import Disposition
from csu_assure.render.formats import ExportFormat, ExportTable
from csu_assure.render.markdown import assessment_markdown
from csu_assure.render.records import export, read_json, run_json
from csu_assure.render.word import write_assessment_report
from csu_assure.results import Assessment, AssessmentSummary, CsuRow
from tests.render.conftest import all_text

PLACEHOLDER_COSTS = {
    "update": [{"table": "financial_plan", "where": {"year": 1}, "set": {"costs": "99999999.00"}}]
}


@pytest.fixture(scope="module")
def implausible(assess_raw: Callable[..., Assessment]) -> Assessment:
    raw = synthetic.apply_patch(synthetic.baseline(csu_id="thames-like", checkpoint=2), PLACEHOLDER_COSTS)
    return assess_raw(raw)


def test_the_report_lists_the_issues_and_says_why_the_finance_chart_is_missing(
    implausible: Assessment, tmp_path: Path
) -> None:
    text = all_text(write_assessment_report(implausible, tmp_path / "report.docx"))

    assert "\nData quality\n" in text
    assert "financial_plan.csv, rows 1–70: costs" in text and "£99,999,999.00" in text
    assert "Set aside: not judged" in text
    assert (
        "One submitted figure was implausible and set aside, so the checks that needed it lack evidence; the "
        "assessor must resolve each with the CSU (see Data quality)."
    ) in text
    assert "(year-one deficit in the business plan: insufficient evidence)" in text
    assert "Chart not shown: the financial plan's figures are implausible and were set aside" in text
    assert "gives a deficit" not in text  # CP2-BUS-01 did not judge the placeholder


def test_a_report_without_issues_has_no_data_quality_section(
    assess_raw: Callable[..., Assessment], tmp_path: Path
) -> None:
    a = assess_raw(synthetic.baseline(csu_id="plausible", checkpoint=2))
    text = all_text(write_assessment_report(a, tmp_path / "report.docx"))
    assert a.data_quality == () and "Data quality" not in text and "data-quality" not in text


def test_the_markdown_artifact_has_a_data_quality_section(implausible: Assessment) -> None:
    text = assessment_markdown(implausible)
    section = text.split("## Data quality", 1)[1]
    assert r"- financial\_plan.csv rows 1–70, costs: £99,999,999.00 is a placeholder, not a figure" in section
    assert "## Data quality" not in assessment_markdown(implausible.model_copy(update={"data_quality": ()}))


def test_json_carries_the_issues_and_csv_counts_them(implausible: Assessment, tmp_path: Path) -> None:
    row = CsuRow(
        csu_id=implausible.csu_id,
        csu_name=implausible.csu_name,
        checkpoint=implausible.checkpoint,
        disposition=Disposition.ASSESSED,
        summary=AssessmentSummary.of(implausible),
    )
    [issue] = run_json(row)["data_quality"]
    assert (issue["file"], issue["field"], issue["rows"][:3], issue["set_aside"]) == (
        "financial_plan.csv",
        "costs",
        [1, 2, 3],
        True,
    )

    [written] = export([implausible], ExportFormat.CSV, tmp_path / "a.csv", (ExportTable.ASSESSMENTS,))
    with written.open(encoding="utf-8-sig", newline="") as handle:
        [exported] = list(csv.DictReader(handle))
    assert exported["data_quality_issues"] == "1"

    [document] = export([implausible], ExportFormat.JSON, tmp_path / "a.json")
    assert read_json(document)[0].data_quality == implausible.data_quality
