"""Tamper evidence: the hash chain of every register table, its verification, the chain heads an assessor keeps
outside the database, the heads' signatures, and the SHA-256 of each report file the register wrote.

The hash chains prove that nothing inside the register was changed without re-hashing; the heads' signatures,
made with a key kept outside the database (`signing.py`), prove that whoever re-hashed and moved a head held the
key; the chain heads an assessor keeps elsewhere (in a file, or pasted into a signed report) prove the register
was not cut back or rewritten since they were taken, by anyone; and the SHA-256 recorded with each report proves
the Word report on disk is the one the register wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, select

from csu_assure.register.schema import (
    CHAINED,
    DERIVED,
    GENESIS,
    assessments,
    chain_head_signatures,
    chain_heads,
    events,
)

if TYPE_CHECKING:  # the store uses this module; the audit functions below take a store
    from csu_assure.register.signing import RegisterKey
    from csu_assure.register.store import Register

_CHAIN_LINKS = {"prev_hash", "record_hash"}
HEADS_FORMAT = "csu-assure/chain-heads/1"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ChainHead:
    """Where one table's chain ends: how many rows it holds and the last row's hash."""

    table: str
    row_count: int
    head_hash: str


@dataclass(frozen=True)
class RecordedReport:
    """A report event: the report of `assessment_id` was written at `path` with SHA-256 `sha256`."""

    event_row_id: int
    assessment_id: str
    path: str
    sha256: str | None


@dataclass(frozen=True)
class BrokenRow:
    """What is wrong with one row of a table, or (`row_id` None) with the table or the register as a whole."""

    table: str
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        where = self.table if self.row_id is None else f"{self.table} row {self.row_id}"
        return f"{where}: {self.reason}"


class Signatures(StrEnum):
    """What the chain heads' signatures showed."""

    VERIFIED = "verified"  # a key was given and every chain head is signed with it
    UNCHECKED = "unchecked"  # the heads are signed, but no key was given to check them
    UNSIGNED = "unsigned"  # no chain head is signed (a problem only when a key was given)
    INVALID = "invalid"  # a key was given and heads are not signed with it: the problems say which


@dataclass(frozen=True)
class ChainCheck:
    """What checking the chains (or only their heads) found: every problem, and what the signatures showed."""

    problems: tuple[BrokenRow, ...]
    signatures: Signatures


NOT_SIGNED = (
    "the chain head was not signed with the register key: "
    "rows were appended by something that does not hold it"
)


def _hashed_columns(table: Table) -> list[str]:
    skipped = _CHAIN_LINKS | (DERIVED if table is assessments else set())
    return [c.name for c in table.columns if c.name not in skipped]


def _canonical(table: Table, row: dict[str, Any]) -> str:
    values = {
        name: (row[name].isoformat() if isinstance(row[name], dt.date) else row[name])
        for name in _hashed_columns(table)
    }
    return json.dumps({"table": table.name, **values}, sort_keys=True, ensure_ascii=False)


def row_hash(table: Table, prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(table, row)).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _recorded_heads(conn: Connection) -> dict[str, ChainHead]:
    return {
        r.table_name: ChainHead(r.table_name, r.row_count, r.head_hash)
        for r in conn.execute(select(chain_heads))
    }


def _recorded_signatures(conn: Connection) -> dict[str, str]:
    return {r.table_name: r.signature for r in conn.execute(select(chain_head_signatures))}


def check_signatures(
    heads: Mapping[str, ChainHead], signatures: Mapping[str, str], key: RegisterKey | None
) -> tuple[Signatures, list[BrokenRow]]:
    """The recorded heads' signatures against `key`.

    Without a key nothing can be checked: a signed register is UNCHECKED, an unsigned one UNSIGNED, neither a
    problem. With a key, a register where no head is signed, or where no signature of several matches the key,
    is one problem (written without a key, or the wrong key); otherwise each head that is unsigned or signed
    otherwise is a broken row at the row the head ends at.
    """
    signed = {table: signatures[table] for table in heads if table in signatures}
    if key is None:
        return (Signatures.UNCHECKED if signed else Signatures.UNSIGNED), []
    if not heads:
        return Signatures.VERIFIED, []
    if not signed:
        return Signatures.UNSIGNED, [
            BrokenRow(
                "chain_heads",
                None,
                "no chain head is signed: the register was written without a register key, or every signature "
                "was removed. If it was written without one, verify it and sign it with `csu-assure audit sign`",
            )
        ]
    order = [t.name for t in CHAINED]
    in_order = sorted(heads.values(), key=lambda h: order.index(h.table) if h.table in order else len(order))
    wrong = [h for h in in_order if not key.signed(h, signed.get(h.table))]
    if not wrong:
        return Signatures.VERIFIED, []
    if len(wrong) == len(heads) > 1 and all(h.table in signed for h in wrong):
        return Signatures.INVALID, [
            BrokenRow(
                "chain_heads",
                None,
                "no chain head's signature matches the register key: it is not the key the register was signed "
                "with (or every head was forged)",
            )
        ]
    return Signatures.INVALID, [
        BrokenRow(
            h.table,
            h.row_count,
            f"{NOT_SIGNED} (the head carries no signature)"
            if h.table not in signed
            else f"{NOT_SIGNED} (its signature does not match this key)",
        )
        for h in wrong
    ]


def _verify_table(conn: Connection, table: Table, head: ChainHead | None) -> list[BrokenRow]:
    """One table's chain: ids 1..n in order, each row linking to the one before and matching its hash,
    the last row matching the recorded head."""
    broken: list[BrokenRow] = []
    prev, expected_id = GENESIS, 1
    for row in conn.execute(select(table).order_by(table.c.row_id)).mappings():
        values = dict(row)
        row_id = values["row_id"]
        if row_id != expected_id:
            broken.append(
                BrokenRow(
                    table.name,
                    row_id,
                    f"row id {row_id} where {expected_id} was expected: rows were deleted or ids changed",
                )
            )
        if values["prev_hash"] != prev:
            broken.append(BrokenRow(table.name, row_id, "does not link to the previous row"))
        if row_hash(table, values["prev_hash"], values) != values["record_hash"]:
            broken.append(BrokenRow(table.name, row_id, "content does not match its hash"))
        prev, expected_id = values["record_hash"], row_id + 1
    last_id = expected_id - 1
    if head is None:
        if last_id:
            broken.append(BrokenRow(table.name, last_id, "no chain head is recorded for this table"))
    elif head.row_count > last_id:
        broken.append(
            BrokenRow(
                table.name,
                head.row_count,
                f"missing: the chain head records {head.row_count} rows but the table ends at row "
                f"{last_id}: the last rows were deleted",
            )
        )
    elif head.row_count < last_id:
        broken.append(
            BrokenRow(
                table.name,
                head.row_count + 1,
                f"rows {head.row_count + 1}-{last_id} were not written by the register: the chain head "
                f"ends at row {head.row_count}",
            )
        )
    elif head.head_hash != prev:
        broken.append(
            BrokenRow(table.name, last_id, "the last row's hash does not match the recorded chain head")
        )
    return broken


def _verify_derived(conn: Connection) -> list[BrokenRow]:
    """The assessments' superseded / superseded_by / report_path against the events they are copied from."""
    broken: list[BrokenRow] = []
    known = set(conn.execute(select(assessments.c.assessment_id)).scalars())
    successor: dict[str, str | None] = {}
    report: dict[str, str | None] = {}
    for e in conn.execute(select(events).order_by(events.c.row_id)).mappings():
        subject = e["assessment_id"]
        if subject not in known:
            broken.append(
                BrokenRow(
                    "events", e["row_id"], f"refers to assessment {subject}, which is not in the register"
                )
            )
        if e["kind"] == "superseded":
            if subject in successor:
                broken.append(BrokenRow("events", e["row_id"], f"assessment {subject} is superseded twice"))
            if e["superseded_by"] not in known:
                broken.append(
                    BrokenRow(
                        "events",
                        e["row_id"],
                        f"{subject} is superseded by {e['superseded_by']}, which is not in the register",
                    )
                )
            successor[subject] = e["superseded_by"]
        elif e["kind"] == "report":
            report[subject] = e["report_path"]
        else:
            broken.append(BrokenRow("events", e["row_id"], f"unknown event kind {e['kind']!r}"))
    rows = conn.execute(
        select(
            assessments.c.row_id,
            assessments.c.assessment_id,
            assessments.c.record_json,
            *(assessments.c[name] for name in sorted(DERIVED)),
        ).order_by(assessments.c.row_id)
    ).mappings()
    for row in rows:
        subject = row["assessment_id"]
        by = successor.get(subject)
        if bool(row["superseded"]) != (by is not None) or row["superseded_by"] != by:
            broken.append(
                BrokenRow(
                    "assessments",
                    row["row_id"],
                    f"superseded={bool(row['superseded'])}, superseded_by={row['superseded_by']!r} do not "
                    f"match the events (superseded={by is not None}, superseded_by={by!r})",
                )
            )
        path = report[subject] if subject in report else _recorded_report_path(row["record_json"])
        if row["report_path"] != path:
            broken.append(
                BrokenRow(
                    "assessments",
                    row["row_id"],
                    f"report_path {row['report_path']!r} does not match the events ({path!r})",
                )
            )
    return broken


def _recorded_report_path(record_json: str) -> str | None:
    """The report path inside the (hashed) record: the derived column's value until a report event."""
    try:
        found = json.loads(record_json).get("report_path")
    except (ValueError, AttributeError):  # an edited record: its hash check reports it
        return None
    return found if isinstance(found, str) else None


class HeadsFileInvalid(ValueError):
    """A saved chain-heads file that cannot be used; the message says where and what was expected."""


@dataclass(frozen=True)
class AuditResult:
    """What `verify` found: every problem (empty when intact) and what was checked."""

    problems: tuple[BrokenRow, ...]
    heads: Mapping[str, ChainHead]
    reports_checked: int
    signatures: Signatures

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
    signed = register.signed_tables()
    taken = now or dt.datetime.now(dt.UTC)
    return {
        "format": HEADS_FORMAT,
        "register": register.display_url,
        "taken_at": taken.isoformat(timespec="seconds"),
        "heads": {
            h.table: {"rows": h.row_count, "hash": h.head_hash, "signed": h.table in signed}
            for h in heads.values()
        },
        "signatures": register.check_heads().signatures.value,
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
    """Everything: the chains, their heads and the heads' signatures, the derived columns, saved heads, and the
    report files."""
    chains = register.check_chain()
    problems = [*chains.problems, *register.verify_heads(expected_heads)]
    reports = register.recorded_reports() if check_reports else []
    problems += verify_reports(reports)
    return AuditResult(tuple(problems), register.heads(), len(reports), chains.signatures)
