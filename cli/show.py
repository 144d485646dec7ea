"""Showing runs in the terminal: a table, or JSON for machines, and the exit code they call for."""

from __future__ import annotations

import json
from collections.abc import Sequence

import typer
from rich.markup import escape
from rich.table import Table

from cli.common import EXIT_INVALID, EXIT_OK, err, out
from cli.options import OutputFormat
from csu_assure.domain import Disposition, DomainStatus, Rag
from csu_assure.render.records import run_json
from csu_assure.results import CsuRow

_RAG_STYLE = {Rag.GREEN: "green", Rag.AMBER: "yellow", Rag.RED: "red"}


def rows_table(rows: Sequence[CsuRow], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("CSU", "CP", "Decision", "Domains", "Report"):
        table.add_column(column, overflow="fold")
    for row in rows:
        s = row.summary
        if s is not None:
            decision = escape(s.outcome.label) + (
                f" [red](escalation: {s.escalation.label(row.checkpoint).lower()})[/]" if s.escalation else ""
            )
            if row.disposition is Disposition.INVALID_SUBMISSION:
                decision += " [red](invalid submission)[/]"
            flagged = [
                f"[{_RAG_STYLE[st.rag]}]{d.label(row.checkpoint).lower()} {st.value}[/]"
                for d, st in s.domains.items()
                if st is not DomainStatus.PASS
            ]
            domains = ", ".join(flagged) or "[green]all pass[/]"
        else:
            decision = f"[dim]{escape(row.disposition)}: {escape(row.message)}[/]"
            domains = ""
        report = escape(s.report_path) if s and s.report_path else ""
        table.add_row(escape(row.csu_name), str(int(row.checkpoint)), decision, domains, report)
    return table


def show_rows(rows: Sequence[CsuRow], fmt: OutputFormat, title: str | None = None) -> None:
    """Print the runs (and any problems) and exit 1 if a submission was invalid or an assessment failed."""
    if fmt is OutputFormat.JSON:
        out.print_json(json.dumps({"assessments": [run_json(r) for r in rows]}))
    else:
        out.print(rows_table(rows, title))
    for row in rows:
        issues = row.summary.data_quality if row.summary is not None else ()
        if issues:
            err.print(
                f"[bold yellow]⚠ {escape(row.csu_id)}[/] checkpoint {int(row.checkpoint)}: "
                f"{len(issues)} data-quality issue(s), for the assessor to resolve (the report lists them):"
            )
            for issue in issues:
                err.print(f"  - {escape(str(issue))}")
        if row.problems:
            err.print(
                f"[bold red]✗ {escape(row.csu_id)}[/] checkpoint {int(row.checkpoint)}: invalid submission"
            )
            for problem in row.problems:
                err.print(f"  - {escape(problem)}")
        if row.disposition is Disposition.ERROR:
            err.print(f"[bold red]✗ {escape(row.csu_id)}[/] could not be assessed: {escape(row.message)}")
        if row.pdf_error:
            err.print(f"[bold red]✗ {escape(row.csu_id)}[/] no PDF copy: {escape(row.pdf_error)}")
    failed = any(r.failed or r.pdf_error for r in rows)
    raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)
