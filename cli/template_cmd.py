"""`csu-assure template PATH.xlsx`: write a documented submission workbook for a CSU to fill in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import out, usage_error


def template(
    path: Annotated[Path, typer.Argument(help="The workbook to write, e.g. north-central/cp2.xlsx.")],
    checkpoint: Annotated[
        int | None,
        typer.Option("--checkpoint", min=1, max=3, help="Only the sheets this checkpoint expects (1-3)."),
    ] = None,
    example: Annotated[
        bool,
        typer.Option("--example", help="Fill it with a synthetic example CSU instead of leaving it blank."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a blank (or example) submission workbook with help text, comments and drop-down lists."""
    from csu_assure.synthetic import baseline
    from csu_assure.workbook_template import write_template

    if path.suffix.lower() != ".xlsx":
        raise usage_error(f"{path}: the template is an Excel workbook; give a name ending in .xlsx")
    if path.exists() and not force:
        raise usage_error(f"{path} already exists; use --force to overwrite it")
    if path.exists() and not path.is_file():
        raise usage_error(f"{path} exists and is not a file")
    raw = baseline(csu_id="example", csu_name="Example CSU", checkpoint=checkpoint or 2) if example else None
    try:
        write_template(path, checkpoint, example=raw)
    except OSError as error:
        raise usage_error(f"cannot write {path}: {error.strerror or error}") from None
    kind = "an example" if example else "a blank"
    scope = f"checkpoint {checkpoint}" if checkpoint else "every checkpoint"
    out.print(f"Wrote {kind} submission workbook for {scope} to {escape(str(path))}")
