"""The deployments of the flows, defined once: `csu-assure serve` serves them, `csu-assure deploy --pool NAME`
registers them with a work pool, and `prefect.yaml` is generated from them (`csu-assure deployments write-yaml`;
a test fails when the committed file differs). The scheduled cohort runs come from the checkpoint calendar.

What a deployment may carry is limited on purpose: its parameters are the flows' typed parameters (checked by
Prefect against their schema before a run exists) with defaults that hold no secret; the register and every
other connection are settings of the machine that runs the flow (csu_assure/settings.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from prefect import Flow, serve
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.runner.storage import LocalStorage
from prefect.schedules import Cron
from prefect.workers.process import ProcessWorker

from csu_assure.calendar import Calendar, load_calendar
from csu_assure.domain import Checkpoint
from flows.assess import assess_flow
from flows.batch import batch_flow
from flows.cohort import cohort_flow
from flows.progress import progress_flow
from flows.run_context import checkpoint_tag, cohort_tag
from flows.sync import synchronously
from flows.waivers import SCHEDULE_CRON, SCHEDULE_TIMEZONE, reassess_expired_waivers_flow
from flows.whatif import whatif_flow

EXAMPLE_COHORT = "submissions/example-cohort"
DEFAULT_POOL = "csu-assure"
# The repository root: where `prefect deploy` runs, and the working directory of every flow run a worker starts.
ROOT = Path(__file__).resolve().parents[1]
PREFECT_YAML = ROOT / "prefect.yaml"
PRODUCT_TAG = "csu-assure"


@dataclass(frozen=True)
class Schedule:
    cron: str
    timezone: str


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment: the flow it runs, what the UI says about it, its tags, the defaults of its parameters
    (never a secret) and, for the scheduled ones, when it runs."""

    name: str
    flow: Flow[..., Any]
    description: str
    tags: tuple[str, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    schedule: Schedule | None = None

    @property
    def entrypoint(self) -> str:
        """`flows/cohort.py:cohort_flow`, from the flow function itself."""
        fn = self.flow.fn
        return f"{fn.__module__.replace('.', '/')}.py:{fn.__name__}"

    @property
    def full_name(self) -> str:
        return f"{self.flow.name}/{self.name}"


def deployment_specs(calendar: Calendar, cohort_dir: str = EXAMPLE_COHORT) -> list[DeploymentSpec]:
    """Every deployment: the scheduled cohort run of each checkpoint at its deadline, then the ad hoc ones."""
    cohort = cohort_tag(Path(cohort_dir).name)
    scheduled = [
        DeploymentSpec(
            name=f"cohort-cp{int(cp)}-at-deadline",
            flow=cohort_flow,
            description=f"{Checkpoint(cp).title}, the whole cohort at the submission deadline: a CSU with "
            "nothing submitted is recorded as not submitted, one stopped earlier is skipped.",
            tags=(PRODUCT_TAG, "scheduled", checkpoint_tag(int(cp)), cohort),
            parameters={"cohort_dir": cohort_dir, "checkpoint": int(cp)},
            schedule=Schedule(deadline.schedule, deadline.timezone),
        )
        for cp, deadline in sorted(calendar.checkpoints.items())
    ]
    ad_hoc = [
        DeploymentSpec(
            name="assess-csu",
            flow=assess_flow,
            description="One CSU folder at one checkpoint. Pauses for an assessor's moderation before the "
            "decision is final (untick options.moderation for an unattended decision).",
            tags=(PRODUCT_TAG, "ad-hoc"),
            parameters={"options": {"moderation": True}},
        ),
        DeploymentSpec(
            name="progress-csu",
            flow=progress_flow,
            description="One CSU through checkpoints 1 → 2 → 3, stopping at the first it does not pass; each "
            "development plan goes to the next checkpoint.",
            tags=(PRODUCT_TAG, "ad-hoc"),
        ),
        DeploymentSpec(
            name="assess-cohort",
            flow=cohort_flow,
            description="A whole cohort at one checkpoint (cohort_dir defaults to the cohort the deployments "
            "were made for). Batches run as assess-batch runs on the pool's workers when the workers set "
            "CSU_ASSURE_FAN_OUT_DEPLOYMENT=assess-batch/assess-batch.",
            tags=(PRODUCT_TAG, "ad-hoc"),
            parameters={"cohort_dir": cohort_dir},
        ),
        # A cohort run whose settings name CSU_ASSURE_FAN_OUT_DEPLOYMENT=assess-batch/assess-batch hands its
        # batches to this one; served, its runs are subprocesses of the serving process, so they use every core.
        DeploymentSpec(
            name="assess-batch",
            flow=batch_flow,
            description="A batch of CSU folders at one checkpoint; started by a fanned-out cohort run, not by hand.",
            tags=(PRODUCT_TAG, "fan-out"),
        ),
    ]
    ad_hoc.append(
        DeploymentSpec(
            name="whatif-cohort",
            flow=whatif_flow,
            description="A cohort at one checkpoint under another rule set (`rules`, a rule-set file): read-only, "
            "it publishes the CSUs whose decision would change and the checks that flip, against both rule sets' "
            "versions and hashes.",
            tags=(PRODUCT_TAG, "ad-hoc", "what-if"),
            parameters={"cohort_dir": cohort_dir},
        )
    )
    waivers = DeploymentSpec(
        name="reassess-expired-waivers",
        flow=reassess_expired_waivers_flow,
        description="Daily: re-assess every CSU whose waiver has expired, from the same submission without it, "
        "and issue an amended report.",
        tags=(PRODUCT_TAG, "scheduled", "waivers", cohort),
        parameters={"cohort_dir": cohort_dir},
        schedule=Schedule(SCHEDULE_CRON, SCHEDULE_TIMEZONE),
    )
    return [*scheduled, waivers, *ad_hoc]


def runner_deployment(spec: DeploymentSpec) -> RunnerDeployment:
    """The deployment as Prefect builds it from the flow: parameter schema (with descriptions and bounds) from
    the flow's annotations, enforced by the API."""
    deployment = synchronously(
        spec.flow.to_deployment(
            name=spec.name,
            description=spec.description,
            tags=list(spec.tags),
            parameters=dict(spec.parameters),
            schedules=[Cron(spec.schedule.cron, timezone=spec.schedule.timezone)] if spec.schedule else None,
            enforce_parameter_schema=True,
        )
    )
    deployment.entrypoint = spec.entrypoint
    return deployment


# -- prefect.yaml ---------------------------------------------------------------------------------------------

YAML_HEADER = """\
# Prefect deployments of csu-assure (`prefect deploy --all` from the repository root, after
# `prefect work-pool create csu-assure --type process`; or `csu-assure deploy --pool csu-assure`, which does both).
# GENERATED from flows/deployments.py by `csu-assure deployments write-yaml`: edit that, not this file
# (tests/flows/test_deployments.py fails when the two differ). `csu-assure serve` serves the same deployments.
# The scheduled cohort runs follow the checkpoint calendar (csu_assure/defaults/calendar-2012.yaml). No parameter
# holds a secret: the register URL and other connections are settings of the worker (CSU_ASSURE_*).
"""


def prefect_yaml_data(specs: Sequence[DeploymentSpec], pool: str = DEFAULT_POOL) -> dict[str, Any]:
    """What `prefect.yaml` declares for `specs`, every deployment on work pool `pool`."""
    deployments = []
    for spec in specs:
        entry: dict[str, Any] = {
            "name": spec.name,
            "entrypoint": spec.entrypoint,
            "description": spec.description,
            "tags": list(spec.tags),
        }
        if spec.parameters:
            entry["parameters"] = dict(spec.parameters)
        if spec.schedule:
            entry["schedules"] = [{"cron": spec.schedule.cron, "timezone": spec.schedule.timezone}]
        entry["enforce_parameter_schema"] = True
        entry["work_pool"] = {"name": pool, "work_queue_name": "default"}
        deployments.append(entry)
    return {
        "name": "csu-assure",
        "prefect-version": "3.8.8",
        "build": None,
        "push": None,
        "deployments": deployments,
    }


class _NoAliases(yaml.SafeDumper):
    """Each deployment spelled out: no `&anchor`/`*alias` for the repeated work pool."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_prefect_yaml(specs: Sequence[DeploymentSpec], pool: str = DEFAULT_POOL) -> str:
    body = yaml.dump(
        prefect_yaml_data(specs, pool),
        Dumper=_NoAliases,
        sort_keys=False,
        allow_unicode=True,
        width=110,
        default_flow_style=False,
    )
    return YAML_HEADER + body


# -- serve and deploy -----------------------------------------------------------------------------------------


def serve_all(calendar_path: Path | None = None, cohort_dir: str = EXAMPLE_COHORT) -> None:
    """Serve every deployment from this process, its flow runs subprocesses of it (Ctrl-C twice stops)."""
    specs = deployment_specs(load_calendar(calendar_path), cohort_dir)
    serve(*(runner_deployment(spec) for spec in specs))


def ensure_work_pool(pool: str) -> bool:
    """Create the process work pool `pool` unless it exists (as `prefect work-pool create NAME --type process`
    does); True when it was created."""
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
            return False
        except ObjectNotFound:
            client.create_work_pool(
                WorkPoolCreate(
                    name=pool,
                    type=ProcessWorker.type,
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
            return True


def deploy_all(
    pool: str = DEFAULT_POOL,
    calendar_path: Path | None = None,
    cohort_dir: str = EXAMPLE_COHORT,
    root: Path = ROOT,
) -> list[str]:
    """Register every deployment with work pool `pool` (created if missing), as `prefect deploy --all` does with
    the generated prefect.yaml: a worker runs each flow run from `root` (the deployment's pull step sets the
    working directory), so relative paths such as the default cohort are read there. Returns the full names."""
    ensure_work_pool(pool)
    names = []
    for spec in deployment_specs(load_calendar(calendar_path), cohort_dir):
        deployment = runner_deployment(spec)
        deployment.storage = LocalStorage(str(root))
        synchronously(deployment.apply(work_pool_name=pool))
        names.append(spec.full_name)
    return names
