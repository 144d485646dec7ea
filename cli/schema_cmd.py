"""`csu-assure schema`: print or write the JSON Schema and the format reference of a submission."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.markup import escape

from cli.common import out, usage_error


def schema(
    write: Annotated[
        Path | None, typer.Option("--write", help="Write the JSON Schema here instead of printing it.")
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the readable format reference (Markdown).")
    ] = None,
    runs: Annotated[
        Path | None,
        typer.Option(
            "--runs", help="Also write the JSON Schema of the `--format json` output of assess/cohort."
        ),
    ] = None,
) -> None:
    """The submission contract as JSON Schema (business plan + each table's row model)."""
    from csu_assure.contract_docs import render_schema, submission_format_markdown
    from csu_assure.render.records import runs_schema

    text = render_schema()
    if write is None:
        typer.echo(text, nl=False)
    written = ((write, text), (markdown, submission_format_markdown()), (runs, runs_schema()))
    for target, content in written:
        if target is None:
            continue
        try:
            _write_text(target, content)
        except OSError as error:
            raise usage_error(f"cannot write {target}: {error.strerror or error}") from None
        if write is not None:
            out.print(f"Wrote {escape(str(target))}")


def _write_text(path: Path, text: str) -> None:
    """Written in one step, so a reader never sees half a file."""
    from csu_assure.render.atomic import write_atomically

    def write(handle: BinaryIO) -> None:
        handle.write(text.encode("utf-8"))

    write_atomically(path, write)
