"""Run settings, read once at the entry point (environment variables prefixed CSU_ASSURE_) and passed down."""

from __future__ import annotations

import getpass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The protective marking of every report unless a run sets another (CSU_ASSURE_MARKING). In 2012 the
# Government Protective Marking Scheme applied (its successor, OFFICIAL-SENSITIVE, dates from April 2014). A
# report holds a named CSU's business-plan figures and a decision on whether it may trade: disclosure could cause
# it financial loss and disadvantage the NHS Commissioning Board in its hosting negotiations, the harm the scheme
# put at RESTRICTED; COMMERCIAL is the scheme's descriptor for commercially sensitive material.
DEFAULT_MARKING = "RESTRICTED – COMMERCIAL"


def _default_assessor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown assessor"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSU_ASSURE_", extra="ignore")

    out_dir: Path = Field(Path("out"), description="Where reports, exports and the default register go.")
    register_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the assessment register; default sqlite:///<out_dir>/register.sqlite. "
        "Use postgresql+psycopg://… when several machines share one register.",
    )
    rules: Path | None = Field(
        None, description="Alternative rule-set file (default: the shipped 2012 rule set)."
    )
    calendar: Path | None = Field(None, description="Alternative checkpoint calendar file.")
    assessor: str = Field(
        default_factory=_default_assessor, description="Named assessor recorded on assessments."
    )
    marking: str = Field(
        DEFAULT_MARKING,
        min_length=1,
        max_length=120,
        description="The protective marking printed at the top and foot of every report page.",
    )

    @property
    def resolved_register_url(self) -> str:
        return self.register_url or f"sqlite:///{(self.out_dir / 'register.sqlite').resolve()}"
