"""Showing runs in the terminal: a table, or JSON for machines, and the exit code they call for."""

from __future__ import annotations

import json
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cli.common import EXIT_INVALID, EXIT_OK, err, out
from cli.options import OutputFormat
from csu_assure.domain import Disposition, DomainStatus, Rag
from csu_assure.language import count
from csu_assure.render.records import RUNS_FORMAT, run_json
from csu_assure.results import Assessment, CsuRow, count_label

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
        if row.report_error:
            report = "[red]not written[/] (see below)"
        table.add_row(escape(row.csu_name), str(int(row.checkpoint)), decision, domains, report)
    return table


# A cohort run lists every CSU up to this many; beyond, only those needing attention (a 260-CSU table is 785
# lines of scrolling in which the few that matter are lost). The totals line and JSON always cover all.
LIST_ALL_UP_TO = 50


def _needs_attention(row: CsuRow) -> bool:
    s = row.summary
    clean = (
        s is not None
        and row.disposition is Disposition.ASSESSED
        and s.outcome.proceeds
        and not s.conditions
        and s.escalation is None
        and not s.data_quality
    )
    return not clean or bool(row.problems or row.report_error or row.pdf_error)


def totals_line(rows: Sequence[CsuRow]) -> str:
    """The totals, most common first: 20 CSUs: 13 A — proceed · 5 B — … · 2 C — stop."""
    counts = Counter(count_label(r) for r in rows)
    parts = " · ".join(f"{n} {escape(label)}" for label, n in counts.most_common())
    noun = "CSU" if len(rows) == 1 else "CSUs"
    return f"[bold]{len(rows)} {noun}[/]: {parts}" if rows else "no CSUs"


# Borderline CSUs named one per line up to this many; the rest are counted (the cohort report names them all).
BORDERLINE_LISTED = 20


def show_borderline(rows: Sequence[CsuRow]) -> None:
    """Name each CSU whose decision hangs on a threshold within the rule set's tolerance, and the thresholds."""
    from csu_assure.render.analysis import hinges_text

    hanging = [r for r in rows if r.summary is not None and r.summary.borderline]
    if not hanging:
        return
    tolerance = (
        hanging[0].summary.firmness.tolerance if hanging[0].summary and hanging[0].summary.firmness else 0
    )
    out.print(
        f"[bold]Borderline[/] ({len(hanging)}): a move of a threshold within {tolerance:.0%} of itself would change "
        "the outcome of"
    )
    for row in hanging[:BORDERLINE_LISTED]:
        firmness = row.summary.firmness if row.summary else None
        if firmness is not None:
            out.print(f"  {escape(row.csu_name)}: {escape(hinges_text(firmness))}")
    if len(hanging) > BORDERLINE_LISTED:
        out.print(
            f"  [dim]and {len(hanging) - BORDERLINE_LISTED} more (every one is in the cohort report and in "
            "--format json)[/]"
        )


def write_json(
    rows: Sequence[CsuRow],
    record_of: Callable[[CsuRow], Assessment | None],
    cohort_report: Path | None = None,
) -> None:
    """The `--format json` document (`render.records.RunsJson`), written one CSU at a time: each CSU's full
    record is read from the register as its turn comes, so a large cohort's records are never all held."""
    stream = sys.stdout
    stream.write(f'{{\n  "format": "{RUNS_FORMAT}",\n  "assessments": [')
    for i, row in enumerate(rows):
        item = json.dumps(run_json(row, record_of(row)), indent=2, ensure_ascii=False)
        stream.write(("," if i else "") + "\n" + textwrap.indent(item, "    "))
    totals = dict(sorted(Counter(count_label(r) for r in rows).items()))
    report = json.dumps(str(cohort_report) if cohort_report else None)
    stream.write(
        f'\n  ],\n  "totals": {json.dumps(totals, ensure_ascii=False)},\n  "cohort_report": {report}\n}}\n'
    )
    stream.flush()


def show_rows(
    rows: Sequence[CsuRow],
    fmt: OutputFormat,
    title: str | None = None,
    *,
    record_of: Callable[[CsuRow], Assessment | None] = lambda row: None,
    cohort_report: Path | None = None,
    refused: Sequence[str] = (),
    skipped: Sequence[str] = (),
) -> None:
    """Print the runs (and any problems) and exit 1 if a submission was invalid or an assessment failed. With
    JSON, `record_of` gives each CSU's full record (every check's result, the plan)."""
    if fmt is OutputFormat.JSON:
        write_json(rows, record_of, cohort_report)
    else:
        listed = rows if len(rows) <= LIST_ALL_UP_TO else [r for r in rows if _needs_attention(r)]
        out.print(rows_table(listed, title))
        if len(listed) < len(rows):
            out.print(
                f"[dim]{len(rows) - len(listed)} CSUs that proceed with no conditions are not listed; every CSU "
                "is in the cohort report and in --format json.[/]"
            )
        show_borderline(rows)
        out.print(totals_line(rows))
    for row in rows:
        issues = row.summary.data_quality if row.summary is not None else ()
        if issues:
            err.print(
                f"[bold yellow]⚠ {escape(row.csu_id)}[/] checkpoint {int(row.checkpoint)}: "
                f"{count(len(issues), 'data-quality issue')}, for the assessor to resolve (the report lists them):"
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
        if row.report_error:
            err.print(f"[bold red]✗ {escape(row.csu_id)}[/] no report: {escape(row.report_error)}")
        if row.pdf_error:
            err.print(f"[bold red]✗ {escape(row.csu_id)}[/] no PDF copy: {escape(row.pdf_error)}")
    for folder in skipped:
        err.print(f"[dim]note: {escape(folder)} is the output folder, inside the cohort: skipped[/]")
    if refused:
        err.print(
            f"[bold red]✗ {len(refused)} entr{'y' if len(refused) == 1 else 'ies'} of the cohort not read:[/]"
        )
        for problem in refused:
            err.print(f"  - {escape(problem)}")
    failed = any(r.failed or r.pdf_error or r.report_error for r in rows) or bool(refused)
    raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)
