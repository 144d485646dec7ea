"""`csu-assure moderate RUN_ID`: resume a flow run paused for moderation, accepting the draft, or overriding and
waiving checks. What is given is applied whole, or refused with the reason; nothing is dropped."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, err, out, usage_error

# CHECK_ID=PASS|FAIL:reason and CHECK_ID:YYYY-MM-DD:reason; the check id itself is validated by the kernel's one
# pattern (CheckId), and against the paused run's checks by the run.
OVERRIDE = re.compile(r"^(?P<check>[^=\s]+)=(?P<status>PASS|FAIL):(?P<reason>.+)$", re.DOTALL)
WAIVE = re.compile(r"^(?P<check>[^:=\s]+):(?P<expires>\d{4}-\d{2}-\d{2}):(?P<reason>.+)$", re.DOTALL)


def parse_override(text: str) -> dict[str, str]:
    match = OVERRIDE.match(text.strip())
    if match is None:
        raise usage_error(
            f"--override {text!r}: expected CHECK_ID=PASS:reason or CHECK_ID=FAIL:reason, "
            "e.g. CP2-CUS-03=PASS:letters of intent received after the deadline"
        )
    return {"check_id": match["check"], "status": match["status"], "reason": match["reason"].strip()}


def parse_waiver(text: str) -> dict[str, str]:
    match = WAIVE.match(text.strip())
    if match is None:
        raise usage_error(
            f"--waive {text!r}: expected CHECK_ID:YYYY-MM-DD:reason (the last day the waiver applies), "
            "e.g. CP2-LEA-02:2012-06-30:finance director starts in June"
        )
    return {"check_id": match["check"], "expires": match["expires"], "reason": match["reason"].strip()}


def moderate(
    run_id: Annotated[
        str,
        typer.Argument(help="The paused flow run's id (printed when the run paused; in the Prefect UI)."),
    ],
    assessor: Annotated[str, typer.Option("--assessor", help="Your name, recorded on the assessment.")],
    override: Annotated[
        list[str] | None,
        typer.Option("--override", help="CHECK_ID=PASS|FAIL:reason: set a check's result (repeatable)."),
    ] = None,
    waive: Annotated[
        list[str] | None,
        typer.Option(
            "--waive",
            help="CHECK_ID:YYYY-MM-DD:reason: a failing check does not count up to and including that day; "
            "the day after, the CSU is re-assessed without it (repeatable).",
        ),
    ] = None,
    accept: Annotated[bool, typer.Option("--accept", help="Accept the draft as it stands.")] = False,
    note: Annotated[str | None, typer.Option("--note", help="A note recorded with the moderation.")] = None,
) -> None:
    """Moderate a paused assessment: --accept it, or --override and --waive checks (each with a reason).

    Exit 0 when the run applied it, 1 when the run refused it (the reason is printed; the run waits again) or
    cannot be resumed, 2 on a usage error.
    """
    try:
        flow_run_id = uuid.UUID(run_id)
    except ValueError:
        raise usage_error(f"{run_id!r} is not a flow run id (a UUID)") from None
    overrides = [parse_override(o) for o in override or []]
    waivers = [parse_waiver(w) for w in waive or []]
    if accept and (overrides or waivers):
        raise usage_error(
            "--accept takes the draft as it stands: give it alone, or --override/--waive without it"
        )
    if not accept and not (overrides or waivers):
        raise usage_error("give --accept, or at least one --override or --waive")
    given = {"assessor": assessor, "overrides": overrides, "waivers": waivers, "note": note}
    from pydantic import ValidationError

    from cli.runner import quiet_prefect, start_prefect_or_exit
    from flows.moderation import ModerationNotApplied, ResumeFailed, resume_moderation

    quiet_prefect()
    start_prefect_or_exit()
    try:
        with err.status("Resuming the run and waiting for it to apply the moderation…", spinner="dots"):
            outcome = resume_moderation(flow_run_id, given)
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            where = ".".join(str(p) for p in problem["loc"])
            err.print(f"[bold red]error:[/] {escape(where)}: {escape(problem['msg'])}")
        raise typer.Exit(EXIT_INVALID) from None
    except ResumeFailed as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_INVALID) from None
    except ModerationNotApplied as error:
        err.print(
            f"[bold red]not applied:[/] {escape(str(error))}. Nothing was recorded; the run waits for "
            "moderation again."
        )
        raise typer.Exit(EXIT_INVALID) from None
    what = "accepted" if accept else f"{len(overrides)} override(s), {len(waivers)} waiver(s)"
    out.print(f"{flow_run_id}: {what} by {escape(assessor)}: {escape(outcome)}")
