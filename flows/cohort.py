"""A whole cohort at one checkpoint: every CSU isolated from the others, in batches, then a cohort summary.

CSUs are assessed in batches inside tasks (one task per CSU for cohorts up to `max_batches` CSUs), not one
subflow each: a flow run costs about a second, a task a few milliseconds, and thousands of task runs in one
process overflow Prefect's event queue.

With the setting CSU_ASSURE_FAN_OUT_DEPLOYMENT (e.g. "assess-batch/assess-batch") each batch runs instead as a
run of that deployment, picked up by whichever worker of its pool is free: the scale-out path
(docs/scale-out.md). It is a setting of the machines that run cohort flows, not a parameter: where batches run
is the operator's choice, not the person starting a cohort's.
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
from flows.parameters import DEFAULT_OPTIONS, CheckpointNumber, Folder
from flows.run_context import checkpoint_tag, cohort_tag, run_options, tag_run
from flows.steps import PrefectSteps


def _run_name() -> str:
    params = flow_run.parameters
    return f"cohort-{Path(str(params['cohort_dir'])).name}-cp{int(params['checkpoint'])}"


@flow(name="assess-cohort", flow_run_name=_run_name, log_prints=True)
def cohort_flow(
    cohort_dir: Folder, checkpoint: CheckpointNumber, options: Options = DEFAULT_OPTIONS
) -> CohortSummary:
    """Assess every CSU folder of a cohort at one checkpoint, then write the cohort report.

    A CSU with no submission once the deadline has passed is recorded "not submitted"; one stopped at an earlier
    checkpoint is skipped; one whose assessment raises is reported as an error without stopping the others.

    Args:
        cohort_dir: The cohort: a folder with one sub-folder per CSU, as a path on the machine that runs the
            flow; a relative path starts at the repository root.
        checkpoint: 1 (outline plan), 2 (viability) or 3 (full business plan).
        options: How to run: moderation, PDF copies, a fixed assessment date, re-assessing, a named assessor,
            another rule set. The register and other connections are the flow run's settings (CSU_ASSURE_*),
            never parameters.
    """
    tag_run([checkpoint_tag(checkpoint), cohort_tag(Path(cohort_dir).resolve().name)])
    options = run_options(options)
    config = tasks.configure(options)
    return service.assess_cohort(
        Path(cohort_dir), Checkpoint(checkpoint), config, options, PrefectSteps(flow_run.id, config)
    )
