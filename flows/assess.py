"""Assess one CSU at one checkpoint: load → validate → run checks → decide → record → report (→ moderate)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from csu_assure import service
from csu_assure.domain import Checkpoint
from csu_assure.service import CsuRun, Options
from flows import tasks
from flows.parameters import DEFAULT_OPTIONS, CheckpointNumber, Folder
from flows.run_context import checkpoint_tag, cohort_tag, run_options, tag_run
from flows.steps import PrefectSteps


def _run_name() -> str:
    params = flow_run.parameters
    return f"assess-{Path(str(params['csu_dir'])).name}-cp{int(params['checkpoint'])}"


@flow(name="assess-csu", flow_run_name=_run_name, log_prints=True)
def assess_flow(csu_dir: Folder, checkpoint: CheckpointNumber, options: Options = DEFAULT_OPTIONS) -> CsuRun:
    """Assess one CSU folder at one checkpoint, record it in the register and write its Word report.

    With `options.moderation`, the flow pauses before the record is final until an assessor resumes it (the
    run's Resume form, or `csu-assure moderate RUN_ID --assessor NAME [--override ...] [--accept]`).

    Args:
        csu_dir: The CSU's folder (cp1/, cp2/, cp3/ or a workbook each), as a path on the machine that runs the
            flow; a relative path starts at the repository root.
        checkpoint: 1 (outline plan), 2 (viability) or 3 (full business plan).
        options: How to run: moderation, PDF copies, a fixed assessment date, re-assessing, a named assessor,
            another rule set. The register and other connections are the flow run's settings (CSU_ASSURE_*),
            never parameters.
    """
    tag_run([checkpoint_tag(checkpoint), cohort_tag(Path(csu_dir).resolve().parent.name)])
    options = run_options(options)
    config = tasks.configure(options)
    return service.assess_csu(
        Path(csu_dir), Checkpoint(checkpoint), config, options, PrefectSteps(flow_run.id, config)
    )
