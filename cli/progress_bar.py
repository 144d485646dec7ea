"""A progress bar on standard error for long runs (a cohort, a progression), fed by `csu_assure.progress` from
the sequences themselves, so it moves as CSUs finish whether the steps run directly or as Prefect tasks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cli.common import err


@contextmanager
def progress_bar(description: str) -> Iterator[None]:
    """Show a bar while the block runs, on a terminal only (a pipe or a log file gets the result alone)."""
    if not err.is_terminal:
        yield
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from csu_assure import progress

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[what]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(description, total=None, what="")

        def moved(step: progress.Step) -> None:
            bar.update(task, total=step.total, advance=step.done, what=step.what)

        with progress.listening(moved):
            yield
