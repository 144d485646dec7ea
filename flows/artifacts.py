"""What a run publishes to the Prefect UI: a summary per assessment and per cohort, tables and report links."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from csu_assure.domain import Checkpoint
from csu_assure.render.analysis import change_rows, whatif_markdown
from csu_assure.render.links import ReportLinks
from csu_assure.render.markdown import (
    assessment_markdown,
    cohort_markdown,
    cohort_table,
    report_markdown,
    results_table,
)
from csu_assure.results import Assessment, CohortSummary
from csu_assure.service import CsuRun
from csu_assure.whatif import WhatIf

# Per-CSU artifacts in a cohort run only for cohorts up to this size: beyond it they would crowd the UI and the
# event stream, and the cohort summary, its table and the register hold every CSU anyway.
EACH_ASSESSMENT_UP_TO = 100
# Rows per CSU in a cohort's summary and table: Prefect refuses an event over its size limit (1.5 MB by default:
# about 2,600 table rows or 10,000 summary rows here) and an artifact's data travels in its event; every CSU is
# in the register, the cohort report and `csu-assure export` regardless.
TABLE_ROWS_UP_TO = 1_000


def _table_row(data: dict[str, object]) -> dict[str, object]:
    """A run's JSON as a table row: nested values as text (a table cell holds one value)."""
    return data | {
        "domains": str(data["domains"]),
        "firmness": str(data["firmness"]) if data["firmness"] else "",
    }


def key(*parts: object) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    text = "-".join(str(p) for p in parts).lower()
    return "".join(c if c.isalnum() and c.isascii() else "-" for c in text).strip("-")[:100]


def publish_summary(assessment: Assessment, links: ReportLinks | None = None) -> str:
    """The assessment's markdown summary artifact; returns its key, which its other artifacts extend."""
    found = key("assessment", assessment.csu_id, f"cp{int(assessment.checkpoint)}")
    create_markdown_artifact(
        assessment_markdown(assessment, links), key=found, description="Decision, RAG and conditions"
    )
    return found


def publish_report(path: str | Path, links: ReportLinks | None, artifact_key: str, description: str) -> None:
    """A link to a report where the reports folder is served (CSU_ASSURE_REPORTS_URL), which a browser opens;
    otherwise its path, as text: a `file://` link from a web page is refused by browsers."""
    url = links.url(path) if links else None
    if url:
        create_link_artifact(url, link_text=Path(path).name, key=artifact_key, description=description)
    else:
        create_markdown_artifact(
            f"{description}: {report_markdown(path, None)}\n\n(Set CSU_ASSURE_REPORTS_URL where "
            "`csu-assure reports serve` serves the reports folder for a link a browser opens.)",
            key=artifact_key,
            description=description,
        )


@task(name="publish assessment", cache_policy=NO_CACHE, persist_result=False)
def publish_assessment(assessment: Assessment, links: ReportLinks | None = None) -> None:
    """Markdown summary, table of check results and a link to the Word report."""
    found = publish_summary(assessment, links)
    create_table_artifact(results_table(assessment), key=f"{found}-checks", description="Check results")
    if assessment.report_path:
        publish_report(assessment.report_path, links, f"{found}-report", "Word report")


def publish_summaries(
    runs: Sequence[CsuRun], checkpoint: Checkpoint, links: ReportLinks | None = None
) -> None:
    """In a cohort run, one markdown artifact per CSU assessed at `checkpoint` (decision, RAG, conditions and
    the report's path), under the same key as a single run's: the cohort's table already has a row per CSU,
    and each artifact costs the API about 20 ms, so the per-check table and the link are left to single runs."""
    for run in runs:
        if run.assessment is not None and run.assessment.checkpoint == checkpoint:
            publish_summary(run.assessment, links)


@task(name="publish cohort", cache_policy=NO_CACHE, persist_result=False)
def publish_cohort(
    summary: CohortSummary, links: ReportLinks | None = None, table_rows_up_to: int = TABLE_ROWS_UP_TO
) -> None:
    """The cohort's summary, its table (a row per CSU, capped) and a link to its report."""
    found = key("cohort", summary.cohort, f"cp{int(summary.checkpoint)}")
    create_markdown_artifact(
        cohort_markdown(summary, rows_up_to=table_rows_up_to, links=links),
        key=found,
        description="Cohort summary",
    )
    shown = summary.rows[:table_rows_up_to]
    create_table_artifact(
        cohort_table(summary, rows_up_to=table_rows_up_to, links=links),
        key=f"{found}-csus",
        description="One row per CSU"
        + (
            f" (first {len(shown)} of {len(summary.rows)}; see the cohort report for all)"
            if len(shown) < len(summary.rows)
            else ""
        ),
    )
    if summary.report_path:
        publish_report(summary.report_path, links, f"{found}-report", "Cohort report")


@task(name="publish what-if", cache_policy=NO_CACHE, persist_result=False)
def publish_whatif(result: WhatIf, table_rows_up_to: int = TABLE_ROWS_UP_TO) -> None:
    """The what-if's summary (both rule sets, names, versions and hashes) and its table: a row per CSU that
    changes (capped, as a cohort's table is; the JSON and workbook of `csu-assure whatif` hold every one)."""
    found = key("whatif", result.cohort, f"cp{int(result.checkpoint)}")
    create_markdown_artifact(whatif_markdown(result), key=found, description="What-if summary")
    rows = change_rows(result)
    shown = rows[:table_rows_up_to]
    create_table_artifact(
        shown,
        key=f"{found}-changes",
        description=f"CSUs that change from {result.base.label} to {result.alt.label}"
        + (f" (first {len(shown)} of {len(rows)})" if len(shown) < len(rows) else ""),
    )
