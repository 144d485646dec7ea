"""A cohort under another rule set: every CSU whose decision would change, published as a table artifact.

Read-only: the cohort is read once and assessed in memory under both rule sets (`csu_assure.whatif.run_whatif`,
one task); no report is written and nothing is recorded. The artifacts name both rule sets with their versions
and SHA-256.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from csu_assure.service import Options
from csu_assure.whatif import WhatIf
from flows import artifacts, tasks


def _run_name() -> str:
    params = flow_run.parameters
    return f"whatif-{Path(str(params['cohort_dir'])).name}-cp{int(params['checkpoint'])}"


@flow(name="whatif-cohort", flow_run_name=_run_name, log_prints=True)
def whatif_flow(
    cohort_dir: str,
    checkpoint: int,
    rules: str,
    against: str | None = None,
    options: Options | None = None,
    workers: int = 1,
) -> WhatIf:
    """Assess a cohort at one checkpoint under `rules` and under `against` (default: the run's rule set, else
    the shipped one) and publish the CSUs whose outcome, domains or plan change, with the checks that flip."""
    result = tasks.whatif(cohort_dir, checkpoint, rules, against, options or Options(), workers)
    artifacts.publish_whatif(result)
    return result
