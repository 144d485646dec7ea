"""Pausing a flow for an assessor's moderation, and the input the assessor gives to resume it."""

from __future__ import annotations

from typing import Literal

from prefect import get_run_logger
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field

from csu_assure import pipeline
from csu_assure.results import Assessment
from flows import tasks

MODERATION_TIMEOUT_SECONDS = 14 * 24 * 3600  # an assessor may take up to two weeks to moderate


class ModerationInput(RunInput):
    """What an assessor gives to resume a paused assessment (`csu-assure moderate RUN_ID ...`)."""

    assessor: str = Field(min_length=1, max_length=200, description="Your name, recorded on the assessment.")
    decision: Literal["accept", "override"] = "accept"
    overrides: list[pipeline.Override] = Field(default_factory=list)
    note: str | None = Field(None, max_length=2000)


def moderate_in_person(
    outcome: pipeline.CsuOutcome, config: pipeline.Config, timeout: int = MODERATION_TIMEOUT_SECONDS
) -> Assessment:
    """Pause until an assessor accepts or overrides the draft; a rejected moderation pauses again."""
    assert outcome.assessment is not None
    draft = outcome.assessment
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
            moderated = tasks.moderate(outcome, config, given.assessor, overrides, given.note)
        except pipeline.ModerationRejected as error:
            get_run_logger().error("Moderation of %s not applied: %s. Resume again.", draft.csu_id, error)
            continue
        return tasks.finish_moderation(draft, moderated, config)
