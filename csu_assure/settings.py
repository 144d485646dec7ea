"""Run settings, read once at the entry point (environment variables prefixed CSU_ASSURE_) and passed down."""

from __future__ import annotations

import getpass
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @property
    def resolved_register_url(self) -> str:
        return self.register_url or f"sqlite:///{(self.out_dir / 'register.sqlite').resolve()}"
