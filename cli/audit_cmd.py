"""`csu-assure audit head`, `audit verify` and `audit sign`: tamper evidence for the assessment register."""

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
    from csu_assure.register.signing import RegisterKey
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


# What `chain.Signatures` showed, in words (keyed by value: the register modules load when a command runs).
_SIGNATURES_SAID = {
    "verified": "verified with the register key",
    "unchecked": "not checked (no register key given)",
    "unsigned": "none (the register is not signed)",
    "invalid": "not signed with the register key",
}


class AuditFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def register_settings(register_url: str | None, out_dir: Path | None) -> Settings:
    """The settings with the options given on the command line (environment variables fill the rest)."""
    from csu_assure.settings import Settings

    given: dict[str, Any] = {"register_url": register_url, "out_dir": out_dir}
    return Settings(**{k: v for k, v in given.items() if v is not None})


def register_key(settings: Settings, field: str = "register_key") -> RegisterKey | None:
    """The register key a setting holds (CSU_ASSURE_REGISTER_KEY, or `field`), a Prefect Secret block it names
    loaded from the Prefect API; a key that cannot be had is a usage error (exit 2)."""
    from csu_assure.register.signing import (
        KEY_SETTING,
        OLD_KEY_SETTING,
        RegisterKey,
        RegisterKeyInvalid,
        secret_block_name,
    )

    setting = KEY_SETTING if field == "register_key" else OLD_KEY_SETTING
    try:
        value = getattr(settings, field)
        name = secret_block_name(value)
        if name is not None:  # a key kept in a Prefect Secret block: only then is Prefect imported
            from cli.runner import quiet_prefect
            from flows.secrets import load_secret

            quiet_prefect()
            value = load_secret(name, setting, RegisterKeyInvalid)
        return RegisterKey.from_setting(value, setting)
    except RegisterKeyInvalid as error:
        raise usage_error(str(error)) from None


def open_register(settings: Settings) -> Register:
    """The register the settings name, which must exist, with the register key they hold: a missing register,
    one that cannot be opened or an unusable key is a usage error (exit 2)."""
    from csu_assure.register import Register, RegisterMissing, RegisterUnavailable

    key = register_key(settings)
    try:
        return Register.open_existing(settings.resolved_register_url, key)
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
    """Print each register table's chain head (row count, last hash, whether it is signed) and their digest, as
    JSON, with what the heads' signatures showed ("verified" with the register key, "unchecked" without one,
    "unsigned", or "invalid").

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
    """Verify the register: every edited, deleted, inserted or reordered row, every changed or missing report,
    and, with the register key (CSU_ASSURE_REGISTER_KEY), every chain head not signed with it.

    Without the key, a signed register's signatures cannot be checked: that is said (a warning; "signatures":
    "unchecked" in JSON), and the exit code depends on the rest. Exit 0 when intact, 1 when anything is wrong,
    2 on usage errors (e.g. no register there).
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
            "signatures": result.signatures.value,
            "reports_checked": result.reports_checked,
        }
        out.print_json(json.dumps(document))
    else:
        rows = ", ".join(f"{h.table} {h.row_count}" for h in result.heads.values())
        checked = f"rows: {rows}; report files checked: {result.reports_checked}"
        if expected:
            checked += f"; saved heads checked: {len(expected)}"
        checked += f"; chain head signatures: {_SIGNATURES_SAID[result.signatures]}"
        if result.intact:
            out.print(f"[green]✓ register intact[/] ({escape(url)}): {checked}")
        else:
            out.print(
                f"[bold red]✗ register NOT intact[/] ({escape(url)}): {len(result.problems)} problem(s)"
            )
            for problem in result.problems:
                out.print(f"  - {escape(str(problem))}")
            out.print(checked)
        if result.signatures == "unchecked":
            out.print(f"[yellow]⚠ {escape(UNCHECKED_WARNING)}[/]")
    raise typer.Exit(EXIT_OK if result.intact else EXIT_INVALID)


UNCHECKED_WARNING = (
    "the chain heads are signed, but no register key was given (CSU_ASSURE_REGISTER_KEY): their signatures could "
    "not be checked, so rows appended by someone who can write the database would not show here"
)


@audit_app.command("sign")
def sign(
    expect_heads: Annotated[
        Path | None,
        typer.Option("--expect-heads", help="Heads saved earlier by `audit head`: they must still be there."),
    ] = None,
    trust_current_heads: Annotated[
        bool,
        typer.Option(
            "--trust-current-heads",
            help="Also sign heads that are unsigned or signed with another key, once someone has checked the "
            "rows they end at (the chains must still verify).",
        ),
    ] = False,
    register_url: RegisterUrl = None,
    out_dir: RegisterDir = None,
) -> None:
    """Sign every chain head with the register key (CSU_ASSURE_REGISTER_KEY), after verifying the register.

    Use it once to sign a register written before it had a key (check it against saved heads with
    --expect-heads), and to rotate the key: with the key it is signed with now in CSU_ASSURE_REGISTER_OLD_KEY
    and the new one in CSU_ASSURE_REGISTER_KEY, the heads are checked with the old key and signed with the new.
    Nothing is signed when anything is wrong. Report files are not checked (`audit verify` does).
    Exit 0 when signed, 1 when the register did not verify, 2 on usage errors (e.g. no key).
    """
    from csu_assure.register import chain as audit

    try:
        expected = audit.load_heads(expect_heads) if expect_heads is not None else []
    except audit.HeadsFileInvalid as error:
        raise usage_error(str(error)) from None
    settings = register_settings(register_url, out_dir)
    if settings.register_key is None:
        raise usage_error("no register key to sign with: set CSU_ASSURE_REGISTER_KEY")
    previous = register_key(settings, "register_old_key")
    register = open_register(settings)
    try:
        result = register.sign_heads(previous, expected, trust=trust_current_heads)
        heads = register.heads()
        url = register.display_url
    finally:
        register.close()
    if result.problems:
        out.print(f"[bold red]✗ not signed[/] ({escape(url)}): {len(result.problems)} problem(s)")
        for problem in result.problems:
            out.print(f"  - {escape(str(problem))}")
        if result.signatures == "invalid" and previous is None:
            out.print(
                "If the register is signed with another key, give that key in CSU_ASSURE_REGISTER_OLD_KEY; if "
                "rows were appended by something without the key, check them, then use --trust-current-heads."
            )
        raise typer.Exit(EXIT_INVALID)
    was = {
        "unsigned": "unsigned until now",
        "verified": "their signatures checked" + (" with the old key" if previous else ""),
        "invalid": "signed over unsigned or mis-signed heads (--trust-current-heads)",
    }.get(result.signatures.value, result.signatures.value)
    written = sum(1 for h in heads.values() if h.row_count)
    out.print(f"[green]✓ signed {written} chain head(s)[/] with the register key ({escape(url)}; {was})")
