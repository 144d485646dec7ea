"""`csu-assure audit head` and `csu-assure audit verify`: tamper evidence for the assessment register."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, EXIT_OK, out, usage_error

if TYPE_CHECKING:
    from csu_assure.register import Register
    from csu_assure.settings import Settings

RegisterUrl = Annotated[
    str | None,
    typer.Option(
        "--register",
        help="SQLAlchemy URL of the register (default: sqlite:///<out-dir>/register.sqlite, "
        "or CSU_ASSURE_REGISTER_URL).",
    ),
]
RegisterDir = Annotated[
    Path | None,
    typer.Option("--out-dir", help="The output folder holding register.sqlite (default: out/)."),
]


class AuditFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def register_settings(register_url: str | None, out_dir: Path | None) -> Settings:
    """The settings with the options given on the command line (environment variables fill the rest)."""
    from csu_assure.settings import Settings

    given: dict[str, Any] = {"register_url": register_url, "out_dir": out_dir}
    return Settings(**{k: v for k, v in given.items() if v is not None})


def open_register(settings: Settings) -> Register:
    """The register the settings name, which must exist: a missing one is a usage error (exit 2)."""
    from csu_assure.register import Register, RegisterMissing, RegisterUnavailable

    try:
        return Register.open_existing(settings.resolved_register_url)
    except RegisterMissing as error:
        raise usage_error(f"{error} (give --register URL or --out-dir DIR)") from None
    except RegisterUnavailable as error:
        raise usage_error(str(error)) from None


audit_app = typer.Typer(
    no_args_is_help=True,
    help="Tamper evidence: print the register's chain heads to keep elsewhere, verify the register.",
)


@audit_app.command("head")
def head(
    register_url: RegisterUrl = None,
    out_dir: RegisterDir = None,
    save: Annotated[
        Path | None, typer.Option("--save", help="Also write the heads to this file (for --expect-heads).")
    ] = None,
) -> None:
    """Print each register table's chain head (row count, last hash) and their digest, as JSON.

    Keep the output outside the database (a file, the signed report): `audit verify --expect-heads FILE`
    then detects rows deleted from the end or a register rewritten and re-hashed since.
    """
    from csu_assure.register import chain as audit

    register = open_register(register_settings(register_url, out_dir))
    try:
        document = json.dumps(audit.heads_document(register), indent=2)
    finally:
        register.close()
    if save is not None:
        try:
            save.parent.mkdir(parents=True, exist_ok=True)
            save.write_text(document + "\n", encoding="utf-8")
        except OSError as error:
            raise usage_error(f"{save}: cannot write the heads ({error.strerror or error})") from None
    out.print(document, markup=False)


@audit_app.command("verify")
def verify(
    expect_heads: Annotated[
        Path | None,
        typer.Option("--expect-heads", help="Heads saved earlier by `audit head`: they must still be there."),
    ] = None,
    register_url: RegisterUrl = None,
    out_dir: RegisterDir = None,
    reports: Annotated[
        bool, typer.Option("--reports/--no-reports", help="Check each report file's SHA-256 (default: on).")
    ] = True,
    fmt: Annotated[
        AuditFormat, typer.Option("--format", help="text, or json for machines.")
    ] = AuditFormat.TEXT,
) -> None:
    """Verify the register: every edited, deleted, inserted or reordered row, every changed or missing report.

    Exit 0 when intact, 1 when anything is wrong, 2 on usage errors (e.g. no register there).
    """
    from csu_assure.register import chain as audit

    try:
        expected = audit.load_heads(expect_heads) if expect_heads is not None else []
    except audit.HeadsFileInvalid as error:
        raise usage_error(str(error)) from None
    register = open_register(register_settings(register_url, out_dir))
    try:
        result = audit.verify(register, expected, check_reports=reports)
        url = register.display_url
    finally:
        register.close()
    if fmt is AuditFormat.JSON:
        document = {
            "register": url,
            "intact": result.intact,
            "problems": [{"table": p.table, "row": p.row_id, "problem": p.reason} for p in result.problems],
            "heads": {h.table: {"rows": h.row_count, "hash": h.head_hash} for h in result.heads.values()},
            "reports_checked": result.reports_checked,
        }
        out.print_json(json.dumps(document))
    else:
        rows = ", ".join(f"{h.table} {h.row_count}" for h in result.heads.values())
        checked = f"rows: {rows}; report files checked: {result.reports_checked}"
        if expected:
            checked += f"; saved heads checked: {len(expected)}"
        if result.intact:
            out.print(f"[green]✓ register intact[/] ({escape(url)}): {checked}")
        else:
            out.print(
                f"[bold red]✗ register NOT intact[/] ({escape(url)}): {len(result.problems)} problem(s)"
            )
            for problem in result.problems:
                out.print(f"  - {escape(str(problem))}")
            out.print(checked)
    raise typer.Exit(EXIT_OK if result.intact else EXIT_INVALID)
