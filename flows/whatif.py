"""A cohort under another rule set: every CSU whose decision would change, published as a table artifact.

Read-only: the cohort is read once and assessed in memory under both rule sets (`csu_assure.whatif.run_whatif`,
one task); no report is written and nothing is recorded. The artifacts name both rule sets with their versions
and SHA-256.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from prefect import flow
from prefect.runtime import flow_run
from pydantic import Field

from csu_assure.service import Options
from csu_assure.whatif import WhatIf
from flows import artifacts, tasks
from flows.parameters import DEFAULT_OPTIONS, CheckpointNumber, Folder
from flows.run_context import checkpoint_tag, cohort_tag, tag_run

# Worker processes the sweep may spread over: bounded so a typo in the form cannot fork hundreds.
Workers = Annotated[int, Field(ge=1, le=64)]


def _run_name() -> str:
    params = flow_run.parameters
    return f"whatif-{Path(str(params['cohort_dir'])).name}-cp{int(params['checkpoint'])}"


@flow(name="whatif-cohort", flow_run_name=_run_name, log_prints=True)
def whatif_flow(
    cohort_dir: Folder,
    checkpoint: CheckpointNumber,
    rules: Folder,
    against: Folder | None = None,
    options: Options = DEFAULT_OPTIONS,
    workers: Workers = 1,
) -> WhatIf:
    """Assess a cohort at one checkpoint under `rules` and under `against` and publish the CSUs whose outcome,
    domains or plan change, with the checks that flip. Nothing is recorded and no report is written.

    Args:
        cohort_dir: The cohort: a folder with one sub-folder per CSU, as a path on the machine that runs the
            flow; a relative path starts at the repository root.
        checkpoint: 1 (outline plan), 2 (viability) or 3 (full business plan).
        rules: The rule set to try: a rule-set YAML file on the machine that runs the flow (a copy of
            csu_assure/defaults/ruleset-2012.yaml with changed thresholds or severities).
        against: The rule set to compare with (default: the run's rule set, else the shipped one).
        options: A fixed assessment date or another base rule set; moderation, PDFs and re-assessing do not apply.
        workers: Worker processes to assess the cohort with (1: in the flow run's own process).
    """
    tag_run([checkpoint_tag(checkpoint), cohort_tag(Path(cohort_dir).resolve().name), "what-if"])
    result = tasks.whatif(cohort_dir, checkpoint, rules, against, options, workers)
    artifacts.publish_whatif(result)
    return result
