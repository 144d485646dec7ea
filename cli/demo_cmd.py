"""`csu-assure demo`: the example cohort through checkpoints 1-3 under Prefect, with Word reports."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import EXIT_INVALID, EXIT_OK, out, usage_error
from cli.options import NoPrefect

if TYPE_CHECKING:
    from rich.table import Table

    from csu_assure.results import CohortSummary

EXAMPLE_COHORT = Path("submissions/example-cohort")


def demo(
    cohort_dir: Annotated[Path, typer.Option("--cohort", help="The cohort to run.")] = EXAMPLE_COHORT,
    out_dir: Annotated[Path, typer.Option("--out", help="Where reports and the register go.")] = Path("out"),
    no_prefect: NoPrefect = False,
) -> None:
    """Take the example cohort through checkpoints 1 → 2 → 3 and write its Word reports.

    Runs through Prefect (the local runner, started if need be; see the README) unless --no-prefect. Writes a
    report per CSU per checkpoint and a cohort report per checkpoint, then prints a summary table and where the
    reports are.
    """
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from cli.runner import Runner
    from csu_assure.domain import Checkpoint
    from csu_assure.loading import csu_folders
    from csu_assure.service import Options

    if not cohort_dir.is_dir() or not csu_folders(cohort_dir):
        raise usage_error(
            f"{cohort_dir} holds no CSU folders (run from the repository root, or pass --cohort)"
        )
    if not no_prefect:
        # Prefect's per-task log lines would scroll the progress display away; warnings still show.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    runner = Runner(Options(out_dir=out_dir), prefect=not no_prefect)
    summaries: list[CohortSummary] = []
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=out
    ) as bar:
        run = bar.add_task("starting…", total=len(Checkpoint))
        for checkpoint in Checkpoint:
            bar.update(run, description=f"{checkpoint.title}: assessing {len(csu_folders(cohort_dir))} CSUs")
            summaries.append(runner.cohort(cohort_dir, int(checkpoint)))
            bar.advance(run)
        bar.update(run, description="done")
    out.print(_summary_table(summaries))
    out.print(f"Word reports: [bold]{escape(str(runner.config.out_dir.resolve()))}[/] (one folder per CSU)")
    for s in summaries:
        if s.report_path:
            out.print(f"  cohort report, checkpoint {int(s.checkpoint)}: {escape(str(s.report_path))}")
    out.print(f"Register: {escape(runner.config.register.display_url)} (see `csu-assure history CSU_ID`)")
    failed = any(r.failed for s in summaries for r in s.rows)
    raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)


def _summary_table(summaries: list[CohortSummary]) -> Table:
    from rich.markup import escape
    from rich.table import Table

    from csu_assure.domain import Disposition

    table = Table(title="Example cohort: decisions by checkpoint")
    table.add_column("CSU")
    for s in summaries:
        table.add_column(f"CP{int(s.checkpoint)}")
    rows: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for i, s in enumerate(summaries):
        for r in s.rows:
            names[r.csu_id] = r.csu_name
            cells = rows.setdefault(r.csu_id, [""] * len(summaries))
            a = r.summary
            if r.disposition is Disposition.STOPPED:
                cells[i] = "[dim]—[/]"
            elif a is not None:
                colour = (
                    "green"
                    if a.outcome.proceeds and not a.conditions
                    else "yellow"
                    if a.outcome.proceeds
                    else "red"
                )
                cells[i] = f"[{colour}]{escape(a.outcome.label)}[/]"
            else:
                cells[i] = f"[red]{escape(r.disposition)}[/]"
    for csu_id, cells in rows.items():
        table.add_row(escape(names[csu_id]), *cells)
    return table
