"""One CSU through checkpoints 1 → 2 → 3: a stop ends it; each checkpoint's development plan goes to the next."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from csu_assure import pipeline
from csu_assure.domain import Checkpoint
from flows import tasks
from flows.assess import assess_steps


def _run_name() -> str:
    return f"progress-{Path(str(flow_run.parameters['csu_dir'])).name}"


@flow(name="progress-csu", flow_run_name=_run_name, log_prints=True)
def progress_flow(
    csu_dir: str,
    as_of: dict[int, dt.date] | None = None,
    moderation: bool = False,
    force: bool = False,
    out_dir: str | None = None,
    register_url: str | None = None,
    rules: str | None = None,
    calendar: str | None = None,
    assessor: str | None = None,
    pdf: bool = False,
) -> list[pipeline.CsuOutcome]:
    """Assess checkpoint 1, then 2, then 3 while the CSU proceeds. `as_of` maps a checkpoint to its date
    (default: the day after each deadline); with `pdf`, each report also gets a PDF copy."""
    config = tasks.configure(tasks.build_settings(out_dir, register_url, rules, calendar, assessor))
    outcomes: list[pipeline.CsuOutcome] = []
    plan = []
    for checkpoint in Checkpoint:
        outcome = assess_steps(
            Path(csu_dir),
            checkpoint,
            config,
            as_of=(as_of or {}).get(int(checkpoint)),
            prior_plan=plan,
            moderation=moderation,
            force=force,
            pdf=pdf,
        )
        outcomes.append(outcome)
        if not outcome.proceeds:
            break
        plan = list(outcome.assessment.development_plan) if outcome.assessment else []
    return outcomes
