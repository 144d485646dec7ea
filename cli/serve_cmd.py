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
        Path, typer.Option("--cohort", help="The cohort the scheduled runs assess.")
    ] = Path("submissions/example-cohort"),
) -> None:
    """Serve the assess, progress, cohort and assess-batch deployments, with cohort runs at each deadline.

    The schedules come from the calendar file, as in prefect.yaml. Stop with Ctrl-C (twice).
    """
    if not cohort_dir.is_dir():
        raise usage_error(f"{cohort_dir} is not a folder")
    from cli.runner import quiet_prefect, start_prefect_or_exit
    from flows.deployments import serve_all

    quiet_prefect()
    start_prefect_or_exit()
    serve_all(calendar, str(cohort_dir))
