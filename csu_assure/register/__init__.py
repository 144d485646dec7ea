"""The assessment register: every assessment, adjustment and plan item, hash-chained (`schema`, `chain`,
`store`)."""

from csu_assure.register.chain import BrokenRow, ChainHead, RecordedReport, file_sha256
from csu_assure.register.store import Entry, Register, RegisterError, RegisterMissing, RegisterUnavailable

__all__ = [
    "BrokenRow",
    "ChainHead",
    "Entry",
    "RecordedReport",
    "Register",
    "RegisterError",
    "RegisterMissing",
    "RegisterUnavailable",
    "file_sha256",
]
