"""Auditing the register: chain heads to keep outside the database, and one verification of everything.

The hash chains prove that nothing inside the register was changed without re-hashing; the chain heads an
assessor keeps elsewhere (in a file, or pasted into a signed report) prove it was not re-hashed either, and
the SHA-256 recorded with each report proves the Word report on disk is the one the register wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csu_assure.register import BrokenRow, ChainHead, RecordedReport, Register, file_sha256

HEADS_FORMAT = "csu-assure/chain-heads/1"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class HeadsFileInvalid(ValueError):
    """A saved chain-heads file that cannot be used; the message says where and what was expected."""


@dataclass(frozen=True)
class AuditResult:
    """What `verify` found: every problem (empty when intact) and what was checked."""

    problems: tuple[BrokenRow, ...]
    heads: Mapping[str, ChainHead]
    reports_checked: int

    @property
    def intact(self) -> bool:
        return not self.problems


def heads_digest(heads: Iterable[ChainHead]) -> str:
    """One SHA-256 over all heads: short enough to quote in a signed report."""
    canonical = json.dumps(
        {h.table: [h.row_count, h.head_hash] for h in heads}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def heads_document(register: Register, now: dt.datetime | None = None) -> dict[str, Any]:
    """The register's current chain heads as a JSON-able document (what `csu-assure audit head` prints)."""
    heads = register.heads()
    taken = now or dt.datetime.now(dt.UTC)
    return {
        "format": HEADS_FORMAT,
        "register": register.display_url,
        "taken_at": taken.isoformat(timespec="seconds"),
        "heads": {h.table: {"rows": h.row_count, "hash": h.head_hash} for h in heads.values()},
        "digest": heads_digest(heads.values()),
    }


def load_heads(path: Path) -> list[ChainHead]:
    """Read a heads document saved earlier; HeadsFileInvalid says where it is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HeadsFileInvalid(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise HeadsFileInvalid(f"{path}: cannot be read ({error})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise HeadsFileInvalid(
            f"{path}: line {error.lineno}, column {error.colno}: not JSON ({error.msg}); expected the output "
            "of `csu-assure audit head`"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("heads"), dict):
        raise HeadsFileInvalid(f"{path}: expected an object with a 'heads' object (`csu-assure audit head`)")
    if document.get("format", HEADS_FORMAT) != HEADS_FORMAT:
        raise HeadsFileInvalid(f"{path}: format: expected {HEADS_FORMAT!r} (got {document.get('format')!r})")
    heads = [_head(path, table, value) for table, value in document["heads"].items()]
    digest = document.get("digest")
    if digest is not None and digest != heads_digest(heads):
        raise HeadsFileInvalid(
            f"{path}: digest: {str(digest)[:16]}… is not the digest of the heads in the file "
            "(the file was edited after it was saved)"
        )
    return heads


def _head(path: Path, table: str, value: object) -> ChainHead:
    where = f"{path}: heads.{table}"
    if not isinstance(value, dict):
        raise HeadsFileInvalid(f"{where}: expected an object with 'rows' and 'hash' (got {value!r})")
    rows, digest = value.get("rows"), value.get("hash")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise HeadsFileInvalid(f"{where}.rows: expected a whole number ≥ 0 (got {rows!r})")
    if not isinstance(digest, str) or not _SHA256.match(digest):
        raise HeadsFileInvalid(f"{where}.hash: expected 64 lower-case hex digits (got {digest!r})")
    return ChainHead(table, rows, digest)


def verify_reports(reports: Iterable[RecordedReport]) -> list[BrokenRow]:
    """Each report file against the SHA-256 recorded when it was written."""
    broken: list[BrokenRow] = []
    for report in reports:
        path = Path(report.path)
        where = f"report of {report.assessment_id} at {report.path}"
        if not path.is_file():
            broken.append(BrokenRow("events", report.event_row_id, f"{where} is missing"))
        elif report.sha256 is None:
            broken.append(
                BrokenRow(
                    "events",
                    report.event_row_id,
                    f"{where} has no recorded SHA-256 (the file was not there when its path was recorded)",
                )
            )
        elif (actual := file_sha256(path)) != report.sha256:
            broken.append(
                BrokenRow(
                    "events",
                    report.event_row_id,
                    f"{where} has changed: SHA-256 {actual[:16]}…, recorded {report.sha256[:16]}…",
                )
            )
    return broken


def verify(
    register: Register, expected_heads: Iterable[ChainHead] = (), *, check_reports: bool = True
) -> AuditResult:
    """Everything: the chains and their heads, the derived columns, saved heads, and the report files."""
    problems = register.verify_chain() + register.verify_heads(expected_heads)
    reports = register.recorded_reports() if check_reports else []
    problems += verify_reports(reports)
    return AuditResult(tuple(problems), register.heads(), len(reports))
