"""One CSU through checkpoints 1 → 2 → 3: a stop ends it; each checkpoint's development plan goes to the next."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from csu_assure import service
from csu_assure.service import CsuRun, Options
from flows import tasks
from flows.parameters import DEFAULT_OPTIONS, Folder
from flows.run_context import cohort_tag, run_options, tag_run
from flows.steps import PrefectSteps


def _run_name() -> str:
    return f"progress-{Path(str(flow_run.parameters['csu_dir'])).name}"


@flow(name="progress-csu", flow_run_name=_run_name, log_prints=True)
def progress_flow(csu_dir: Folder, options: Options = DEFAULT_OPTIONS) -> list[CsuRun]:
    """Assess checkpoint 1, then 2, then 3 while the CSU proceeds, each as of the day after its deadline.

    Args:
        csu_dir: The CSU's folder (cp1/, cp2/, cp3/ or a workbook each), as a path on the machine that runs the
            flow; a relative path starts at the repository root.
        options: How to run: moderation, PDF copies, a fixed assessment date, re-assessing, a named assessor,
            another rule set. The register and other connections are the flow run's settings (CSU_ASSURE_*),
            never parameters.
    """
    tag_run([cohort_tag(Path(csu_dir).resolve().parent.name)])
    options = run_options(options)
    config = tasks.configure(options)
    return service.progress_csu(Path(csu_dir), config, options, PrefectSteps(flow_run.id, config))
