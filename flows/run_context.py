"""What a flow run knows of how it was started: who is recorded as its assessor, and the tags it carries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import httpx
from prefect.client.orchestration import SyncPrefectClient
from prefect.context import FlowRunContext
from prefect.exceptions import PrefectHTTPStatusError

from csu_assure.service import Options


def unattended_assessor() -> str | None:
    """`unattended (deployment assess-cohort/cohort-cp2-at-deadline)` in a deployment run (a schedule, a
    worker, `csu-assure serve`, a run started from the UI or by another run), else None: no one at a keyboard
    started it, so neither the machine's login nor a worker's environment names who assessed."""
    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow_run is None or ctx.flow_run.deployment_id is None:
        return None
    name = str(ctx.flow_run.deployment_id)
    if isinstance(ctx.client, SyncPrefectClient):
        with contextlib.suppress(httpx.HTTPError, PrefectHTTPStatusError):
            name = ctx.client.read_deployment(ctx.flow_run.deployment_id).name
    flow = ctx.flow.name if ctx.flow is not None else "flow"
    return f"unattended (deployment {flow}/{name})"


def run_options(options: Options) -> Options:
    """The options the run goes by: a deployment run whose parameters name no assessor is recorded as
    unattended; any other run keeps the assessor it was given (else its settings', else "not named")."""
    if options.assessor is not None:
        return options
    unattended = unattended_assessor()
    return options.model_copy(update={"assessor": unattended}) if unattended else options


def tag_run(tags: Iterable[str]) -> None:
    """Add `tags` (checkpoint, cohort) to this flow run, so the UI filters runs by them whoever started the run.
    A failure to tag is no reason to fail an assessment."""
    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow_run is None or not isinstance(ctx.client, SyncPrefectClient):
        return
    wanted = list(dict.fromkeys([*ctx.flow_run.tags, *tags]))
    if wanted != list(ctx.flow_run.tags):
        with contextlib.suppress(httpx.HTTPError, PrefectHTTPStatusError):
            ctx.client.update_flow_run(ctx.flow_run.id, tags=wanted)


def checkpoint_tag(checkpoint: int) -> str:
    return f"checkpoint-{int(checkpoint)}"


def cohort_tag(name: str) -> str:
    """`cohort-<folder name>`: the cohort a CSU folder belongs to is the folder it sits in."""
    return f"cohort-{name}"
