"""`csu-assure moderate RUN_ID`: resume a flow run paused for moderation, accepting or overriding checks."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import EXIT_INVALID, err, out, usage_error

# CHECK_ID=PASS|FAIL:reason; the check id itself is validated by the kernel's one pattern (CheckId).
OVERRIDE = re.compile(r"^(?P<check>[^=\s]+)=(?P<status>PASS|FAIL):(?P<reason>.+)$", re.DOTALL)


def parse_override(text: str) -> dict[str, str]:
    match = OVERRIDE.match(text.strip())
    if match is None:
        raise usage_error(
            f"--override {text!r}: expected CHECK_ID=PASS:reason or CHECK_ID=FAIL:reason, "
            "e.g. CP2-CUS-03=PASS:letters of intent received after the deadline"
        )
    return {"check_id": match["check"], "status": match["status"], "reason": match["reason"].strip()}


def moderate(
    run_id: Annotated[
        str, typer.Argument(help="The paused flow run's id (shown in the Prefect UI / history).")
    ],
    assessor: Annotated[str, typer.Option("--assessor", help="Your name, recorded on the assessment.")],
    override: Annotated[
        list[str] | None, typer.Option("--override", help="CHECK_ID=PASS|FAIL:reason (repeatable).")
    ] = None,
    accept: Annotated[bool, typer.Option("--accept", help="Accept the draft as it stands.")] = False,
    note: Annotated[str | None, typer.Option("--note", help="A note recorded with the moderation.")] = None,
) -> None:
    """Moderate a paused assessment: --accept it, or --override checks (each with a reason)."""
    try:
        flow_run_id = uuid.UUID(run_id)
    except ValueError:
        raise usage_error(f"{run_id!r} is not a flow run id (a UUID)") from None
    overrides = [parse_override(o) for o in override or []]
    if accept == bool(overrides):
        raise usage_error("give either --accept or at least one --override")
    given = {
        "assessor": assessor,
        "decision": "accept" if accept else "override",
        "overrides": overrides,
        "note": note,
    }
    from pydantic import ValidationError

    from cli.runner import quiet_prefect, start_prefect_or_exit
    from flows.moderation import ResumeFailed, resume_moderation

    quiet_prefect()
    start_prefect_or_exit()
    try:
        resume_moderation(flow_run_id, given)
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            where = ".".join(str(p) for p in problem["loc"])
            err.print(f"[bold red]error:[/] {escape(where)}: {escape(problem['msg'])}")
        raise typer.Exit(EXIT_INVALID) from None
    except ResumeFailed as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_INVALID) from None
    out.print(f"resumed {flow_run_id}: {given['decision']} by {escape(assessor)}")
