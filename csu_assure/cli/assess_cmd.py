"""`csu-assure assess`, `cohort` and `progress`: assess submissions, record them and write Word reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from csu_assure import pipeline
from csu_assure.cli.common import usage_error
from csu_assure.cli.running import (
    AsOf,
    Assessor,
    CalendarFile,
    CheckpointOption,
    Force,
    Format,
    Moderation,
    NoPrefect,
    OutDir,
    OutputFormat,
    Pdf,
    Rules,
    as_date,
    configure_or_exit,
    flow_options,
    flows_module,
    make_settings,
    require_pdf_or_exit,
    show_outcomes,
)
from csu_assure.domain import Checkpoint
from csu_assure.loading import csu_folders

CsuDir = Annotated[Path, typer.Argument(help="A CSU folder holding cp1/ cp2/ cp3/ (or cpN.xlsx).")]


def _existing_dir(path: Path) -> Path:
    if not path.is_dir():
        raise usage_error(f"{path} is not a folder")
    return path


def assess(
    csu_dir: CsuDir,
    checkpoint: CheckpointOption,
    as_of: AsOf = None,
    out_dir: OutDir = None,
    assessor: Assessor = None,
    rules: Rules = None,
    calendar: CalendarFile = None,
    fmt: Format = OutputFormat.TEXT,
    no_prefect: NoPrefect = False,
    force: Force = False,
    moderation: Moderation = False,
    pdf: Pdf = False,
) -> None:
    """Assess one CSU at one checkpoint. Exit 0 ok, 1 invalid submission or failed assessment, 2 usage."""
    _existing_dir(csu_dir)
    require_pdf_or_exit(pdf)
    settings = make_settings(out_dir, assessor, rules, calendar)
    config = configure_or_exit(settings)
    if no_prefect:
        if moderation:
            raise usage_error("--moderation needs Prefect (it pauses a flow run); drop --no-prefect")
        outcome = pipeline.run_one(csu_dir, Checkpoint(checkpoint), config, as_of=as_date(as_of), force=force)
        if pdf:
            (outcome,) = pipeline.pdf_copies([outcome])
    else:
        outcome = flows_module("assess").assess_flow(
            str(csu_dir),
            checkpoint,
            as_of=as_date(as_of),
            moderation=moderation,
            force=force,
            pdf=pdf,
            **flow_options(settings),
        )
    show_outcomes([outcome], fmt)


def cohort(
    cohort_dir: Annotated[Path, typer.Argument(help="A cohort folder: one folder per CSU.")],
    checkpoint: CheckpointOption,
    as_of: AsOf = None,
    out_dir: OutDir = None,
    assessor: Assessor = None,
    rules: Rules = None,
    calendar: CalendarFile = None,
    fmt: Format = OutputFormat.TEXT,
    no_prefect: NoPrefect = False,
    force: Force = False,
    moderation: Moderation = False,
    pdf: Pdf = False,
) -> None:
    """Assess a whole cohort at one checkpoint, each CSU isolated from the others.

    CSUs with nothing submitted once the deadline has passed are recorded "not submitted"; CSUs stopped at
    an earlier checkpoint are skipped. Exit 0 ok, 1 if any submission was invalid or any assessment failed,
    2 usage.
    """
    if not _existing_dir(cohort_dir) or not csu_folders(cohort_dir):
        raise usage_error(f"{cohort_dir} holds no CSU folders")
    require_pdf_or_exit(pdf)
    settings = make_settings(out_dir, assessor, rules, calendar)
    config = configure_or_exit(settings)
    if no_prefect:
        if moderation:
            raise usage_error("--moderation needs Prefect (it pauses a flow run); drop --no-prefect")
        summary = pipeline.run_cohort(
            cohort_dir, Checkpoint(checkpoint), config, as_of=as_date(as_of), force=force, pdf=pdf
        )
    else:
        summary = flows_module("cohort").cohort_flow(
            str(cohort_dir),
            checkpoint,
            as_of=as_date(as_of),
            moderation=moderation,
            force=force,
            pdf=pdf,
            **flow_options(settings),
        )
    title = f"{summary.cohort}: {summary.checkpoint.title}"
    if fmt is OutputFormat.TEXT and summary.report_path:
        title += f"\ncohort report: {summary.report_path}"
    show_outcomes(summary.outcomes, fmt, title)


def progress(
    csu_dir: CsuDir,
    out_dir: OutDir = None,
    assessor: Assessor = None,
    rules: Rules = None,
    calendar: CalendarFile = None,
    fmt: Format = OutputFormat.TEXT,
    no_prefect: NoPrefect = False,
    force: Force = False,
    moderation: Moderation = False,
    pdf: Pdf = False,
) -> None:
    """Take one CSU through checkpoints 1 → 2 → 3, stopping at the first it does not pass.

    Each checkpoint's development plan is checked at the next; each checkpoint is assessed the day after its
    deadline.
    """
    _existing_dir(csu_dir)
    require_pdf_or_exit(pdf)
    settings = make_settings(out_dir, assessor, rules, calendar)
    config = configure_or_exit(settings)
    if no_prefect:
        if moderation:
            raise usage_error("--moderation needs Prefect (it pauses a flow run); drop --no-prefect")
        outcomes = pipeline.run_progress(csu_dir, config, force=force, pdf=pdf)
    else:
        outcomes = flows_module("progress").progress_flow(
            str(csu_dir), moderation=moderation, force=force, pdf=pdf, **flow_options(settings)
        )
    show_outcomes(outcomes, fmt)
