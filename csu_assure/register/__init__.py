"""The assessment register: every assessment, adjustment and plan item, hash-chained, with chain heads signed by
a key kept outside the database (`schema`, `chain`, `signing`, `store`)."""

from csu_assure.register.chain import BrokenRow, ChainHead, RecordedReport, Signatures, file_sha256
from csu_assure.register.signing import RegisterKey
from csu_assure.register.store import (
    Entry,
    Register,
    RegisterError,
    RegisterMissing,
    RegisterSignatureError,
    RegisterUnavailable,
)

__all__ = [
    "BrokenRow",
    "ChainHead",
    "Entry",
    "RecordedReport",
    "Register",
    "RegisterError",
    "RegisterKey",
    "RegisterMissing",
    "RegisterSignatureError",
    "RegisterUnavailable",
    "Signatures",
    "file_sha256",
]
