"""The Prefect tasks: one per step of `csu_assure.service`, each body one call into it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

import checks
from csu_assure import engine, service
from csu_assure.domain import Checkpoint
from csu_assure.results import Assessment, CohortSummary, PlanItem
from csu_assure.service import CohortTally, Config, CsuRun, Job, Loaded, Options
from csu_assure.whatif import WhatIf, run_whatif
from flows.secrets import resolve_secrets


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only what a retry can cure (file system, database I/O), never a bug or bad data."""
    try:
        state.result()
    except service.TRANSIENT_ERRORS:
        return True
    except Exception:
        return False
    return False


# Inputs here are live objects (a register connection, submissions): nothing to cache or persist.
STEP: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}
IO_STEP: dict[str, Any] = {
    **STEP,
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _transient,
}


@task(name="configure", **IO_STEP)
def configure(options: Options) -> Config:
    """The run's configuration: these options over this machine's CSU_ASSURE_* settings (a setting naming a
    Prefect Secret block is loaded here, in the flow run), the shipped checks."""
    return service.configure(resolve_secrets(options.settings()), checks.catalogue())


@task(name="prepare", **IO_STEP)
def prepare(
    csu_dir: Path,
    checkpoint: Checkpoint,
    config: Config,
    as_of: dt.date | None,
    prior_plan: Sequence[PlanItem] | None,
) -> Job | CsuRun:
    return service.prepare(csu_dir, checkpoint, config, as_of=as_of, prior_plan=prior_plan)


@task(name="load and validate", **IO_STEP)
def load(job: Job) -> Loaded:
    return service.load_job(job)


@task(name="run checks and decide", **STEP)
def evaluate(job: Job, loaded: Loaded, config: Config, moderated: bool, flow_run_id: str | None) -> CsuRun:
    return service.evaluate(job, loaded, config, moderated=moderated, flow_run_id=flow_run_id)


@task(name="record", **IO_STEP)
def record(run: CsuRun, config: Config, force: bool) -> CsuRun:
    return service.record(run, config, force=force)


@task(name="report", **IO_STEP)
def report(run: CsuRun, config: Config) -> CsuRun:
    return service.report(run, config)


@task(name="pdf copies", **IO_STEP)
def pdf_copies(runs: list[CsuRun]) -> list[CsuRun]:
    return service.pdf_copies(runs)


@task(name="moderate", **STEP)
def moderate(
    run: CsuRun,
    config: Config,
    assessor: str,
    overrides: list[engine.Override],
    waivers: list[engine.Waiver],
    note: str | None,
) -> Assessment:
    # Moderation is a person's act on a real day, unlike the assessment's as_of.
    return service.moderate(
        run, config, assessor=assessor, overrides=overrides, waivers=waivers, note=note, on=dt.date.today()
    )


@task(name="record moderation and report", **IO_STEP)
def finish_moderation(draft: Assessment, moderated: Assessment, config: Config) -> Assessment:
    return service.finish_moderation(draft, moderated, config)


@task(name="find expired waivers", **IO_STEP)
def find_lapsed(config: Config, on: dt.date) -> list[Assessment]:
    return service.lapsed_records(config, on)


@task(name="re-assess without the expired waivers", **IO_STEP)
def amend(
    record: Assessment, cohort_dir: Path, config: Config, on: dt.date, flow_run_id: str | None
) -> CsuRun:
    return service.amend_record(record, cohort_dir, config, on=on, flow_run_id=flow_run_id)


@task(name="assess batch", **IO_STEP)
def assess_batch(
    csu_dirs: list[Path], checkpoint: Checkpoint, config: Config, options: Options, flow_run_id: str | None
) -> list[CsuRun]:
    return service.assess_batch(csu_dirs, checkpoint, config, options, flow_run_id=flow_run_id)


@task(name="cohort summary", **IO_STEP)
def summarise(tally: CohortTally, config: Config) -> CohortSummary:
    return service.summarise_cohort(tally, config)


@task(name="what-if", **STEP)
def whatif(
    cohort_dir: str, checkpoint: int, rules: str, against: str | None, options: Options, workers: int
) -> WhatIf:
    """Read-only: the cohort assessed in memory under both rule sets (a register named by a Prefect Secret block
    resolved here, as `configure` resolves it)."""
    return run_whatif(
        Path(cohort_dir),
        Checkpoint(checkpoint),
        Path(rules),
        resolve_secrets(options.settings()),
        checks.catalogue,
        base_rules=Path(against) if against else None,
        as_of=options.as_of,
        workers=workers,
    )
