"""A batch of a cohort's CSUs as a flow of its own, so a cohort run can fan its batches out to workers.

A cohort run whose settings name `CSU_ASSURE_FAN_OUT_DEPLOYMENT=assess-batch/assess-batch` runs each batch as a
run of the `assess-batch` deployment (`run_deployment`), which any worker of the deployment's pool picks up: several
machines share one cohort. Each batch returns its outcomes as a persisted result that the cohort run reads back,
so result storage must be reachable from every machine (a shared `PREFECT_RESULTS_LOCAL_STORAGE_PATH` or a
storage block); the register must be a shared database and `out_dir` a shared folder. See docs/scale-out.md.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.deployments import run_deployment
from prefect.runtime import flow_run

from csu_assure.domain import Checkpoint
from csu_assure.render.links import ReportLinks
from csu_assure.service import CsuRun, Options
from flows import tasks
from flows.parameters import DEFAULT_OPTIONS, CheckpointNumber, Folders
from flows.run_context import checkpoint_tag, cohort_tag, run_options, tag_run
from flows.sync import synchronously


def _run_name() -> str:
    params = flow_run.parameters
    dirs = [Path(str(d)).name for d in params["csu_dirs"]]
    span = f"{dirs[0]}..{dirs[-1]}" if len(dirs) > 1 else (dirs[0] if dirs else "empty")
    return f"batch-{span}-cp{int(params['checkpoint'])}"


@flow(name="assess-batch", flow_run_name=_run_name, log_prints=True, persist_result=True)
def batch_flow(
    csu_dirs: Folders, checkpoint: CheckpointNumber, options: Options = DEFAULT_OPTIONS
) -> list[CsuRun]:
    """Assess a batch of CSU folders at one checkpoint, each isolated from the others; started by a cohort run.

    No moderation pause here: with `options.moderation` the drafts are recorded and the cohort run that fanned
    out pauses for them. With `options.pdf`, the batch's reports get PDF copies, made by this worker's own
    LibreOffice.

    Args:
        csu_dirs: The batch's CSU folders, as paths on the worker (the cohort run that fans out fills this in).
        checkpoint: 1 (outline plan), 2 (viability) or 3 (full business plan).
        options: How to run: moderation, PDF copies, a fixed assessment date, re-assessing, a named assessor,
            another rule set. The register and other connections are the flow run's settings (CSU_ASSURE_*),
            never parameters.
    """
    tag_run([checkpoint_tag(checkpoint), *{cohort_tag(Path(d).resolve().parent.name) for d in csu_dirs}])
    options = run_options(options)
    config = tasks.configure(options)
    runs = tasks.assess_batch(
        [Path(d) for d in csu_dirs], Checkpoint(checkpoint), config, options, flow_run.id
    )
    from flows.steps import log_runs  # steps imports this module (the fan-out task)

    log_runs(runs, ReportLinks(config.out_dir, config.reports_url))
    return runs


# A batch run lost with its worker (marked Crashed by `csu-assure crash-detection`) is run again, once, on
# whichever worker is free: re-assessing is safe, since the register returns what the lost run had recorded.
LOST_BATCH_RERUNS = 1


@task(name="assess batch on a worker", cache_policy=NO_CACHE, persist_result=False)
def assess_batch_on_worker(
    deployment: str, csu_dirs: list[Path], checkpoint: int, options: Options
) -> list[CsuRun]:
    """Run one batch as a run of `deployment` (a subflow of this run) and return its outcomes. A crashed batch
    run is run again once; one that fails, or crashes twice, fails this task, and the cohort run records its
    CSUs as errors."""
    given = {
        "csu_dirs": [str(Path(d).resolve()) for d in csu_dirs],
        "checkpoint": checkpoint,
        # Settings the cohort run left out stay out: each worker then falls back on its own CSU_ASSURE_* environment.
        "options": options.model_dump(mode="json", exclude_none=True),
    }
    for attempt in range(1 + LOST_BATCH_RERUNS):
        run = synchronously(run_deployment(deployment, parameters=given, timeout=None, poll_interval=2))
        assert run.state is not None
        if not run.state.is_crashed() or attempt == LOST_BATCH_RERUNS:
            break
        get_run_logger().warning(
            "Batch run %s crashed (%s); running the batch again.", run.name, run.state.message
        )
    assert run.state is not None
    runs: list[CsuRun] = run.state.result()  # raises the batch run's error if it failed
    return runs
