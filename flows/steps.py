"""The service's steps run the Prefect way: each as a task, an assessor's moderation as a pause, artifacts
published as CSUs finish, and a cohort's batches submitted as tasks or fanned out to workers.

The order of the steps is `csu_assure.service`'s; this module only says how each one runs.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TypeVar

from prefect import get_run_logger
from prefect.futures import PrefectFuture

from csu_assure.domain import Checkpoint
from csu_assure.render.links import ReportLinks
from csu_assure.render.run_log import cohort_line, csu_line
from csu_assure.results import Assessment, CohortSummary, PlanItem
from csu_assure.service import BatchResult, CohortTally, Config, CsuRun, Job, Loaded, Options, Steps
from flows import artifacts, tasks
from flows.batch import assess_batch_on_worker
from flows.moderation import moderate_in_person

# Batches assessed at once in this process: one. They share one GIL, and the report builder, the register and
# the file system release and retake it hundreds of times a CSU; a second batch thread makes each retake wait
# (measured: a 26-CSU cohort's batches took 30% longer with three at once than one after another). One at a
# time also finishes batches one after another, so their artifacts are published while the next one runs.
# More CPUs for one cohort means more processes: fan out to a deployment (CSU_ASSURE_FAN_OUT_DEPLOYMENT).
LOCAL_BATCHES_AT_ONCE = 1
# A line in the run's log per CSU for cohorts up to this size; beyond it the log says how many more there were
# and the counts, the table artifact and the cohort report carry every CSU.
LOG_EACH_CSU_UP_TO = 1_000

Item = TypeVar("Item")
Result = TypeVar("Result")


def in_window(
    items: Sequence[Item], submit: Callable[[Item], PrefectFuture[Result]], window: int
) -> Iterator[tuple[Item, PrefectFuture[Result]]]:
    """Submit each item with at most `window` running, yielding (item, future) in order; the caller waits on
    each future it is given, which frees a place for the next item."""
    pending: deque[tuple[Item, PrefectFuture[Result]]] = deque()
    queue = iter(items)
    for item in islice(queue, window):
        pending.append((item, submit(item)))
    while pending:
        yield pending.popleft()
        for item in islice(queue, 1):
            pending.append((item, submit(item)))


class PrefectSteps(Steps):
    """Each step a task of the current flow run; each CSU's decision and a cohort's counts logged, artifacts
    linking reports where the reports folder is served. The configuration's `fan_out_deployment` sends a
    cohort's batches to a deployment run by Prefect workers instead of tasks of this run (see flows/batch.py)."""

    def __init__(self, flow_run_id: str | None, config: Config) -> None:
        self.flow_run_id = flow_run_id
        self.fan_out_deployment = config.fan_out_deployment
        self.links = ReportLinks(config.out_dir, config.reports_url)
        self._unpublished: list[CsuRun] = []
        self._checkpoint: Checkpoint | None = None
        self._logged = 0

    def prepare(
        self,
        csu_dir: Path,
        checkpoint: Checkpoint,
        config: Config,
        as_of: dt.date | None,
        prior_plan: Sequence[PlanItem] | None,
    ) -> Job | CsuRun:
        return tasks.prepare(csu_dir, checkpoint, config, as_of, prior_plan)

    def load(self, job: Job) -> Loaded:
        return tasks.load(job)

    def evaluate(self, job: Job, loaded: Loaded, config: Config, moderated: bool) -> CsuRun:
        return tasks.evaluate(job, loaded, config, moderated, self.flow_run_id)

    def record(self, run: CsuRun, config: Config, force: bool) -> CsuRun:
        return tasks.record(run, config, force)

    def report(self, run: CsuRun, config: Config) -> CsuRun:
        return tasks.report(run, config)

    def pdf(self, runs: list[CsuRun]) -> list[CsuRun]:
        return tasks.pdf_copies(runs)

    def moderate(self, run: CsuRun, config: Config) -> CsuRun:
        return moderate_in_person(run, config)

    def summarise(self, tally: CohortTally, config: Config) -> CohortSummary:
        self._publish_pending()
        return tasks.summarise(tally, config)

    def find_lapsed(self, config: Config, on: dt.date) -> list[Assessment]:
        return tasks.find_lapsed(config, on)

    def amend(self, record: Assessment, cohort_dir: Path, config: Config, on: dt.date) -> CsuRun:
        return tasks.amend(record, cohort_dir, config, on, self.flow_run_id)

    def run_batches(
        self, batches: Sequence[list[Path]], checkpoint: Checkpoint, config: Config, options: Options
    ) -> Iterator[tuple[list[Path], BatchResult]]:
        self._checkpoint = checkpoint
        deployment = self.fan_out_deployment
        submit: Callable[[list[Path]], PrefectFuture[list[CsuRun]]]
        if deployment:
            # The batch runs record the assessor this run records (a deployment run's "unattended" included).
            given = options.model_copy(update={"assessor": config.assessor})

            def submit(batch: list[Path]) -> PrefectFuture[list[CsuRun]]:
                return assess_batch_on_worker.submit(deployment, batch, int(checkpoint), given)

            window = len(batches)  # every batch at once: each waits on a worker somewhere else
        else:

            def submit(batch: list[Path]) -> PrefectFuture[list[CsuRun]]:
                return tasks.assess_batch.submit(batch, checkpoint, config, options, self.flow_run_id)

            window = LOCAL_BATCHES_AT_ONCE
        for batch, future in in_window(batches, submit, window):
            # The previous batch's artifacts are published from this thread while this one runs: publishing is
            # mostly waiting on the API.
            self._publish_pending()
            state = future.wait() or future.state
            if state.is_completed():
                yield batch, future.result()
            else:  # the whole batch failed even after retries: every CSU in it is an error, the rest go on
                error = state.result(raise_on_failure=False)
                yield batch, error if isinstance(error, BaseException) else RuntimeError(str(error))

    def assessed(self, run: CsuRun) -> None:
        log_runs([run], self.links)
        if run.assessment is not None:
            artifacts.publish_assessment(run.assessment, self.links)

    def batch_done(self, runs: Sequence[CsuRun], cohort_size: int) -> None:
        room = max(0, LOG_EACH_CSU_UP_TO - self._logged)
        log_runs(runs[:room], self.links)
        self._logged += len(runs)
        if cohort_size <= artifacts.EACH_ASSESSMENT_UP_TO:
            self._unpublished.extend(runs)

    def cohort_done(self, summary: CohortSummary) -> None:
        if self._logged > LOG_EACH_CSU_UP_TO:
            get_run_logger().info(
                "… and %d more CSUs (every one is in the cohort table, the cohort report and the register).",
                self._logged - LOG_EACH_CSU_UP_TO,
            )
        get_run_logger().info("%s", cohort_line(summary, self.links))
        artifacts.publish_cohort(summary, self.links)

    def _publish_pending(self) -> None:
        if self._unpublished and self._checkpoint is not None:
            artifacts.publish_summaries(self._unpublished, self._checkpoint, self.links)
        self._unpublished = []


def log_runs(runs: Sequence[CsuRun], links: ReportLinks) -> None:
    """A line in the run's log per CSU: its decision and domains, or what happened instead, and its report."""
    logger = get_run_logger()
    for run in runs:
        row = run.row()
        if row.failed or row.report_error:
            logger.warning("%s", csu_line(row, links))
        else:
            logger.info("%s", csu_line(row, links))
