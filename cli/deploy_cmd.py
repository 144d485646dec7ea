"""`csu-assure deploy` and `csu-assure deployments`: the flows' deployments on a Prefect server, from their one
definition (flows/deployments.py), and the `prefect.yaml` generated from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, err, out, usage_error
from cli.options import CalendarFile

DEFAULT_POOL = "csu-assure"  # flows.deployments.DEFAULT_POOL, repeated so `--help` imports no Prefect
EXAMPLE_COHORT = "submissions/example-cohort"

Pool = Annotated[str, typer.Option("--pool", help="The work pool (a process pool; created if missing).")]
CohortOnWorkers = Annotated[
    str,
    typer.Option(
        "--cohort",
        help="The cohort the scheduled runs and assess-cohort default to, as a path on the workers "
        "(relative paths start at the repository root, where workers run flows).",
    ),
]


def deploy(
    pool: Pool = DEFAULT_POOL, calendar: CalendarFile = None, cohort_dir: CohortOnWorkers = EXAMPLE_COHORT
) -> None:
    """Take a Prefect server to working deployments: the work pool, then every deployment.

    Creates the process work pool if it is missing, then registers every deployment of flows/deployments.py with
    it (the scheduled cohort runs, assess-csu, progress-csu, assess-cohort, assess-batch): the same deployments
    as `prefect deploy --all` with prefect.yaml. Then start a worker: `prefect worker start --pool POOL`. Needs
    PREFECT_API_URL (and PREFECT_API_AUTH_STRING when the server has auth).
    """
    from flows import automations

    server = automations.api_url()
    if not server:
        raise usage_error(
            "deployments live on a Prefect server: set PREFECT_API_URL (e.g. http://prefect-host:4200/api); an "
            "embedded run's temporary server keeps nothing"
        )
    from flows.deployments import deploy_all, ensure_work_pool

    try:
        created = ensure_work_pool(pool)
        names = deploy_all(pool, calendar, cohort_dir)
    except Exception as error:  # the server refused or is unreachable: say which and where, no traceback
        err.print(
            f"[bold red]error:[/] could not deploy to {escape(server)}: {escape(str(error) or type(error).__name__)}"
        )
        raise typer.Exit(EXIT_INVALID) from None
    out.print(f"work pool {escape(pool)!r} {'created' if created else 'already there'} (process)")
    for name in names:
        out.print(f"deployed {escape(name)}")
    out.print(f"next, on each machine that should run flows: prefect worker start --pool {escape(pool)}")


deployments_app = typer.Typer(
    help="The flows' deployments: prefect.yaml, generated from their one definition (flows/deployments.py).",
    no_args_is_help=True,
)


@deployments_app.command("write-yaml")
def write_yaml(
    target: Annotated[Path, typer.Argument(help="Where to write it.")] = Path("prefect.yaml"),
    pool: Pool = DEFAULT_POOL,
    calendar: CalendarFile = None,
    cohort_dir: CohortOnWorkers = EXAMPLE_COHORT,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if the file differs from the definition.")
    ] = False,
) -> None:
    """Write prefect.yaml (for `prefect deploy`) from the deployments' definition; with --check, only compare."""
    from csu_assure.calendar import load_calendar
    from flows.deployments import deployment_specs, render_prefect_yaml

    text = render_prefect_yaml(deployment_specs(load_calendar(calendar), cohort_dir), pool)
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            err.print(
                f"{escape(str(target))} differs from flows/deployments.py: run `csu-assure deployments write-yaml`"
            )
            raise typer.Exit(EXIT_INVALID)
        out.print(f"{escape(str(target))} matches flows/deployments.py")
        return
    target.write_text(text, encoding="utf-8")
    out.print(f"wrote {escape(str(target))}")
