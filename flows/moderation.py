"""Pausing a flow for an assessor's moderation, and the input the assessor gives to resume it.

Nothing an assessor enters is dropped: there is no "decision" to choose, every override and waiver entered is
applied, and a moderation that cannot be applied as given (an unknown or repeated check, a waiver of a check
that passes or one already expired) is refused whole: the run pauses again with the reason at the top of its
Resume form and what was entered filled in. The form is built from the draft (`moderation_form`): its checks as
the choices, its failing checks and findings in the description. Before pausing, the run publishes its draft
(`flows/draft_artifacts.py`) and says, in its log and to whoever started it, how to moderate it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import count
from typing import Any, cast
from uuid import UUID

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.exceptions import NotPausedError, ObjectNotFound
from prefect.flow_runs import pause_flow_run, resume_flow_run
from prefect.input import RunInput
from prefect.input.actions import create_flow_run_input, read_flow_run_input
from prefect.input.run_input import keyset_from_paused_state
from prefect.runtime import flow_run
from prefect.utilities.urls import url_for
from pydantic import Field, ValidationError, create_model
from pydantic_core import PydanticUndefined

from csu_assure.domain import CheckId
from csu_assure.engine import SAYS_SOMETHING, ModerationRejected, Override, Waiver, moderation_problems
from csu_assure.render.moderation import check_choice, failing_checks, form_description, moderate_commands
from csu_assure.results import Assessment, CheckResult
from csu_assure.service import Config, CsuRun
from flows import tasks
from flows.draft_artifacts import publish_draft

MODERATION_TIMEOUT_SECONDS = 14 * 24 * 3600  # an assessor may take up to two weeks to moderate

# Whoever started a run in this process (the CLI) may listen here for its pauses: one record per pause, with the
# `PauseNotice` as its `pause` attribute. Nothing is printed unless someone adds a handler.
PAUSES = logging.getLogger("csu_assure.pauses")
PAUSES.propagate = False
PAUSES.addHandler(logging.NullHandler())


def _assessor_field(default: Any = PydanticUndefined) -> Any:
    return Field(
        default,
        min_length=1,
        max_length=200,
        pattern=SAYS_SOMETHING,
        title="Assessor",
        description="Your name (required): recorded on the assessment and on each override and waiver.",
    )


def _note_field(default: str | None = None) -> Any:
    return Field(
        default, max_length=2000, title="Note", description="A note recorded with the moderation (optional)."
    )


OVERRIDES_HELP = (
    "Each override entered is applied: the check's result becomes the status you choose, with your reason. "
    "Leave empty to change no result."
)
WAIVERS_HELP = (
    "Each waiver entered is applied: a failing check does not count up to and including its last day; the "
    "day after, the CSU is re-assessed without it. Leave empty to waive nothing."
)


class ModerationInput(RunInput):
    """What an assessor gives to resume a paused assessment (`csu-assure moderate RUN_ID ...`). A paused run
    shows `moderation_form(draft)`: this, with the draft's checks as the choices and the draft described."""

    assessor: str = _assessor_field()
    overrides: list[Override] = Field(default_factory=list, title="Overrides", description=OVERRIDES_HELP)
    waivers: list[Waiver] = Field(default_factory=list, title="Waivers", description=WAIVERS_HELP)
    note: str | None = _note_field()


def _choices(choices: Sequence[CheckResult], described: Sequence[CheckResult], what: str) -> Any:
    """A check-id field whose choices are `choices` (a JSON Schema enum, which the UI shows as a list and the
    server checks on Resume), the `described` ones listed with their findings in its description."""
    ids: list[Any] = [r.check_id for r in choices]
    return Field(
        title="Check",
        description="\n".join([what, "", *(f"- {check_choice(r)}" for r in described)]),
        json_schema_extra={"enum": ids} if ids else None,
    )


def moderation_form(
    draft: Assessment, *, rejected: str | None = None, entered: ModerationInput | None = None
) -> type[ModerationInput]:
    """The Resume form for `draft`: overrides of any of its checks (failing ones first), waivers of its failing
    checks only, each check's finding in the descriptions, the draft summarised at the top. After a refused
    moderation, `rejected` says why and `entered` is filled in again."""
    failing = failing_checks(draft)
    passing = [r for r in draft.results if not r.failed]
    override_item = create_model(
        "Override",
        __base__=Override,
        check_id=(
            CheckId,
            _choices(
                [*failing, *passing],
                failing,
                "Any check of this checkpoint (the failing ones first; the draft's table artifact lists them "
                "all)." + (" Failing:" if failing else ""),
            ),
        ),
    )
    waiver_item = create_model(
        "Waiver",
        __base__=Waiver,
        check_id=(CheckId, _choices(failing, failing, "One of the draft's failing checks:")),
        expires=(
            dt.date,
            Field(
                title="Last day",
                description="The last day the waiver applies (YYYY-MM-DD), today or later.",
            ),
        ),
    )
    waivers_help = WAIVERS_HELP if failing else "Nothing fails in this draft: there is nothing to waive."
    form = create_model(
        "ModerationInput",
        __base__=ModerationInput,
        assessor=(str, _assessor_field(entered.assessor if entered else PydanticUndefined)),
        overrides=(
            list[override_item],
            Field(
                [o.model_dump(mode="json") for o in entered.overrides] if entered else [],
                validate_default=True,
                title="Overrides",
                description=OVERRIDES_HELP,
            ),
        ),
        waivers=(
            list[waiver_item],
            Field(
                [w.model_dump(mode="json") for w in entered.waivers] if entered else [],
                validate_default=True,
                max_length=None if failing else 0,
                title="Waivers",
                description=waivers_help,
            ),
        ),
        note=(str | None, _note_field(entered.note if entered else None)),
    )
    form._description = form_description(draft, rejected)  # what Prefect shows above the form
    return cast(type[ModerationInput], form)


def _key(*parts: object) -> str:
    """Pause and flow-run-input keys allow lowercase letters, digits and dashes only."""
    text = "-".join(str(p) for p in parts).lower()
    return "".join(c if c.isalnum() and c.isascii() else "-" for c in text).strip("-")


def pause_key(draft: Assessment, attempt: int) -> str:
    """`moderate-<csu>-cp<N>-<attempt>`, one per pause of a run: Prefect answers a pause whose key has been used
    with that pause's input, so no two may share one. A long CSU id is shortened with a digest of it."""
    csu = draft.csu_id
    if len(csu) > 40:
        csu = f"{csu[:30]}-{hashlib.sha256(csu.encode()).hexdigest()[:8]}"
    return _key("moderate", csu, f"cp{int(draft.checkpoint)}", attempt)


def rejection_key(key: str) -> str:
    """Where a run records why the moderation before the pause `key` was refused (`resume_moderation` reads it)."""
    return _key("rejected", key)


@dataclass(frozen=True)
class PauseNotice:
    """A run paused for moderation: which, and the commands that moderate it."""

    flow_run_id: str
    csu_id: str
    csu_name: str
    checkpoint: int
    draft_decision: str
    failing: tuple[str, ...]
    commands: tuple[str, str]
    ui_url: str | None

    def __str__(self) -> str:
        failing = ", ".join(self.failing) or "none"
        where = f"this run's Resume form ({self.ui_url})" if self.ui_url else "this run's Resume form"
        return (
            f"Paused for moderation: {self.csu_name} ({self.csu_id}) at checkpoint {self.checkpoint}, draft "
            f"decision {self.draft_decision}; failing checks: {failing}. Flow run id {self.flow_run_id}. "
            f"Moderate it with {where}, or: {self.commands[0]}  |  {self.commands[1]}"
        )


def _announce(draft: Assessment, run_id: str) -> None:
    notice = PauseNotice(
        flow_run_id=run_id,
        csu_id=draft.csu_id,
        csu_name=draft.csu_name,
        checkpoint=int(draft.checkpoint),
        draft_decision=draft.outcome.label,
        failing=tuple(r.check_id for r in failing_checks(draft)),
        commands=moderate_commands(run_id, draft),
        ui_url=url_for("flow-run", obj_id=run_id),  # the UI's own path (prefect.runtime's is out of date)
    )
    get_run_logger().info("%s", notice)
    PAUSES.info("%s", notice, extra={"pause": notice})


def _refusal(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)
    )


def moderate_in_person(run: CsuRun, config: Config, timeout: int = MODERATION_TIMEOUT_SECONDS) -> CsuRun:
    """Publish the draft, pause until an assessor resumes the run, and apply what they entered; a moderation
    that cannot be applied as given is refused whole and the run pauses again, saying why."""
    draft = run.assessment
    assert draft is not None
    run_id = str(flow_run.id)
    publish_draft(draft, run_id)
    _announce(draft, run_id)
    rejected: str | None = None
    entered: ModerationInput | None = None
    for attempt in count(1):
        key = pause_key(draft, attempt)
        if rejected is not None:  # before pausing, so whoever sees the new pause can read why
            create_flow_run_input(key=rejection_key(key), value=rejected)
        try:
            given = pause_flow_run(
                wait_for_input=moderation_form(draft, rejected=rejected, entered=entered),
                timeout=timeout,
                poll_interval=1,
                key=key,
            )
        except ValidationError as error:  # what the server's schema check let through but the form refuses
            rejected, entered = _refusal(error), None
            get_run_logger().error("Moderation of %s not applied: %s. Pausing again.", draft.csu_id, rejected)
            continue
        # The engine's own check, asked before the task: an assessor's mistake is refused and the run pauses again
        # without a failed task run in the UI (the task would raise ModerationRejected for the same problems).
        problems = moderation_problems(
            draft,
            assessor=given.assessor,
            overrides=given.overrides,
            waivers=given.waivers,
            on=dt.date.today(),
        )
        try:
            if problems:
                raise ModerationRejected("; ".join(problems))
            moderated = tasks.moderate(
                run, config, given.assessor, given.overrides, given.waivers, given.note
            )
        except ModerationRejected as error:
            rejected, entered = str(error), given
            get_run_logger().error("Moderation of %s not applied: %s. Pausing again.", draft.csu_id, rejected)
            continue
        get_run_logger().info(
            "Moderated by %s: %d override(s), %d waiver(s) applied.",
            given.assessor,
            len(given.overrides),
            len(given.waivers),
        )
        return replace(run, assessment=tasks.finish_moderation(draft, moderated, config))
    raise AssertionError("unreachable")  # `count` never ends


# -- resuming, from the CLI ------------------------------------------------------------------------------------


class ResumeFailed(Exception):
    """The flow run could not be resumed: unknown, not paused, not waiting for moderation, or it refused the
    input."""


class ModerationNotApplied(Exception):
    """The run was resumed but refused the moderation as given, and paused again; the message says why."""


FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def resume_moderation(flow_run_id: UUID, given: dict[str, Any], wait_seconds: float = 60.0) -> str:
    """Validate an assessor's moderation (pydantic ValidationError), resume the paused flow run with it and wait
    up to `wait_seconds` for the run to apply it. Returns what became of it, in a sentence; ResumeFailed when the
    run cannot take it, ModerationNotApplied when the run refused it and paused again."""
    ModerationInput.model_validate(given)
    with get_client(sync_client=True) as client:
        try:
            state = client.read_flow_run(flow_run_id).state
        except ObjectNotFound:
            raise ResumeFailed(f"no flow run {flow_run_id}") from None
    if state is None or not state.is_paused():
        raise ResumeFailed(
            f"flow run {flow_run_id} is not paused (it is {state.name if state else 'not started'})"
        )
    if not state.state_details.run_input_keyset:  # resuming it with input would just resume it, input unread
        raise ResumeFailed(f"flow run {flow_run_id} is paused, but not for moderation (it asks for no input)")
    before = state.state_details.pause_key
    try:
        resume_flow_run(flow_run_id, run_input=_for_the_paused_form(flow_run_id, state, given))
    except NotPausedError:
        raise ResumeFailed(f"flow run {flow_run_id} is not paused") from None
    except RuntimeError as error:  # Prefect: the server refused the input, or the pause expects none
        raise ResumeFailed(f"flow run {flow_run_id} refused the moderation: {error}") from None
    return _outcome(flow_run_id, before, wait_seconds)


def _for_the_paused_form(flow_run_id: UUID, state: Any, given: dict[str, Any]) -> dict[str, Any]:
    """`given` as the paused run's form takes it. A run paused by an earlier version still asks for a
    "decision", and keeps overrides only when it says "override": say so whenever an override is given."""
    schema = read_flow_run_input(keyset_from_paused_state(state)["schema"], flow_run_id=flow_run_id)
    if isinstance(schema, dict) and "decision" in schema.get("properties", {}):
        return {**given, "decision": "override" if given.get("overrides") else "accept"}
    return given


def _outcome(flow_run_id: UUID, before: str | None, wait_seconds: float) -> str:
    deadline = time.monotonic() + wait_seconds
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            time.sleep(0.5)
            state = client.read_flow_run(flow_run_id).state
            if state is None:
                continue
            if state.is_paused() and state.state_details.pause_key != before:
                key = state.state_details.pause_key or ""
                why = read_flow_run_input(rejection_key(key), flow_run_id=flow_run_id) if key else None
                if why:
                    raise ModerationNotApplied(str(why))
                return "applied; the run now waits for the moderation of its next CSU"
            if state.type.value in FINAL:
                if state.type.value != "COMPLETED":
                    raise ResumeFailed(
                        f"the run ended {state.type.value} after resuming: {state.message or ''}"
                    )
                return "applied; the run completed"
    return (
        f"resumed; the run has not finished applying it after {wait_seconds:.0f} s "
        "(is the process running the flow still running?)"
    )
