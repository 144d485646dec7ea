"""Re-assess the CSUs whose waivers have expired: run daily (a scheduled deployment), it finds in the register
every current assessment still applying a waiver whose last day has passed, re-assesses that CSU from the same
submission without it, records the amended assessment in its place and writes the amended report, which says
which waivers expired. A day with nothing expired does nothing; running twice the same day amends once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from csu_assure import service
from csu_assure.service import CsuRun, Options
from flows import tasks
from flows.parameters import DEFAULT_OPTIONS, Folder
from flows.run_context import cohort_tag, run_options, tag_run
from flows.steps import PrefectSteps

# Daily at 06:00 London time: a waiver's last day is over by then, and London's date is UTC's, so a worker on
# either clock (`on` defaults to the worker's today) acts on it that morning, before the working day. Declared
# with the other deployments in flows/deployments.py.
SCHEDULE_CRON, SCHEDULE_TIMEZONE = "0 6 * * *", "Europe/London"


@flow(name="reassess-expired-waivers", log_prints=True)
def reassess_expired_waivers_flow(
    cohort_dir: Folder, on: dt.date | None = None, options: Options = DEFAULT_OPTIONS
) -> list[CsuRun]:
    """Re-assess every CSU of `cohort_dir` whose current assessment applies a waiver that expired before `on`
    (default: today), issuing an amended report. A CSU that cannot be re-assessed as it was (its files changed,
    its folder is gone) is logged as an error and the others go on; the run then fails, so it shows.

    Args:
        cohort_dir: The cohort: a folder with one sub-folder per CSU, as a path on the machine that runs the
            flow; a relative path starts at the repository root.
        on: The day to act as of (default: the worker's today): waivers whose last day is before it have expired.
        options: How to run: PDF copies, a named assessor, another rule set. The register and other connections
            are the flow run's settings (CSU_ASSURE_*), never parameters.
    """
    tag_run([cohort_tag(Path(cohort_dir).resolve().name)])
    options = run_options(options)
    config = tasks.configure(options)
    day = on or dt.date.today()
    runs = service.reassess_expired_waivers(
        Path(cohort_dir), config, on=day, steps=PrefectSteps(flow_run.id, config)
    )
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
