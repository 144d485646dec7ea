"""One CSU through checkpoints 1 → 2 → 3: a stop ends it; each checkpoint's development plan goes to the next."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from csu_assure import service
from csu_assure.service import CsuRun, Options
from flows import tasks
from flows.steps import PrefectSteps


def _run_name() -> str:
    return f"progress-{Path(str(flow_run.parameters['csu_dir'])).name}"


@flow(name="progress-csu", flow_run_name=_run_name, log_prints=True)
def progress_flow(
    csu_dir: str, options: Options | None = None, as_of: dict[int, dt.date] | None = None
) -> list[CsuRun]:
    """Assess checkpoint 1, then 2, then 3 while the CSU proceeds. `as_of` maps a checkpoint to its date
    (default: the day after each deadline)."""
    options = options or Options()
    config = tasks.configure(options)
    return service.progress_csu(Path(csu_dir), config, options, PrefectSteps(flow_run.id), as_of=as_of)
