"""A whole cohort at one checkpoint: every CSU concurrently and isolated, then a cohort summary.

CSUs are assessed in batches inside tasks (one task per CSU for cohorts up to `max_batches` CSUs), not one
subflow each: a flow run costs about a second, a task a few milliseconds, and thousands of task runs in one
process overflow Prefect's event queue.

With `fan_out_deployment` (e.g. "assess-batch/assess-batch") each batch runs instead as a run of that deployment,
picked up by whichever worker of its pool is free: the scale-out path (docs/scale-out.md).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TypeVar

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run

from csu_assure import pipeline
from csu_assure.domain import Checkpoint
from csu_assure.loading import csu_folders
from flows import tasks
from flows.batch import assess_batch_on_worker
from flows.moderation import moderate_in_person

# Batches assessed at once in this process: one. They share one GIL, and the report builder, the register and
# the file system release and retake it hundreds of times a CSU; a second batch thread makes each retake wait
# (measured: a 26-CSU cohort's batches took 30% longer with three at once than one after another). One at a
# time also finishes batches one after another, so their artifacts are published while the next one runs.
# More CPUs for one cohort means more processes: fan out to a deployment (`fan_out_deployment`).
LOCAL_BATCHES_AT_ONCE = 1

Batch = TypeVar("Batch")
Result = TypeVar("Result")


def _in_window(
    items: Sequence[Batch], submit: Callable[[Batch], PrefectFuture[Result]], window: int
) -> Iterator[tuple[Batch, PrefectFuture[Result]]]:
    """Submit each item with at most `window` running, yielding (item, future) in order; the caller waits on
    each future it is given, which frees a place for the next item."""
    pending: deque[tuple[Batch, PrefectFuture[Result]]] = deque()
    queue = iter(items)
    for item in islice(queue, window):
        pending.append((item, submit(item)))
    while pending:
        yield pending.popleft()
        for item in islice(queue, 1):
            pending.append((item, submit(item)))


def _run_name() -> str:
    params = flow_run.parameters
    return f"cohort-{Path(str(params['cohort_dir'])).name}-cp{int(params['checkpoint'])}"


@flow(name="assess-cohort", flow_run_name=_run_name, log_prints=True)
def cohort_flow(
    cohort_dir: str,
    checkpoint: int,
    as_of: dt.date | None = None,
    moderation: bool = False,
    force: bool = False,
    max_batches: int = 32,
    out_dir: str | None = None,
    register_url: str | None = None,
    rules: str | None = None,
    calendar: str | None = None,
    assessor: str | None = None,
    fan_out_deployment: str | None = None,
    pdf: bool = False,
) -> pipeline.CohortSummary:
    """Assess every CSU folder of a cohort at one checkpoint. A CSU with no submission once the deadline has
    passed is recorded "not submitted"; one stopped at an earlier checkpoint is skipped; one whose assessment
    raises is reported as an error without stopping the others. With `fan_out_deployment`, each batch is a run of
    that deployment (see flows/batch.py) rather than a task of this run. With `pdf`, every report also gets a
    PDF copy: each batch converts its own reports (after moderation, when there is one)."""
    config = tasks.configure(tasks.build_settings(out_dir, register_url, rules, calendar, assessor))
    cp = Checkpoint(checkpoint)
    folders = csu_folders(Path(cohort_dir))
    # Moderation rewrites the reports, so with it the PDF copies are made once it is over.
    pdf_in_batches = pdf and not moderation
    options = {
        "as_of": as_of,
        "force": force,
        "moderated": moderation,
        "flow_run_id": flow_run.id,
        "pdf": pdf_in_batches,
    }
    batches = pipeline.batches(folders, max_batches)
    if fan_out_deployment:
        given = {"out_dir": out_dir, "register_url": register_url, "rules": rules, "calendar": calendar}
        # None settings stay None: each worker then falls back on its own CSU_ASSURE_* environment.
        parameters = {
            "as_of": as_of,
            "moderation": moderation,
            "force": force,
            "assessor": assessor,
            "pdf": pdf_in_batches,
        } | given

        def submit(batch: list[Path]) -> PrefectFuture[list[pipeline.CsuOutcome]]:
            return assess_batch_on_worker.submit(fan_out_deployment, batch, checkpoint, parameters)

        window = len(batches)  # every batch at once: each waits on a worker somewhere else
    else:

        def submit(batch: list[Path]) -> PrefectFuture[list[pipeline.CsuOutcome]]:
            return tasks.assess_batch.submit(batch, cp, config, options)

        window = LOCAL_BATCHES_AT_ONCE
    # Without moderation each batch's per-CSU artifacts are published from this thread while the next batch
    # runs: publishing is mostly waiting on the API.
    publish_each = not moderation and len(folders) <= tasks.EACH_ASSESSMENT_UP_TO
    unpublished: list[pipeline.CsuOutcome] = []
    outcomes: list[pipeline.CsuOutcome] = []
    for batch, future in _in_window(batches, submit, window):
        tasks.publish_summaries(unpublished, cp)  # the previous batch's, as this one runs
        unpublished = []
        state = future.wait() or future.state
        if state.is_completed():
            done = future.result()
            outcomes.extend(done)
            if publish_each:
                unpublished = done
        else:  # the whole batch failed even after retries: every CSU in it is an error, the rest go on
            error = state.result(raise_on_failure=False)
            outcomes.extend(
                pipeline.crashed(
                    d, cp, error if isinstance(error, BaseException) else RuntimeError(str(error))
                )
                for d in batch
            )
    if moderation:
        outcomes = [
            pipeline.replace_assessment(o, moderate_in_person(o, config)) if o.awaiting_moderation else o
            for o in outcomes
        ]
        if pdf:
            outcomes = tasks.to_pdf(outcomes)
    tasks.publish_summaries(unpublished, cp)
    summary = tasks.summarise(outcomes, cp, config, Path(cohort_dir).resolve().name)
    tasks.publish_cohort(summary, each_assessment=not publish_each)
    return summary
