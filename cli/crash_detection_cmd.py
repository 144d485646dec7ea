"""`csu-assure crash-detection`: have a Prefect server mark flow runs Crashed when their heartbeats stop."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, err, out, usage_error


def crash_detection(
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            min=30,
            help="Seconds without a heartbeat before a run is marked Crashed "
            "(default: three heartbeat intervals and 30 s, 570 s at Prefect's 180 s).",
        ),
    ] = None,
) -> None:
    """Create (or update) the Prefect server's automation that marks a flow run Crashed when its heartbeats stop:
    a lost worker machine then fails its batch runs instead of leaving them Running, and the cohort run
    re-runs those batches on another worker. Run once per server (PREFECT_API_URL, or the Prefect profile's)."""
    from flows import automations

    server = automations.api_url()
    if not server:
        raise usage_error(
            "crash detection is set up on a Prefect server: set PREFECT_API_URL (e.g. "
            "http://prefect-host:4200/api); an embedded run's temporary server keeps no automations"
        )
    heartbeat = automations.heartbeat_seconds()
    if heartbeat is None:
        raise usage_error(
            "flow run heartbeats are off in these settings (PREFECT_FLOWS_HEARTBEAT_FREQUENCY): crash detection "
            "would mark every run Crashed; turn them on, here and on every worker"
        )
    seconds = within if within is not None else 3 * heartbeat + 30
    try:
        automation, created = automations.ensure_crash_detection(seconds)
    except Exception as error:  # the server refused or is unreachable: say which and where, no traceback
        err.print(
            f"[bold red]error:[/] could not set up crash detection at {escape(server)}: "
            f"{escape(str(error) or type(error).__name__)}"
        )
        raise typer.Exit(EXIT_INVALID) from None
    out.print(
        f"{'created' if created else 'updated'} automation {escape(automation.name)!r} ({automation.id}): "
        f"a flow run with no heartbeat for {seconds} s is marked Crashed"
    )
    if seconds < 2 * heartbeat:
        err.print(
            f"[yellow]warning:[/] {seconds} s is under two heartbeat intervals of this machine's settings "
            f"({heartbeat} s): set PREFECT_FLOWS_HEARTBEAT_FREQUENCY lower on the workers, or healthy runs will "
            "be marked Crashed"
        )
