"""`csu-assure assess`, `cohort` and `progress`: assess submissions, record them and write Word reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import usage_error
from cli.options import AsOf, CheckpointOption, OutputFormat, RunRequest, run_options
from cli.progress_bar import progress_bar
from cli.runner import Runner, require_pdf_or_exit

CsuDir = Annotated[Path, typer.Argument(help="A CSU folder holding cp1/ cp2/ cp3/ (or cpN.xlsx).")]


def _existing_dir(path: Path) -> Path:
    if not path.is_dir():
        raise usage_error(f"{path} is not a folder")
    return path


def _csu_folder(path: Path) -> Path:
    """A CSU folder the layout rules accept (its name is its CSU id, not a link...), else exit 1 saying why; a
    cohort folder given instead is a usage error naming its CSUs (it was once silently its first CSU)."""
    from cli.common import EXIT_INVALID, print_problems
    from csu_assure.domain import Checkpoint
    from csu_assure.loading.layout import csu_folder_problem, find_submission, read_cohort

    _existing_dir(path)
    holds_a_submission = any(find_submission(path, cp).path for cp in Checkpoint)
    csus = () if holds_a_submission else read_cohort(path).csus
    if csus:
        names = ", ".join(c.name for c in csus[:5]) + (f" and {len(csus) - 5} more" if len(csus) > 5 else "")
        raise usage_error(
            f"{path} is a cohort folder ({len(csus)} CSUs: {names}), not one CSU: give one of its CSU folders "
            f"(e.g. {csus[0]}), or use `csu-assure cohort {path} --checkpoint N`"
        )
    problem = csu_folder_problem(path)
    if problem is not None:
        print_problems(str(path), [problem])
        raise typer.Exit(EXIT_INVALID)
    return path


@run_options
def assess(csu_dir: CsuDir, checkpoint: CheckpointOption, run: RunRequest, as_of: AsOf = None) -> None:
    """Assess one CSU at one checkpoint. Exit 0 ok, 1 invalid submission or failed assessment, 2 usage."""
    from cli.show import show_rows

    _csu_folder(csu_dir)
    require_pdf_or_exit(run.options.pdf)
    runner = Runner(run.options, prefect=run.prefect)
    result = runner.csu(csu_dir, checkpoint)
    show_rows([result.row()], run.fmt, record_of=runner.record_of)


@run_options
def cohort(
    cohort_dir: Annotated[Path, typer.Argument(help="A cohort folder: one folder per CSU.")],
    checkpoint: CheckpointOption,
    run: RunRequest,
    as_of: AsOf = None,
) -> None:
    """Assess a whole cohort at one checkpoint, each CSU isolated from the others.

    CSUs with nothing submitted once the deadline has passed are recorded "not submitted"; CSUs stopped at
    an earlier checkpoint are skipped. Exit 0 ok, 1 if any submission was invalid or any assessment failed,
    2 usage.
    """
    from cli.show import show_rows
    from csu_assure.loading import csu_folders

    if not _existing_dir(cohort_dir) or not csu_folders(cohort_dir):
        raise usage_error(f"{cohort_dir} holds no CSU folders")
    require_pdf_or_exit(run.options.pdf)
    runner = Runner(run.options, prefect=run.prefect)
    with progress_bar(f"Assessing {cohort_dir.name} at checkpoint {checkpoint}"):
        summary = runner.cohort(cohort_dir, checkpoint)
    title = f"{summary.cohort}: {summary.checkpoint.title}"
    if run.fmt is OutputFormat.TEXT and summary.report_path:
        title += f"\ncohort report: {summary.report_path}"
    show_rows(
        summary.rows,
        run.fmt,
        title,
        record_of=runner.record_of,
        cohort_report=summary.report_path,
        refused=summary.refused,
        skipped=summary.skipped,
    )


@run_options
def progress(csu_dir: CsuDir, run: RunRequest) -> None:
    """Take one CSU through checkpoints 1 → 2 → 3, stopping at the first it does not pass.

    Each checkpoint's development plan is checked at the next; each checkpoint is assessed the day after its
    deadline.
    """
    from cli.show import show_rows

    _csu_folder(csu_dir)
    require_pdf_or_exit(run.options.pdf)
    runner = Runner(run.options, prefect=run.prefect)
    with progress_bar(f"Taking {csu_dir.name} through the checkpoints"):
        runs = runner.progress(csu_dir)
    show_rows([r.row() for r in runs], run.fmt, record_of=runner.record_of)
