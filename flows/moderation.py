"""Pausing a flow for an assessor's moderation, and the input the assessor gives to resume it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal
from uuid import UUID

from prefect import get_run_logger
from prefect.exceptions import ObjectNotFound
from prefect.flow_runs import pause_flow_run, resume_flow_run
from prefect.input import RunInput
from pydantic import Field

from csu_assure.engine import ModerationRejected, Override
from csu_assure.service import Config, CsuRun
from flows import tasks

MODERATION_TIMEOUT_SECONDS = 14 * 24 * 3600  # an assessor may take up to two weeks to moderate


class ModerationInput(RunInput):
    """What an assessor gives to resume a paused assessment (`csu-assure moderate RUN_ID ...`)."""

    assessor: str = Field(min_length=1, max_length=200, description="Your name, recorded on the assessment.")
    decision: Literal["accept", "override"] = "accept"
    overrides: list[Override] = Field(default_factory=list)
    note: str | None = Field(None, max_length=2000)


def moderate_in_person(run: CsuRun, config: Config, timeout: int = MODERATION_TIMEOUT_SECONDS) -> CsuRun:
    """Pause until an assessor accepts or overrides the draft; a rejected moderation pauses again."""
    draft = run.assessment
    assert draft is not None
    attempt = 0
    while True:
        attempt += 1
        given = pause_flow_run(
            wait_for_input=ModerationInput,
            timeout=timeout,
            poll_interval=1,
            key=f"moderate-{draft.csu_id}-cp{int(draft.checkpoint)}-{attempt}",
        )
        overrides = given.overrides if given.decision == "override" else []
        try:
            moderated = tasks.moderate(run, config, given.assessor, overrides, given.note)
        except ModerationRejected as error:
            get_run_logger().error("Moderation of %s not applied: %s. Resume again.", draft.csu_id, error)
            continue
        return replace(run, assessment=tasks.finish_moderation(draft, moderated, config))


class ResumeFailed(Exception):
    """The flow run could not be resumed: unknown, not paused, or not waiting for moderation."""


def resume_moderation(flow_run_id: UUID, given: dict[str, Any]) -> None:
    """Validate an assessor's moderation (pydantic ValidationError) and resume the paused flow run with it."""
    ModerationInput.model_validate(given)
    try:
        resume_flow_run(flow_run_id, run_input=given)
    except ObjectNotFound:
        raise ResumeFailed(f"no flow run {flow_run_id}") from None
    except RuntimeError as error:  # Prefect: the run is not paused, or its pause expects no input
        raise ResumeFailed(f"flow run {flow_run_id} cannot be resumed: {error}") from None
