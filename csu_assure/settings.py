"""Run settings, read once at the entry point (environment variables prefixed CSU_ASSURE_) and passed down.

Connections and credentials live here and nowhere else: never in a flow parameter, which Prefect shows in its UI
and API. A setting whose value is `prefect-secret:NAME` names a Prefect Secret block instead of holding the
secret; flow runs resolve it (flows/secrets.py), so the secret is in neither a worker's environment nor a
parameter."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# An assessment made by a person who gave no name (recorded as such, never as the login name of the machine).
NOT_NAMED = "not named"
PREFECT_SECRET = "prefect-secret:"
MAX_BATCHES = 32
# The protective marking of every report unless a run sets another (CSU_ASSURE_MARKING). In 2012 the
# Government Protective Marking Scheme applied (its successor, OFFICIAL-SENSITIVE, dates from April 2014). A
# report holds a named CSU's business-plan figures and a decision on whether it may trade: disclosure could cause
# it financial loss and disadvantage the NHS Commissioning Board in its hosting negotiations, the harm the scheme
# put at RESTRICTED; COMMERCIAL is the scheme's descriptor for commercially sensitive material.
DEFAULT_MARKING = "RESTRICTED – COMMERCIAL"


def secret_block_name(value: SecretStr | str | None) -> str | None:
    """The Prefect Secret block a setting names (`prefect-secret:NAME`), or None if it holds its value."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if text is None or not text.startswith(PREFECT_SECRET):
        return None
    return text.removeprefix(PREFECT_SECRET).strip() or None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSU_ASSURE_", extra="ignore")

    out_dir: Path = Field(Path("out"), description="Where reports, exports and the default register go.")
    register_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL of the assessment register; default sqlite:///<out_dir>/register.sqlite. "
        "Use postgresql+psycopg://… when several machines share one register, or prefect-secret:NAME for a "
        "Prefect Secret block holding that URL, which flow runs resolve. Read from the environment only: never a "
        "flow parameter, never logged.",
    )
    rules: Path | None = Field(
        None, description="Alternative rule-set file (default: the shipped 2012 rule set)."
    )
    calendar: Path | None = Field(None, description="Alternative checkpoint calendar file.")
    assessor: str | None = Field(
        None,
        description="Named assessor recorded on assessments; without one an assessment says 'not named' (an "
        "unattended deployment run says so, whatever this is).",
    )
    reports_url: str | None = Field(
        None,
        description="Base URL at which `csu-assure reports serve` (or a proxy in front of it) serves out_dir, "
        "e.g. https://prefect.example.nhs.uk/reports: run artifacts then link each report there. Without it they "
        "give the report's path as text (browsers refuse file:// links from a web page).",
    )
    fan_out_deployment: str | None = Field(
        None,
        description="A Prefect deployment (e.g. assess-batch/assess-batch) to which a cohort flow run hands each "
        "batch of CSUs, so workers share the cohort; set it on the machines that run cohort flows. Unset: "
        "batches run in the cohort run's own process.",
    )
    max_batches: int = Field(
        MAX_BATCHES, ge=1, le=10_000, description="Batches a cohort run splits its CSUs into."
    )
    register_key: SecretStr | None = Field(
        None,
        description="The key that signs the register's chain heads (HMAC-SHA256), kept outside the database: "
        "the key itself (16 characters or more), or prefect-secret:NAME for a Prefect Secret block that flow runs "
        "resolve. Read from the environment only: never a flow parameter, never logged.",
    )
    register_old_key: SecretStr | None = Field(
        None,
        description="For `csu-assure audit sign` only: the key the register is signed with now, when rotating "
        "to a new register_key (or prefect-secret:NAME).",
    )
    marking: str = Field(
        DEFAULT_MARKING,
        min_length=1,
        max_length=120,
        description="The protective marking printed at the top and foot of every report page.",
    )

    @property
    def resolved_register_url(self) -> str:
        if self.register_url is not None:
            return self.register_url.get_secret_value()
        return f"sqlite:///{(self.out_dir / 'register.sqlite').resolve()}"
