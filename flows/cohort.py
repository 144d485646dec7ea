"""A whole cohort at one checkpoint: every CSU isolated from the others, in batches, then a cohort summary.

CSUs are assessed in batches inside tasks (one task per CSU for cohorts up to `max_batches` CSUs), not one
subflow each: a flow run costs about a second, a task a few milliseconds, and thousands of task runs in one
process overflow Prefect's event queue.

With `fan_out_deployment` (e.g. "assess-batch/assess-batch") each batch runs instead as a run of that deployment,
picked up by whichever worker of its pool is free: the scale-out path (docs/scale-out.md).
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from csu_assure import service
from csu_assure.domain import Checkpoint
from csu_assure.results import CohortSummary
from csu_assure.service import Options
from flows import tasks
from flows.steps import PrefectSteps


def _run_name() -> str:
    params = flow_run.parameters
    return f"cohort-{Path(str(params['cohort_dir'])).name}-cp{int(params['checkpoint'])}"


@flow(name="assess-cohort", flow_run_name=_run_name, log_prints=True)
def cohort_flow(
    cohort_dir: str,
    checkpoint: int,
    options: Options | None = None,
    max_batches: int = service.MAX_BATCHES,
    fan_out_deployment: str | None = None,
) -> CohortSummary:
    """Assess every CSU folder of a cohort at one checkpoint. A CSU with no submission once the deadline has
    passed is recorded "not submitted"; one stopped at an earlier checkpoint is skipped; one whose assessment
    raises is reported as an error without stopping the others. With `fan_out_deployment`, each batch is a run of
    that deployment (see flows/batch.py) rather than a task of this run."""
    options = options or Options()
    config = tasks.configure(options)
    steps = PrefectSteps(flow_run.id, fan_out_deployment)
    return service.assess_cohort(
        Path(cohort_dir), Checkpoint(checkpoint), config, options, steps, max_batches=max_batches
    )
