"""Re-assess the CSUs whose waivers have expired: run daily (a scheduled deployment), it finds in the register
every current assessment still applying a waiver whose last day has passed, re-assesses that CSU from the same
submission without it, records the amended assessment in its place and writes the amended report, which says
which waivers expired. A day with nothing expired does nothing; running twice the same day amends once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from csu_assure import service
from csu_assure.service import CsuRun, Options
from flows import tasks
from flows.steps import PrefectSteps

# Daily at 06:00 London time: a waiver's last day is over by then, and London's date is UTC's, so a worker on
# either clock (`on` defaults to the worker's today) acts on it that morning, before the working day.
SCHEDULE = {"cron": "0 6 * * *", "timezone": "Europe/London"}


def deployment_spec(cohort_dir: str) -> dict[str, Any]:
    """The scheduled deployment, in the shape `flows.deployments.scheduled_specs` gives `prefect.yaml`'s entries,
    for the one deployment definition to declare (and `serve` to serve, with `Cron(**SCHEDULE)`)."""
    return {
        "name": "reassess-expired-waivers",
        "entrypoint": "flows/waivers.py:reassess_expired_waivers_flow",
        "parameters": {"cohort_dir": cohort_dir},
        "schedules": [dict(SCHEDULE)],
    }


@flow(name="reassess-expired-waivers", log_prints=True)
def reassess_expired_waivers_flow(
    cohort_dir: str, on: dt.date | None = None, options: Options | None = None
) -> list[CsuRun]:
    """Re-assess every CSU of `cohort_dir` whose current assessment applies a waiver that expired before `on`
    (default: today), issuing an amended report. A CSU that cannot be re-assessed as it was (its files changed,
    its folder is gone) is logged as an error and the others go on; the run then fails, so it shows."""
    options = options or Options()
    config = tasks.configure(options)
    day = on or dt.date.today()
    runs = service.reassess_expired_waivers(Path(cohort_dir), config, on=day, steps=PrefectSteps(flow_run.id))
    logger = get_run_logger()
    for run in runs:
        if run.failed:
            logger.error("%s checkpoint %d: %s", run.csu_id, int(run.checkpoint), run.message)
        else:
            logger.info("%s checkpoint %d amended: %s", run.csu_id, int(run.checkpoint), run.message)
    logger.info("Expired waivers as of %s: %d assessment(s) amended.", day, sum(not r.failed for r in runs))
    failed = [r.csu_id for r in runs if r.failed]
    if failed:
        raise RuntimeError(f"expired waivers not acted on for {', '.join(failed)} (see the log)")
    return runs
