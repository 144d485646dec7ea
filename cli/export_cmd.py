"""`csu-assure export`: the register's latest assessments and check results as CSV, Excel or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.audit_cmd import UNCHECKED_WARNING, RegisterDir, RegisterUrl, open_register, register_settings
from cli.common import EXIT_INVALID, err, out, usage_error
from csu_assure.render.formats import ExportFormat, ExportTable


def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv (two files, or --table), xlsx or json.")],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The file to write (default: <out-dir>/register-export.<format>; csv without --table "
            "writes <stem>-assessments.csv and <stem>-results.csv).",
        ),
    ] = None,
    table: Annotated[
        ExportTable | None,
        typer.Option("--table", help="csv/xlsx: export only this table (default: both)."),
    ] = None,
    register_url: RegisterUrl = None,
    out_dir: RegisterDir = None,
) -> None:
    """Export the latest assessment of every CSU at every checkpoint, and each one's check results.

    Text that a spreadsheet could run as a formula is neutralised (a leading '). The chain heads are checked
    first (quick; `audit verify` checks every row): a register holding rows past a head, or, with the register
    key (CSU_ASSURE_REGISTER_KEY), one whose heads are not signed with it, is not exported. Exit 0 when written,
    1 when the register holds no assessments, fails that check, or the file cannot be written, 2 on usage
    errors.
    """
    if table is not None and fmt is ExportFormat.JSON:
        raise usage_error("--table applies to csv and xlsx; json exports the full records")
    settings = register_settings(register_url, out_dir)
    target = out_file or settings.out_dir / f"register-export.{fmt.value}"
    if target.suffix.lower() != f".{fmt.value}":
        raise usage_error(f"--out {target}: expected a .{fmt.value} file for --format {fmt.value}")
    if target.is_dir():
        raise usage_error(f"--out {target} is a folder; give a file name")
    register = open_register(settings)
    try:
        heads = register.check_heads()
        assessments = register.all_latest() if not heads.problems else []
        url = register.display_url
    finally:
        register.close()
    if heads.problems:
        err.print(
            f"[bold red]✗[/] not exporting: the register ({escape(url)}) fails its chain heads' check; "
            "run `csu-assure audit verify`:"
        )
        for problem in heads.problems:
            err.print(f"  - {escape(str(problem))}")
        raise typer.Exit(EXIT_INVALID)
    if heads.signatures == "unchecked":
        err.print(f"[yellow]⚠ {escape(UNCHECKED_WARNING)}[/]")
    if not assessments:
        err.print(f"[bold red]✗[/] the register ({escape(url)}) holds no assessments to export")
        raise typer.Exit(EXIT_INVALID)
    from csu_assure.render.records import export as write_export

    try:
        written = write_export(assessments, fmt, target, tuple(ExportTable) if table is None else (table,))
    except OSError as error:
        err.print(
            f"[bold red]✗[/] cannot write {escape(str(target))}: {escape(error.strerror or str(error))}"
        )
        raise typer.Exit(EXIT_INVALID) from None
    checks = sum(len(a.results) for a in assessments)
    out.print(f"exported {len(assessments)} assessment(s) and {checks} check result(s):")
    for path in written:
        out.print(f"  {escape(str(path))}")
