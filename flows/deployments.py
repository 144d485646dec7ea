"""Deployments of the flows: the scheduled cohort runs come from the checkpoint calendar, so `prefect.yaml`
and `csu-assure serve` keep to the same deadlines (a test compares `prefect.yaml` with the calendar file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import serve
from prefect.schedules import Cron

from csu_assure.calendar import Calendar, load_calendar
from flows.assess import assess_flow
from flows.batch import batch_flow
from flows.cohort import cohort_flow
from flows.progress import progress_flow
from flows.sync import synchronously
from flows.whatif import whatif_flow

EXAMPLE_COHORT = "submissions/example-cohort"


def scheduled_specs(calendar: Calendar, cohort_dir: str = EXAMPLE_COHORT) -> list[dict[str, Any]]:
    """One scheduled cohort deployment per checkpoint, at its deadline, as `prefect.yaml` lists them."""
    return [
        {
            "name": f"cohort-cp{int(cp)}-at-deadline",
            "entrypoint": "flows/cohort.py:cohort_flow",
            "parameters": {"cohort_dir": cohort_dir, "checkpoint": int(cp)},
            "schedules": [{"cron": deadline.schedule, "timezone": deadline.timezone}],
        }
        for cp, deadline in sorted(calendar.checkpoints.items())
    ]


def serve_all(calendar_path: Path | None = None, cohort_dir: str = EXAMPLE_COHORT) -> None:
    """Serve the scheduled cohort deployments and the ad-hoc ones (assess-batch among them, the fan-out target)
    from this process (Ctrl-C twice stops)."""
    calendar = load_calendar(calendar_path)
    scheduled = [
        synchronously(
            cohort_flow.to_deployment(
                name=spec["name"],
                parameters=spec["parameters"],
                schedules=[Cron(s["cron"], timezone=s["timezone"]) for s in spec["schedules"]],
            )
        )
        for spec in scheduled_specs(calendar, cohort_dir)
    ]
    ad_hoc = [
        synchronously(assess_flow.to_deployment(name="assess-csu")),
        synchronously(progress_flow.to_deployment(name="progress-csu")),
        synchronously(cohort_flow.to_deployment(name="assess-cohort")),
        # A cohort run given `fan_out_deployment="assess-batch/assess-batch"` hands its batches to this one;
        # served runs are subprocesses of the server process, so its batches use every core of this machine.
        synchronously(batch_flow.to_deployment(name="assess-batch")),
        synchronously(whatif_flow.to_deployment(name="whatif-cohort")),
    ]
    serve(*scheduled, *ad_hoc)
