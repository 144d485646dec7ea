"""`csu-assure serve`: serve the flows' deployments, with cohort runs scheduled at each checkpoint deadline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import usage_error
from cli.options import CalendarFile


def serve(
    calendar: CalendarFile = None,
    cohort_dir: Annotated[
        Path, typer.Option("--cohort", help="The cohort the scheduled runs and assess-cohort default to.")
    ] = Path("submissions/example-cohort"),
) -> None:
    """Serve every deployment from this process, without a work pool (the same ones as prefect.yaml).

    The scheduled cohort runs at each deadline (from the calendar file), assess-csu, progress-csu, assess-cohort
    and assess-batch, all defined in flows/deployments.py. Stop with Ctrl-C (twice).
    """
    if not cohort_dir.is_dir():
        raise usage_error(f"{cohort_dir} is not a folder")
    from cli.runner import quiet_prefect, start_prefect_or_exit
    from flows.deployments import serve_all

    quiet_prefect()
    start_prefect_or_exit()
    # Absolute: a run started from the UI or by a schedule then finds the cohort whatever its working directory.
    serve_all(calendar, str(cohort_dir.resolve()))
