"""`csu-assure validate PATH`: check submissions against the data contract without assessing or writing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, EXIT_OK, out, print_problems, usage_error


def validate(
    path: Annotated[
        Path, typer.Argument(help="A checkpoint folder, a CSU folder, a cohort folder or an .xlsx.")
    ],
) -> None:
    """Validate submissions: exit 0 if all are valid, 1 listing every located problem, 2 on usage errors."""
    from csu_assure.loading import SubmissionInvalid, discover, load_submission
    from csu_assure.loading.problems import visible
    from csu_assure.submission import EXPECTED_TABLES

    if not path.exists():
        raise usage_error(f"{path} does not exist")
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
    refused = f", {len(discovery.refused)} refused by the folder layout" if discovery.refused else ""
    out.print(f"{len(found) - invalid} valid, {invalid} invalid{refused}")
    raise typer.Exit(EXIT_INVALID if invalid or discovery.refused else EXIT_OK)
