"""What the assessing commands share: their options, the run configuration, and rendering outcomes."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from csu_assure import pipeline
from csu_assure.cli.common import EXIT_INVALID, EXIT_OK, err, out, print_problems
from csu_assure.domain import Rag
from csu_assure.report.pdf import PdfUnavailable, require_soffice
from csu_assure.ruleset import RuleSetInvalid
from csu_assure.settings import Settings


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


AsOf = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Assessment date (YYYY-MM-DD); default: the day after the checkpoint deadline, so runs reproduce.",
    ),
]
OutDir = Annotated[
    Path | None, typer.Option("--out", help="Where reports and the register go (default: out/).")
]
Assessor = Annotated[str | None, typer.Option("--assessor", help="Named assessor recorded on assessments.")]
Rules = Annotated[Path | None, typer.Option("--rules", help="Alternative rule-set file.")]
CalendarFile = Annotated[
    Path | None, typer.Option("--calendar", help="Alternative checkpoint calendar file.")
]
Format = Annotated[OutputFormat, typer.Option("--format", help="text, or json for machines.")]
NoPrefect = Annotated[
    bool, typer.Option("--no-prefect", help="Run the pipeline directly, without Prefect (no flow runs).")
]
Force = Annotated[
    bool, typer.Option("--force", help="Re-assess even if the register holds these inputs; supersede it.")
]
Moderation = Annotated[
    bool,
    typer.Option(
        "--moderation/--no-moderation",
        help="Pause each assessment for an assessor (`csu-assure moderate RUN_ID`); off by default.",
    ),
]
Pdf = Annotated[
    bool,
    typer.Option("--pdf", help="Also write a PDF copy of each report beside it (needs LibreOffice)."),
]
CheckpointOption = Annotated[
    int, typer.Option("--checkpoint", "-c", min=1, max=3, help="Checkpoint 1, 2 or 3.")
]


def require_pdf_or_exit(pdf: bool) -> None:
    """With --pdf, LibreOffice must be there before anything runs: say so rather than assess without PDFs."""
    if pdf:
        try:
            require_soffice()
        except PdfUnavailable as error:
            err.print(f"[bold red]✗[/] {escape(str(error))}")
            raise typer.Exit(EXIT_INVALID) from None


def flows_module(name: str) -> ModuleType:
    """Import `flows.<name>` only when a command runs under Prefect: `--no-prefect` never pays for importing
    Prefect, and the kernel's type checking stays independent of it."""
    return importlib.import_module(f"flows.{name}")


def make_settings(
    out_dir: Path | None, assessor: str | None, rules: Path | None, calendar: Path | None
) -> Settings:
    given: dict[str, Any] = {"out_dir": out_dir, "assessor": assessor, "rules": rules, "calendar": calendar}
    return Settings(**{k: v for k, v in given.items() if v is not None})


def configure_or_exit(settings: Settings) -> pipeline.Config:
    """Load rule set and calendar, turning a bad file into located problems and exit code 1."""
    try:
        return pipeline.configure(settings)
    except RuleSetInvalid as error:
        print_problems(error.source, error.problems)
        raise typer.Exit(EXIT_INVALID) from None


def flow_options(settings: Settings) -> dict[str, str | None]:
    """The settings as flow parameters (flows run with exactly the configuration the command resolved)."""
    return {
        "out_dir": str(settings.out_dir),
        "register_url": settings.resolved_register_url,
        "rules": str(settings.rules) if settings.rules else None,
        "calendar": str(settings.calendar) if settings.calendar else None,
        "assessor": settings.assessor,
    }


_RAG_STYLE = {Rag.GREEN: "green", Rag.AMBER: "yellow", Rag.RED: "red"}


def outcomes_table(outcomes: Sequence[pipeline.CsuOutcome], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("CSU", "CP", "Decision", "Domains", "Report"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        a = o.assessment if o.assessment is not None and o.assessment.checkpoint == o.checkpoint else None
        if a is not None:
            decision = escape(a.outcome.label) + (" [red](escalation)[/]" if a.escalation else "")
            if o.status == "invalid_submission":
                decision += " [red](invalid submission)[/]"
            flagged = [
                f"[{_RAG_STYLE[r]}]{d.value} {r.value}[/]" for d, r in a.domains.items() if r is not Rag.GREEN
            ]
            domains = ", ".join(flagged) or "[green]all GREEN[/]"
        else:
            decision = f"[dim]{escape(o.status)}: {escape(o.message)}[/]"
            domains = ""
        report = escape(a.report_path) if a and a.report_path else ""
        table.add_row(escape(o.csu_name), str(int(o.checkpoint)), decision, domains, report)
    return table


def show_outcomes(
    outcomes: Sequence[pipeline.CsuOutcome], fmt: OutputFormat, title: str | None = None
) -> None:
    """Print the outcomes (and any problems) and exit 1 if a submission was invalid or an assessment failed."""
    if fmt is OutputFormat.JSON:
        out.print_json(json.dumps({"assessments": [pipeline.outcome_json(o) for o in outcomes]}))
    else:
        out.print(outcomes_table(outcomes, title))
    for o in outcomes:
        if o.problems:
            err.print(f"[bold red]✗ {escape(o.csu_id)}[/] checkpoint {int(o.checkpoint)}: invalid submission")
            for problem in o.problems:
                err.print(f"  - {escape(problem)}")
        if o.status == "error":
            err.print(f"[bold red]✗ {escape(o.csu_id)}[/] could not be assessed: {escape(o.message)}")
        if o.pdf_error:
            err.print(f"[bold red]✗ {escape(o.csu_id)}[/] no PDF copy: {escape(o.pdf_error)}")
    failed = any(o.failed or o.pdf_error for o in outcomes)
    raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)


def as_date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None
