"""Assess one CSU at one checkpoint: load → validate → run checks → decide → (moderate) → record → report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from csu_assure import pipeline
from csu_assure.domain import Checkpoint
from csu_assure.results import PlanItem
from flows import tasks
from flows.moderation import moderate_in_person


def _run_name() -> str:
    params = flow_run.parameters
    return f"assess-{Path(str(params['csu_dir'])).name}-cp{int(params['checkpoint'])}"


def assess_steps(
    csu_dir: Path,
    checkpoint: Checkpoint,
    config: pipeline.Config,
    *,
    as_of: dt.date | None,
    prior_plan: list[PlanItem] | None,
    moderation: bool,
    force: bool,
    pdf: bool = False,
) -> pipeline.CsuOutcome:
    """The task sequence of one assessment, shared by the assess and progress flows."""
    job = tasks.prepare(csu_dir, checkpoint, config, as_of, prior_plan)
    if isinstance(job, pipeline.CsuOutcome):  # stopped earlier, or awaiting its submission
        return job
    loaded = tasks.load(job)
    draft = tasks.evaluate(job, loaded, config, moderation, flow_run.id)
    outcome = tasks.report(tasks.record(draft, config, force), config)
    if moderation and outcome.awaiting_moderation:
        outcome = pipeline.replace_assessment(outcome, moderate_in_person(outcome, config))
    if pdf:  # after moderation, which rewrites the report
        (outcome,) = tasks.to_pdf([outcome])
    if outcome.assessment is not None:
        tasks.publish_assessment(outcome.assessment)
    return outcome


@flow(name="assess-csu", flow_run_name=_run_name, log_prints=True)
def assess_flow(
    csu_dir: str,
    checkpoint: int,
    as_of: dt.date | None = None,
    prior_plan: list[PlanItem] | None = None,
    moderation: bool = False,
    force: bool = False,
    out_dir: str | None = None,
    register_url: str | None = None,
    rules: str | None = None,
    calendar: str | None = None,
    assessor: str | None = None,
    pdf: bool = False,
) -> pipeline.CsuOutcome:
    """Assess one CSU folder (with cp1/ cp2/ cp3/) at one checkpoint and record it in the register; with
    `pdf`, also write a PDF copy of its report (LibreOffice).

    With `moderation`, the flow pauses before the record is final until an assessor resumes it with
    `csu-assure moderate RUN_ID --assessor NAME [--override CHECK_ID=PASS:reason ...] [--accept]`.
    """
    config = tasks.configure(tasks.build_settings(out_dir, register_url, rules, calendar, assessor))
    return assess_steps(
        Path(csu_dir),
        Checkpoint(checkpoint),
        config,
        as_of=as_of,
        prior_plan=prior_plan,
        moderation=moderation,
        force=force,
        pdf=pdf,
    )
