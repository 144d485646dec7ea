"""The Prefect tasks the flows sequence: each body is one call into `csu_assure.pipeline`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from csu_assure import pipeline
from csu_assure.domain import Checkpoint
from csu_assure.results import Assessment, PlanItem
from csu_assure.settings import Settings
from csu_assure.submission import Submission


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only what a retry can cure (file system, database I/O), never a bug or bad data."""
    try:
        state.result()
    except pipeline.TRANSIENT_ERRORS:
        return True
    except Exception:
        return False
    return False


# Inputs here are live objects (a register connection, submissions): nothing to cache or persist.
STEP = {"cache_policy": NO_CACHE, "persist_result": False}
IO_STEP = {
    **STEP,
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _transient,
}


def build_settings(
    out_dir: str | None,
    register_url: str | None,
    rules: str | None,
    calendar: str | None,
    assessor: str | None,
) -> Settings:
    """Settings from flow parameters; what a parameter leaves out comes from CSU_ASSURE_* variables."""
    given: dict[str, Any] = {
        "out_dir": out_dir,
        "register_url": register_url,
        "rules": rules,
        "calendar": calendar,
        "assessor": assessor,
    }
    return Settings(**{k: v for k, v in given.items() if v is not None})


@task(name="configure", **IO_STEP)
def configure(settings: Settings) -> pipeline.Config:
    return pipeline.configure(settings)


@task(name="prepare", **IO_STEP)
def prepare(
    csu_dir: Path,
    checkpoint: Checkpoint,
    config: pipeline.Config,
    as_of: dt.date | None,
    prior_plan: list[PlanItem] | None,
) -> pipeline.Job | pipeline.CsuOutcome:
    return pipeline.prepare(csu_dir, checkpoint, config, as_of=as_of, prior_plan=prior_plan)


@task(name="load and validate", **IO_STEP)
def load(job: pipeline.Job) -> Submission | pipeline.Invalid | None:
    return pipeline.load_job(job)


@task(name="run checks and decide", **STEP)
def evaluate(
    job: pipeline.Job,
    loaded: Submission | pipeline.Invalid | None,
    config: pipeline.Config,
    moderated: bool,
    flow_run_id: str | None,
) -> pipeline.CsuOutcome:
    return pipeline.evaluate(job, loaded, config, moderated=moderated, flow_run_id=flow_run_id)


@task(name="record", **IO_STEP)
def record(outcome: pipeline.CsuOutcome, config: pipeline.Config, force: bool) -> pipeline.CsuOutcome:
    return pipeline.record_outcome(outcome, config, force=force)


@task(name="report", **IO_STEP)
def report(outcome: pipeline.CsuOutcome, config: pipeline.Config) -> pipeline.CsuOutcome:
    return pipeline.report_outcome(outcome, config)


@task(name="pdf copies", **IO_STEP)
def to_pdf(outcomes: list[pipeline.CsuOutcome]) -> list[pipeline.CsuOutcome]:
    return pipeline.pdf_copies(outcomes)


@task(name="moderate", **STEP)
def moderate(
    outcome: pipeline.CsuOutcome,
    config: pipeline.Config,
    assessor: str,
    overrides: list[pipeline.Override],
    note: str | None,
) -> Assessment:
    assert outcome.assessment is not None
    return pipeline.moderate(
        outcome.assessment,
        outcome.path,
        config,
        assessor=assessor,
        overrides=overrides,
        note=note,
        on=dt.date.today(),  # moderation is a person's act on a real day, unlike the assessment's as_of
    )


@task(name="record moderation and report", **IO_STEP)
def finish_moderation(draft: Assessment, moderated: Assessment, config: pipeline.Config) -> Assessment:
    return pipeline.finish_moderation(draft, moderated, config)


@task(name="assess batch", **IO_STEP)
def assess_batch(
    csu_dirs: list[Path], checkpoint: Checkpoint, config: pipeline.Config, options: dict[str, Any]
) -> list[pipeline.CsuOutcome]:
    return pipeline.run_batch(csu_dirs, checkpoint, config, **options)


@task(name="cohort summary", **IO_STEP)
def summarise(
    outcomes: list[pipeline.CsuOutcome], checkpoint: Checkpoint, config: pipeline.Config, cohort: str
) -> pipeline.CohortSummary:
    return pipeline.summarise_cohort(outcomes, checkpoint, config, cohort)


def _key(*parts: object) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    text = "-".join(str(p) for p in parts).lower()
    return "".join(c if c.isalnum() and c.isascii() else "-" for c in text).strip("-")[:100]


def _publish_summary(assessment: Assessment) -> str:
    """The assessment's markdown summary artifact; returns its key, which its other artifacts extend."""
    key = _key("assessment", assessment.csu_id, f"cp{int(assessment.checkpoint)}")
    create_markdown_artifact(
        pipeline.assessment_markdown(assessment), key=key, description="Decision, RAG and conditions"
    )
    return key


@task(name="publish assessment", **STEP)
def publish_assessment(assessment: Assessment) -> None:
    """Markdown summary, table of check results and a link to the Word report."""
    key = _publish_summary(assessment)
    create_table_artifact(
        pipeline.results_table(assessment), key=f"{key}-checks", description="Check results"
    )
    if assessment.report_path:
        create_link_artifact(
            Path(assessment.report_path).resolve().as_uri(),
            link_text=Path(assessment.report_path).name,
            key=f"{key}-report",
            description="Word report",
        )


# Per-CSU artifacts in a cohort run only for cohorts up to this size: beyond it they would crowd the UI and the
# event stream, and the cohort summary, its table and the register hold every CSU anyway.
EACH_ASSESSMENT_UP_TO = 100


def publish_summaries(outcomes: Sequence[pipeline.CsuOutcome], checkpoint: Checkpoint) -> None:
    """In a cohort run, one markdown artifact per CSU assessed at `checkpoint` (decision, RAG, conditions and
    the report's path), under the same key as a single run's: the cohort's table already has a row per CSU,
    and each artifact costs the API about 20 ms, so the per-check table and the link are left to single runs."""
    for o in outcomes:
        if o.assessment is not None and o.assessment.checkpoint == checkpoint:
            _publish_summary(o.assessment)


@task(name="publish cohort", **STEP)
def publish_cohort(
    summary: pipeline.CohortSummary, each_assessment: bool = True, table_rows_up_to: int = 1_000
) -> None:
    """The cohort's summary, table and report link; with `each_assessment`, also every CSU's summary artifact
    unless the cohort has more than EACH_ASSESSMENT_UP_TO CSUs.

    The summary's and the table's rows per CSU are capped: Prefect refuses an event over its size limit (1.5 MB
    by default: about 2,600 table rows or 10,000 summary rows here) and an artifact's data travels in its
    event; every CSU is in the register, the cohort report and `csu-assure export` regardless.
    """
    key = _key("cohort", summary.cohort, f"cp{int(summary.checkpoint)}")
    create_markdown_artifact(
        pipeline.cohort_markdown(summary, rows_up_to=table_rows_up_to), key=key, description="Cohort summary"
    )
    shown = summary.outcomes[:table_rows_up_to]
    create_table_artifact(
        [pipeline.outcome_json(o) | {"domains": str(pipeline.outcome_json(o)["domains"])} for o in shown],
        key=f"{key}-csus",
        description="One row per CSU"
        + (
            f" (first {len(shown)} of {len(summary.outcomes)}; see the cohort report for all)"
            if len(shown) < len(summary.outcomes)
            else ""
        ),
    )
    if summary.report_path:
        create_link_artifact(
            summary.report_path.as_uri(), link_text=summary.report_path.name, key=f"{key}-report"
        )
    if each_assessment and len(summary.outcomes) <= EACH_ASSESSMENT_UP_TO:
        publish_summaries(summary.outcomes, summary.checkpoint)
