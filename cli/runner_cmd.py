"""`csu-assure runner status|stop`: the local Prefect runner of the warm path (`flows/warm_protocol.py`)."""

from __future__ import annotations

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, EXIT_OK, out

runner_app = typer.Typer(
    no_args_is_help=True,
    help="The local Prefect server the assessing commands start once and reuse (stops by itself when idle).",
)


@runner_app.command("status")
def status() -> None:
    """Whether a local runner serves this PREFECT_HOME, its Prefect UI and when it stops. Exit 1 if none."""
    from cli.warm_client import LocalRunner

    runner = LocalRunner()
    info = runner.ping()
    if info is None:
        out.print(f"no local runner for PREFECT_HOME={escape(str(runner.home))}")
        raise typer.Exit(EXIT_INVALID)
    out.print(
        f"local runner (pid {info.pid}) since {escape(info.started)}: Prefect UI {escape(info.ui_url)}; "
        f"stops after {info.idle_minutes:g} idle minutes"
    )
    raise typer.Exit(EXIT_OK)


@runner_app.command("stop")
def stop() -> None:
    """Stop the local runner of this PREFECT_HOME now (its Prefect server too). Exit 0 either way."""
    from cli.warm_client import LocalRunner

    runner = LocalRunner()
    out.print("stopped the local runner" if runner.stop() else "no local runner was running")
