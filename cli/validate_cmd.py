"""`csu-assure validate PATH`: check submissions against the data contract without assessing or writing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, EXIT_OK, err, out, print_problems, usage_error

if TYPE_CHECKING:  # imported when the command runs, not for `--help`
    from csu_assure.loading.problems import Problem


def validate(
    path: Annotated[
        Path, typer.Argument(help="A checkpoint folder, a CSU folder, a cohort folder or an .xlsx.")
    ],
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="Rule-set file whose plausible ranges the figures are checked against (default: the shipped "
            "2012 rule set).",
            dir_okay=False,
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on any warning (implausible figure), not only on errors.")
    ] = False,
) -> None:
    """Validate submissions against the data contract, and warn about implausible figures.

    Lists every located problem, then each valid submission's implausible figures as warnings (file, line, field).

    Exit 0: all valid (warnings shown, not counted); 1: invalid input, or any warning with --strict; 2: usage error.
    """
    from csu_assure.loading import SubmissionInvalid, discover, load_submission, locate_issue
    from csu_assure.loading.problems import visible
    from csu_assure.plausibility import find_implausible
    from csu_assure.ruleset import RuleSetInvalid, load_ruleset, shipped_plausibility
    from csu_assure.submission import EXPECTED_TABLES

    if not path.exists():
        raise usage_error(f"{path} does not exist")
    if rules is not None and not rules.is_file():
        raise usage_error(f"rule-set file {rules} does not exist")
    try:
        if rules is None:  # the shipped ranges: no need to import every check to read them
            limits = shipped_plausibility()
        else:
            import checks

            limits = load_ruleset(checks.catalogue(), rules).plausibility
    except RuleSetInvalid as error:
        print_problems(error.source, error.problems)
        raise typer.Exit(EXIT_INVALID) from None
    discovery = discover(path)
    found = discovery.found
    if not found and not discovery.refused:
        raise usage_error(
            f"no submissions found under {path} (expected business_plan.yaml in a cpN folder, "
            "CSU folders with cp1/ cp2/ cp3/, or .xlsx workbooks)"
        )
    if discovery.refused:  # entries the layout rules refuse: named, never skipped in silence
        print_problems(f"{path} (folder layout)", discovery.refused)
    invalid = 0
    warned: list[tuple[str, list[Problem]]] = []  # shown after every located problem
    for item in found:
        if item.problems:
            invalid += 1
            print_problems(str(item.path), item.problems)
            continue
        try:
            sub = load_submission(item.path)
        except SubmissionInvalid as error:
            invalid += 1
            print_problems(error.source, error.problems)
            continue
        present = {name for name in EXPECTED_TABLES[sub.checkpoint] if getattr(sub, name) is not None}
        missing = [name for name in EXPECTED_TABLES[sub.checkpoint] if name not in present]
        note = (
            f" [yellow](missing, checks will report insufficient evidence: {', '.join(missing)})[/]"
            if missing
            else ""
        )
        out.print(
            f"[green]✓[/] {escape(visible(str(item.path)))}: {escape(visible(sub.plan.csu_name))}, checkpoint "
            f"{int(sub.checkpoint)}, {len(sub.ccgs)} CCGs, population {sub.population:,}{note}"
        )
        issues = find_implausible(sub, limits)
        if issues:
            warned.append((visible(str(item.path)), [locate_issue(sub, issue) for issue in issues]))
    for source, located in warned:
        err.print(f"[bold yellow]⚠ {escape(source)}[/]: {len(located)} warning(s)")
        for problem in located:
            err.print(f"  - {escape(str(problem))}")
    warnings = sum(len(located) for _, located in warned)
    with_warnings = f" ({len(warned)} with {warnings} warning(s): implausible figures)" if warnings else ""
    refused = f", {len(discovery.refused)} refused by the folder layout" if discovery.refused else ""
    out.print(f"{len(found) - invalid} valid{with_warnings}, {invalid} invalid{refused}")
    raise typer.Exit(EXIT_INVALID if invalid or discovery.refused or (strict and warnings) else EXIT_OK)
