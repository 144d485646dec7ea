"""Settings that name a Prefect Secret block, resolved in the flow run: `CSU_ASSURE_REGISTER_URL=prefect-secret:NAME`
in a worker's environment names the block holding the register's URL, `CSU_ASSURE_REGISTER_KEY=prefect-secret:NAME`
the one holding the register key, so neither the password nor the key is in the worker's environment or any flow
parameter, and the kernel only ever sees their values. Nothing here logs a value."""

from __future__ import annotations

from prefect.blocks.system import Secret
from pydantic import SecretStr

from csu_assure.register import RegisterUnavailable
from csu_assure.register.signing import KEY_SETTING, OLD_KEY_SETTING, RegisterKeyInvalid
from csu_assure.settings import Settings, secret_block_name
from flows.sync import synchronously

# The settings a Secret block may hold: the variable that names the block (for messages), and the error a block
# that cannot be had raises (the one the setting's own failures raise, so callers handle both alike).
_SECRET_SETTINGS: dict[str, tuple[str, type[Exception]]] = {
    "register_url": ("CSU_ASSURE_REGISTER_URL", RegisterUnavailable),
    "register_key": (KEY_SETTING, RegisterKeyInvalid),
    "register_old_key": (OLD_KEY_SETTING, RegisterKeyInvalid),
}


def load_secret(name: str, setting: str, error: type[Exception] = RegisterUnavailable) -> SecretStr:
    """The text in the Prefect Secret block `name` (`error`, naming `setting`, if it cannot be had)."""
    try:
        block = synchronously(Secret.load(name))
    except ValueError as failure:  # Prefect: "Unable to find block document named ..."
        raise error(f"{setting}: the Prefect Secret block {name!r} cannot be loaded ({failure})") from None
    value = block.get()
    if not isinstance(value, str):
        raise error(f"{setting}: the Prefect Secret block {name!r} holds a {type(value).__name__}, not text")
    return SecretStr(value)


def resolve_secrets(settings: Settings) -> Settings:
    """`settings` with each setting that names a Prefect Secret block replaced by the block's value."""
    resolved = {
        field: load_secret(name, variable, error)
        for field, (variable, error) in _SECRET_SETTINGS.items()
        if (name := secret_block_name(getattr(settings, field))) is not None
    }
    return settings.model_copy(update=resolved) if resolved else settings
