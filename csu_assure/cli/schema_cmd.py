"""`csu-assure schema`: print or write the JSON Schema and the format reference of a submission."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from csu_assure.cli.common import out, usage_error
from csu_assure.contract_docs import render_schema, submission_format_markdown


def schema(
    write: Annotated[
        Path | None, typer.Option("--write", help="Write the JSON Schema here instead of printing it.")
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the readable format reference (Markdown).")
    ] = None,
) -> None:
    """The submission contract as JSON Schema (business plan + each table's row model)."""
    text = render_schema()
    if write is None:
        typer.echo(text, nl=False)
    for target, content in ((write, text), (markdown, submission_format_markdown())):
        if target is None:
            continue
        try:
            _write_text(target, content)
        except OSError as error:
            raise usage_error(f"cannot write {target}: {error.strerror or error}") from None
        if write is not None:
            out.print(f"Wrote {escape(str(target))}")


def _write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
