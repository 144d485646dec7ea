"""`csu-assure rules`: list the check catalogue, explain one check, and write the rule reference page."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import EXIT_INVALID, out, print_problems, usage_error

if TYPE_CHECKING:
    from csu_assure.catalogue import Catalogue
    from csu_assure.ruleset import RuleSet


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help="An alternative rule-set file (default: the shipped 2012 rule set).",
        dir_okay=False,
    ),
]

rules_app = typer.Typer(
    help="The check catalogue: list the checks, explain one, or write the rule reference page.",
    no_args_is_help=False,
)


def _load(rules: Path | None) -> tuple[Catalogue, RuleSet]:
    import checks
    from csu_assure.ruleset import RuleSetInvalid, load_ruleset

    if rules is not None and not rules.is_file():
        raise usage_error(f"rule-set file {rules} does not exist")
    catalogue = checks.catalogue()
    try:
        return catalogue, load_ruleset(catalogue, rules)
    except RuleSetInvalid as error:
        print_problems(error.source, error.problems)
        raise typer.Exit(EXIT_INVALID) from None


@rules_app.callback(invoke_without_command=True)
def list_rules(
    ctx: typer.Context,
    checkpoint: Annotated[
        int | None, typer.Option("--checkpoint", min=1, max=3, help="Only this checkpoint's checks (1-3).")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="text (a table) or json.")] = (
        OutputFormat.TEXT
    ),
    rules: RulesOption = None,
) -> None:
    """List the checks with their checkpoint, domain, severity and the problem each one finds."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.markup import escape
    from rich.table import Table

    from csu_assure.domain import Checkpoint
    from csu_assure.rule_reference import catalogue_view, select

    catalogue, ruleset = _load(rules)
    chosen = Checkpoint(checkpoint) if checkpoint is not None else None
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(catalogue_view(catalogue, ruleset, chosen), indent=2, ensure_ascii=False))
        return
    items = select(catalogue, chosen)
    table = Table(
        title=f"{len(items)} checks — rule set {ruleset.name} {ruleset.version}", title_justify="left"
    )
    for column in ("id", "checkpoint", "domain", "severity", "name"):
        table.add_column(column, no_wrap=column != "name")
    for item in items:
        enabled = ruleset.enabled.get(item.id, True)
        table.add_row(
            item.id,
            str(int(item.checkpoint)),
            item.domain.value,
            ruleset.severity[item.id].value,
            escape(item.name) + ("" if enabled else " [dim](disabled)[/]"),
        )
    out.print(table)


@rules_app.command("explain")
def explain(
    check_id: Annotated[str, typer.Argument(help="A check id, e.g. CP2-CUS-03.", show_default=False)],
    rules: RulesOption = None,
) -> None:
    """Print one check's documentation: what it checks, why, evidence, source, parameters and action."""
    from rich.markdown import Markdown

    from csu_assure.rule_reference import close_matches, find_check, render_check

    catalogue, ruleset = _load(rules)
    item = find_check(catalogue, check_id)
    if item is None:
        near = close_matches(catalogue, check_id)
        hint = f"; did you mean {', '.join(near)}?" if near else "; run `csu-assure rules` to list them"
        raise usage_error(f"unknown check id {check_id!r}{hint}")
    out.print(Markdown(render_check(item, ruleset, level=2, anchor=False)), soft_wrap=False)


@rules_app.command("reference")
def reference(
    write: Annotated[
        Path | None,
        typer.Option(
            "--write", help="Write the page to this file (e.g. docs/rules.md) instead of printing it."
        ),
    ] = None,
    rules: RulesOption = None,
) -> None:
    """Generate the rule reference page (markdown) from the catalogue and the rule set."""
    from rich.markup import escape

    from csu_assure.rule_reference import render_rule_reference

    catalogue, ruleset = _load(rules)
    text = render_rule_reference(catalogue, ruleset)
    if write is None:
        typer.echo(text, nl=False)
        return
    try:
        write.parent.mkdir(parents=True, exist_ok=True)
        write.write_text(text, encoding="utf-8")
    except OSError as error:
        raise usage_error(f"cannot write {write}: {error.strerror or error}") from None
    out.print(
        f"wrote {escape(str(write))} ({len(catalogue)} checks, rule set {ruleset.name} {ruleset.version})"
    )


@rules_app.command("decision-model")
def decision_model(
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            help="Write the page to this file (e.g. docs/decision-model.md) instead of printing it.",
        ),
    ] = None,
    examples: Annotated[
        Path,
        typer.Option("--examples", help="A cohort whose assessments give the worked examples."),
    ] = Path("submissions/example-cohort"),
    rules: RulesOption = None,
) -> None:
    """Generate the decision-model page: the model, its sources, and worked examples from a cohort."""
    from rich.markup import escape

    from csu_assure.calendar import load_calendar
    from csu_assure.decision_reference import render_decision_model
    from csu_assure.loading import csu_folders
    from csu_assure.service import DryRun, Options, dry_run_config, progress_csu

    if not examples.is_dir():
        raise usage_error(f"--examples {examples} is not a cohort folder")
    catalogue, ruleset = _load(rules)
    calendar = load_calendar()
    config = dry_run_config(catalogue, ruleset, calendar)
    records = [
        record
        for folder in csu_folders(examples)
        for run in progress_csu(folder, config, Options(), DryRun())
        if (record := run.current) is not None
    ]
    text = render_decision_model(catalogue, ruleset, calendar, records)
    if write is None:
        typer.echo(text, nl=False)
        return
    try:
        write.parent.mkdir(parents=True, exist_ok=True)
        write.write_text(text, encoding="utf-8")
    except OSError as error:
        raise usage_error(f"cannot write {write}: {error.strerror or error}") from None
    out.print(f"wrote {escape(str(write))} ({len(records)} assessments of {escape(str(examples))})")


@rules_app.command("diff")
def diff(
    a: Annotated[Path, typer.Argument(help="A rule-set file.", show_default=False, dir_okay=False)],
    b: Annotated[Path, typer.Argument(help="Another rule-set file.", show_default=False, dir_okay=False)],
    output: Annotated[OutputFormat, typer.Option("--format", help="text (tables) or json.")] = (
        OutputFormat.TEXT
    ),
) -> None:
    """List the check parameters, severities, enabled checks and settings that differ between two rule sets,
    with both rule sets' names, versions and SHA-256. Exit 0; 1 when a file is invalid or cannot be read."""
    from rich.markup import escape
    from rich.table import Table

    import checks
    from csu_assure.ruleset import RuleSetInvalid, load_ruleset
    from csu_assure.variants import diff_rulesets, shown

    catalogue = checks.catalogue()
    try:
        first, second = load_ruleset(catalogue, a), load_ruleset(catalogue, b)
    except RuleSetInvalid as error:
        print_problems(error.source, error.problems)
        raise typer.Exit(EXIT_INVALID) from None
    found = diff_rulesets(first, second, catalogue)
    if output is OutputFormat.JSON:
        data = found.model_dump(mode="json") | {"checks_that_differ": list(found.checks)}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for label, who in (("A", found.a), ("B", found.b)):
        out.print(f"{label}: [bold]{escape(who.name)} {escape(who.version)}[/] ({escape(who.source)})")
        out.print(f"   sha256 {who.sha256}")
    if found.same_file:
        out.print("The files are identical.")
    if not found.differences:
        out.print("No severity, threshold, enabled check or setting differs.")
        return
    table = Table(title=f"{len(found.differences)} difference(s)", title_justify="left")
    for column in ("kind", "check or section", "item", "A", "B"):
        table.add_column(column, overflow="fold")
    for d in found.differences:
        table.add_row(d.kind, escape(d.what), escape(d.item), escape(shown(d.a)), escape(shown(d.b)))
    out.print(table)
    if found.checks:
        out.print(f"Checks that differ: {', '.join(found.checks)}")
