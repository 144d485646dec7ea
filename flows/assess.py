"""Assess one CSU at one checkpoint: load → validate → run checks → decide → record → report (→ moderate)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from csu_assure import service
from csu_assure.domain import Checkpoint
from csu_assure.service import CsuRun, Options
from flows import tasks
from flows.steps import PrefectSteps


def _run_name() -> str:
    params = flow_run.parameters
    return f"assess-{Path(str(params['csu_dir'])).name}-cp{int(params['checkpoint'])}"


@flow(name="assess-csu", flow_run_name=_run_name, log_prints=True)
def assess_flow(csu_dir: str, checkpoint: int, options: Options | None = None) -> CsuRun:
    """Assess one CSU folder (with cp1/ cp2/ cp3/) at one checkpoint and record it in the register.

    With `options.moderation`, the flow pauses before the record is final until an assessor resumes it with
    `csu-assure moderate RUN_ID --assessor NAME [--override CHECK_ID=PASS:reason ...] [--accept]`.
    """
    options = options or Options()
    config = tasks.configure(options)
    return service.assess_csu(
        Path(csu_dir), Checkpoint(checkpoint), config, options, PrefectSteps(flow_run.id)
    )
