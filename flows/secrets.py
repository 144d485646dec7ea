"""Settings that name a Prefect Secret block, resolved in the flow run: `CSU_ASSURE_REGISTER_URL=prefect-secret:NAME`
in a worker's environment names the block holding the register's URL, so the password is in neither the worker's
environment nor any flow parameter, and the kernel only ever sees the URL. Nothing here logs a value."""

from __future__ import annotations

from prefect.blocks.system import Secret
from pydantic import SecretStr

from csu_assure.register import RegisterUnavailable
from csu_assure.settings import Settings, secret_block_name
from flows.sync import synchronously

# The settings a Secret block may hold, with the variable that names the block (for messages).
_SECRET_SETTINGS = {"register_url": "CSU_ASSURE_REGISTER_URL"}


def load_secret(name: str, setting: str) -> SecretStr:
    """The text in the Prefect Secret block `name` (RegisterUnavailable, naming `setting`, if it cannot be had)."""
    try:
        block = synchronously(Secret.load(name))
    except ValueError as error:  # Prefect: "Unable to find block document named ..."
        raise RegisterUnavailable(
            f"{setting}: the Prefect Secret block {name!r} cannot be loaded ({error})"
        ) from None
    value = block.get()
    if not isinstance(value, str):
        raise RegisterUnavailable(
            f"{setting}: the Prefect Secret block {name!r} holds a {type(value).__name__}, not text"
        )
    return SecretStr(value)


def resolve_secrets(settings: Settings) -> Settings:
    """`settings` with each setting that names a Prefect Secret block replaced by the block's value."""
    resolved = {
        field: load_secret(name, variable)
        for field, variable in _SECRET_SETTINGS.items()
        if (name := secret_block_name(getattr(settings, field))) is not None
    }
    return settings.model_copy(update=resolved) if resolved else settings
