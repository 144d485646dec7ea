"""A stand-in paused flow with a moderation form shaped like the real one, used to learn the Prefect UI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from prefect import flow
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput


class OverrideInput(BaseModel):
    check_id: str = Field(description="The check to override, e.g. CP2-CUS-03.")
    status: Literal["PASS", "FAIL"]
    reason: str


class ModerationInput(RunInput):
    assessor: str = Field(description="Your name, recorded on the assessment.")
    decision: Literal["accept", "override"] = "accept"
    overrides: list[OverrideInput] = Field(default_factory=list)


@flow(name="prototype-moderation")
def prototype(out: str) -> dict[str, object]:
    answer = pause_flow_run(wait_for_input=ModerationInput, timeout=600)
    result = answer.model_dump(mode="json")
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return result


if __name__ == "__main__":
    prototype(sys.argv[1])
