"""The register key from a Prefect Secret block, resolved in the flow run: `CSU_ASSURE_REGISTER_KEY=prefect-secret:NAME`
in a worker's environment names the block, so the key itself is in neither the worker's environment nor any flow
parameter, and the kernel only ever sees its value."""

from __future__ import annotations

from prefect.blocks.system import Secret
from pydantic import SecretStr

from csu_assure.register.signing import KEY_SETTING, OLD_KEY_SETTING, RegisterKeyInvalid, secret_block_name
from csu_assure.settings import Settings
from flows.sync import synchronously

_KEY_FIELDS = {"register_key": KEY_SETTING, "register_old_key": OLD_KEY_SETTING}


def load_secret(name: str, setting: str) -> SecretStr:
    """The value of the Prefect Secret block `name` (RegisterKeyInvalid, naming `setting`, if it cannot be had)."""
    try:
        block = synchronously(Secret.load(name))
    except ValueError as error:  # Prefect's "Unable to find block document named ..."
        raise RegisterKeyInvalid(
            f"{setting}: the Prefect Secret block {name!r} cannot be loaded ({error})"
        ) from None
    value = block.get()
    if not isinstance(value, str):
        raise RegisterKeyInvalid(
            f"{setting}: the Prefect Secret block {name!r} holds a {type(value).__name__}, not a key"
        )
    return SecretStr(value)


def resolve_register_keys(settings: Settings) -> Settings:
    """`settings` with each register key that names a Prefect Secret block replaced by the block's value."""
    resolved = {
        field: load_secret(name, setting)
        for field, setting in _KEY_FIELDS.items()
        if (name := secret_block_name(getattr(settings, field))) is not None
    }
    return settings.model_copy(update=resolved) if resolved else settings
