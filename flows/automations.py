"""Crash detection on a Prefect server: a flow run whose heartbeats stop is marked Crashed.

A flow run sends a heartbeat event every `PREFECT_FLOWS_HEARTBEAT_FREQUENCY` seconds (180 by default) from a
thread of its own, while it runs and while it is paused for moderation. When a worker's machine is lost, its
runs stop sending them but stay "Running" in Prefect's database for ever, and a cohort run that fanned out a
batch to that machine would wait on it for ever. Prefect's answer is an automation ("detect zombie flows" in
its docs), which this module creates: after a run goes Pending or Running or sends a heartbeat, expect a heartbeat,
a start or a final state within `within` seconds, else set the run Crashed. The cohort then sees the batch
crash and runs it again elsewhere (`flows/batch.py`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from prefect.automations import Automation
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification
from prefect.settings import get_current_settings

from flows.sync import synchronously

NAME = "csu-assure: crash flow runs whose heartbeats stop"
MESSAGE = "Marked crashed: no heartbeat from this flow run (its worker or machine was lost)."


def api_url() -> str | None:
    """The Prefect server this process talks to, from the environment or the active Prefect profile; None
    means an embedded run's temporary server, which keeps no automations."""
    return get_current_settings().api.url


def heartbeat_seconds() -> int | None:
    """The heartbeat interval this process's settings give flow runs (workers pass theirs to the runs); None
    when heartbeats are off."""
    return get_current_settings().flows.heartbeat_frequency


def crash_detection(within_seconds: int) -> Automation:
    return Automation(
        name=NAME,
        description=f"Sets a flow run Crashed when no heartbeat, start or final state follows its going Pending or "
        f"Running or a heartbeat within {within_seconds} s. Created by `csu-assure crash-detection`.",
        trigger=EventTrigger(
            # After Pending and Running too: a run lost before its first heartbeat reached the server has sent
            # none, and one accepted by a worker that died before starting it never runs.
            after={"prefect.flow-run.heartbeat", "prefect.flow-run.Pending", "prefect.flow-run.Running"},
            expect={
                "prefect.flow-run.heartbeat",
                "prefect.flow-run.Running",
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
            },
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=within_seconds),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED, message=MESSAGE)],
    )


def ensure_crash_detection(within_seconds: int) -> tuple[Automation, bool]:
    """Create the automation, or update the one already there (by name) to `within_seconds`. Returns it and
    whether it was created."""
    wanted = crash_detection(within_seconds)
    try:
        # Typed as a coroutine only; called from synchronous code it returns the automation.
        existing = cast(Automation, Automation.read(name=NAME))
    except ValueError:  # Prefect's "not found"
        return synchronously(wanted.create()), True
    wanted.id = existing.id
    synchronously(wanted.update())
    return wanted, False
