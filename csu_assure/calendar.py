"""The checkpoint calendar: submission deadlines and binding milestone dates, from a data file."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from csu_assure.domain import Checkpoint
from csu_assure.loading.problems import Problem, problems_from_validation
from csu_assure.ruleset import RuleSetInvalid

DEFAULT_CALENDAR = "calendar-2012.yaml"


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    submission: dt.date = Field(description="Last day a submission counts as on time.")
    decision: dt.date = Field(description="When the BDU decides.")
    schedule: str = Field(description="Cron expression for the scheduled cohort run (Prefect deployment).")
    timezone: str = "Europe/London"


class Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    checkpoints: dict[Checkpoint, Deadline]
    milestones: dict[str, dt.date] = Field(default_factory=dict)

    def deadline(self, checkpoint: Checkpoint) -> dt.date:
        return self.checkpoints[checkpoint].submission

    def next_deadline(self, checkpoint: Checkpoint) -> dt.date | None:
        later = [c for c in self.checkpoints if c > checkpoint]
        return self.checkpoints[min(later)].submission if later else None


def default_calendar_path() -> Path:
    return Path(str(resources.files("csu_assure") / "defaults" / DEFAULT_CALENDAR))


def load_calendar(path: Path | None = None) -> Calendar:
    path = Path(path) if path is not None else default_calendar_path()
    label = str(path)
    try:
        return Calendar.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as error:
        raise RuleSetInvalid(label, [Problem(label, "", f"cannot be read ({error})")]) from None
    except yaml.YAMLError as error:
        raise RuleSetInvalid(label, [Problem(label, "", f"is not valid YAML: {error}")]) from None
    except ValidationError as error:
        raise RuleSetInvalid(label, list(problems_from_validation(error, label))) from None
