"""The register key: an HMAC-SHA256 key, kept outside the database, that signs every chain head.

A chain head says how many rows a table holds and the hash of the last one; the hash chain ties every row to it.
Someone who can write the database can append rows (or rewrite them) and re-hash the chain and its head
consistently, and the chains alone cannot tell. Each head's signature, made with a key that is not in the
database, can: without the key the forger cannot sign the head they moved. The key reaches the kernel only as its
value (`RegisterKey`), never in a log, a flow parameter or a repr; where it comes from (the environment, or a
Prefect Secret block that `flows/` resolves at run time) is the entry point's business.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from pydantic import SecretStr

from csu_assure.settings import PREFECT_SECRET

if TYPE_CHECKING:
    from csu_assure.register.chain import ChainHead

KEY_SETTING = "CSU_ASSURE_REGISTER_KEY"
OLD_KEY_SETTING = "CSU_ASSURE_REGISTER_OLD_KEY"
# A setting whose value is `prefect-secret:NAME` names a Prefect Secret block holding the key; flows/ resolves it.
SECRET_BLOCK_PREFIX = PREFECT_SECRET
MIN_KEY_CHARACTERS = 16
_SIGNED_TEXT = "csu-assure/chain-head/1"


class RegisterKeyInvalid(ValueError):
    """A register key setting that cannot be used; the message says which setting and why."""


class RegisterKeyUnavailable(RuntimeError):
    """A register key was configured but is not available here (a Prefect Secret block nothing resolved)."""


class RegisterKey:
    """The key chain heads are signed with. Its value is never shown: `repr` hides it, and it is not a field of
    anything that is serialised."""

    __slots__ = ("_secret", "_unavailable")

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode("utf-8")
        self._unavailable: str | None = None

    @classmethod
    def unavailable(cls, reason: str) -> RegisterKey:
        """A key that was configured but cannot be had here: reading the register works, and anything that
        needs the key (signing a head on a write, checking one) raises RegisterKeyUnavailable with `reason`."""
        key = cls("")
        key._unavailable = reason
        return key

    @classmethod
    def from_setting(cls, value: SecretStr | str | None, setting: str = KEY_SETTING) -> RegisterKey | None:
        """The key a setting holds (None when it is unset or empty). A `prefect-secret:NAME` reference the entry
        point did not resolve gives an unavailable key; RegisterKeyInvalid when the key is too short."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not text:
            return None
        block = secret_block_name(text)
        if block is not None:
            return cls.unavailable(
                f"{setting} names the Prefect Secret block {block!r}, which only a Prefect flow run or a "
                "`csu-assure audit` command resolves: run through Prefect (without --no-prefect), or set "
                f"{setting} to the key itself"
            )
        if len(text) < MIN_KEY_CHARACTERS:
            raise RegisterKeyInvalid(
                f"{setting} is {len(text)} characters long: a register key needs at least {MIN_KEY_CHARACTERS} "
                "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return cls(text)

    def _value(self) -> bytes:
        if self._unavailable is not None:
            raise RegisterKeyUnavailable(self._unavailable)
        return self._secret

    def sign(self, head: ChainHead) -> str:
        """The head's signature: HMAC-SHA256 over the table, its row count and its last hash."""
        signed = f"{_SIGNED_TEXT}\n{head.table}\n{head.row_count}\n{head.head_hash}"
        return hmac.new(self._value(), signed.encode(), hashlib.sha256).hexdigest()

    def signed(self, head: ChainHead, signature: str | None) -> bool:
        """Whether `signature` is this key's signature of `head`."""
        return signature is not None and hmac.compare_digest(self.sign(head), signature)

    def __repr__(self) -> str:
        return "RegisterKey(<hidden>)" if self._unavailable is None else "RegisterKey(<unavailable>)"


def secret_block_name(value: SecretStr | str | None) -> str | None:
    """The Prefect Secret block a key setting names (`prefect-secret:NAME`), or None if it holds a key or nothing.
    RegisterKeyInvalid when the reference names no block."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not text or not text.startswith(SECRET_BLOCK_PREFIX):
        return None
    name = text.removeprefix(SECRET_BLOCK_PREFIX).strip()
    if not name:
        raise RegisterKeyInvalid(f"{SECRET_BLOCK_PREFIX!r} must be followed by the Secret block's name")
    return name


__all__ = [
    "KEY_SETTING",
    "MIN_KEY_CHARACTERS",
    "OLD_KEY_SETTING",
    "SECRET_BLOCK_PREFIX",
    "RegisterKey",
    "RegisterKeyInvalid",
    "RegisterKeyUnavailable",
    "secret_block_name",
]
