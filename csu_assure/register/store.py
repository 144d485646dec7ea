"""The assessment register: every assessment, assessor adjustment and development-plan item, hash-chained.

SQLAlchemy Core on any URL: a SQLite file by default (WAL mode, a busy timeout, write transactions that take
the write lock up front) and PostgreSQL when several machines share one register.

Idempotency: an assessment is identified by (csu_id, checkpoint, input_digest, ruleset_sha256, as_of). Recording
the same inputs under the same rules again returns the record already there; `force=True` marks it superseded
and records the new one. The UNIQUE key is a partial index over current (not superseded) rows, so history keeps
every superseded version.

Tamper evidence: each inserted row stores `record_hash = sha256(prev_hash + canonical row)`, one chain per table,
its row id included, so an edited, inserted, deleted or reordered row breaks its table's chain. Facts that arrive
after an assessment is recorded (it was superseded; its report was written at a path with a SHA-256) are appended
to the hash-chained `events` table; the assessments' `superseded`, `superseded_by` and `report_path` columns are
a copy kept for querying (the partial UNIQUE index needs `superseded`), and `verify_chain` checks them against
the events. Deleting the last rows of a chain leaves no broken link, so `chain_heads` keeps each table's length
and last hash, updated in the same transaction as every append; an assessor who keeps the heads outside the
database (`heads()`, `csu-assure audit head`) can also detect a register truncated and re-headed consistently
(`verify_heads`).

Signed heads: a register opened with a key (`signing.RegisterKey`, kept outside the database) signs every head it
moves, in the same transaction, and `verify_chain` checks each head's signature, so rows appended or re-hashed by
someone who can write the database but does not hold the key are found. Before moving a head, a writer with the
key checks its signature and refuses to extend a head it did not sign (otherwise the next honest append would
sign over a forgery); a writer without the key refuses to write to a signed register (its heads would be
unsigned, and verify would report its rows as forged). A register written before it had a key is signed once,
after verifying it, by `sign_heads` (`csu-assure audit sign`), which also rotates the key.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, false, func, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from csu_assure.domain import Checkpoint, Disposition
from csu_assure.engine import input_digest
from csu_assure.register.chain import (
    BrokenRow,
    ChainCheck,
    ChainHead,
    RecordedReport,
    Signatures,
    _recorded_heads,
    _recorded_signatures,
    _verify_derived,
    _verify_table,
    check_signatures,
    file_sha256,
    row_hash,
)
from csu_assure.register.diagnose import why_unopenable
from csu_assure.register.schema import (
    CHAINED,
    GENESIS,
    adjustments,
    assessments,
    chain_head_signatures,
    chain_heads,
    events,
    metadata,
    plan_items,
)
from csu_assure.register.signing import KEY_SETTING, RegisterKey
from csu_assure.results import Assessment


class RegisterError(Exception):
    """A register operation that cannot be done as asked (e.g. moderating an assessment already superseded)."""


class RegisterMissing(RegisterError):
    """The register asked for does not exist."""


class RegisterUnavailable(RegisterError):
    """The register cannot be opened (an unusable path or URL, a database that is not a register, a server that
    does not answer); the message says why in one line."""


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:  # the URL is not echoed: it may hold a password
        raise RegisterUnavailable(
            "the register URL is not a database URL (expected sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/DATABASE)"
        ) from None


class RegisterSignatureError(RegisterError):
    """A write refused because of the chain heads' signatures: a head not signed with this key, or a signed
    register written without a key."""


@dataclass(frozen=True)
class ReportState:
    """Where an assessment stands for its report: whether it is its CSU's current assessment at its checkpoint
    (the newest not superseded), and the report path the register last noted for it."""

    current: bool
    report_path: str | None


@dataclass(frozen=True)
class Entry:
    """One register row: the assessment as recorded plus the bookkeeping around it."""

    assessment: Assessment
    status: Disposition  # assessed, not_submitted or invalid_submission
    created_at: str
    superseded: bool
    superseded_by: str | None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _switch_to_wal(cursor: Any, timeout: float = 30.0) -> None:
    """Put a SQLite database in WAL mode. The switch needs the database to itself, and SQLite answers "database
    is locked" at once, without its busy timeout, when another process is opening (and switching, or creating
    the tables of) the same new register at that moment: wait for it as the busy timeout would."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
        else:
            return


class Register:
    """The assessment register on one database URL (tables are created on first use). With a `key`, every chain
    head it moves is signed and every head it verifies must be signed with that key."""

    def __init__(self, url: str, key: RegisterKey | None = None) -> None:
        self.url = url
        self._register_key = key
        parsed = _parse(url)
        self._sqlite = parsed.get_backend_name() == "sqlite"
        # Threads of one process take turns at writing; other processes wait on the database's own lock.
        self._write_lock = threading.Lock()
        try:
            if self._sqlite and parsed.database:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = self._make_engine(url, in_memory=self._sqlite and not parsed.database)
            metadata.create_all(self.engine)
        except (
            ImportError
        ) as error:  # a URL naming a driver this installation lacks (postgresql:// = psycopg2)
            raise RegisterUnavailable(
                f"the register URL needs the database driver {error.name!r}, which is not installed "
                "(for PostgreSQL use postgresql+psycopg://...)"
            ) from error
        except (OSError, SQLAlchemyError) as error:
            raise RegisterUnavailable(why_unopenable(parsed, error)) from error

    @classmethod
    def open_existing(cls, url: str, key: RegisterKey | None = None) -> Register:
        """Open a register that must already exist (for reading and auditing): a SQLite URL naming no file
        raises RegisterMissing instead of creating an empty register there."""
        parsed = _parse(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_file():
            raise RegisterMissing(f"there is no register at {parsed.database}")
        return cls(url, key)

    @property
    def keyed(self) -> bool:
        """Whether this register was opened with a key (heads it moves are signed, heads it checks must be)."""
        return self._register_key is not None

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages and exported documents."""
        return make_url(self.url).render_as_string(hide_password=True)

    def _make_engine(self, url: str, in_memory: bool) -> Engine:
        if not self._sqlite:
            return create_engine(url, pool_pre_ping=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            **({"poolclass": StaticPool} if in_memory else {}),
        )

        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" hook below issues BEGIN itself
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            _switch_to_wal(cursor)
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # Take the write lock at BEGIN, so reading the chain's last hash and appending to it are atomic.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._write_lock, self.engine.begin() as conn:
            if not self._sqlite:
                for table in (*CHAINED, chain_heads, chain_head_signatures):
                    conn.exec_driver_sql(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE")
            yield conn

    # -- writing ---------------------------------------------------------------------------------------------

    def record(self, assessment: Assessment, force: bool = False) -> Assessment:
        """Record an assessment, or return the one already recorded for the same inputs, rules and date.

        With `force=True` the existing record is superseded by this one. Returns what the register holds.
        """
        with self._writing() as conn:
            existing = self._current(conn, assessment)
            if existing is not None and not force:
                return self._to_assessment(existing)
            return self._insert(conn, assessment, existing)

    def apply_moderation(self, draft_id: str, moderated: Assessment) -> Assessment:
        """Replace a current draft with its moderated version (same inputs, rules and date), keeping both."""
        return self._revise(draft_id, moderated)

    def apply_amendment(self, record_id: str, amended: Assessment) -> Assessment:
        """Replace a current record with its amendment (same inputs, rules and date: an expired waiver no
        longer applied), keeping both; RegisterError if the record was superseded meanwhile."""
        return self._revise(record_id, amended)

    def _revise(self, draft_id: str, moderated: Assessment) -> Assessment:
        with self._writing() as conn:
            draft = (
                conn.execute(select(assessments).where(assessments.c.assessment_id == draft_id))
                .mappings()
                .first()
            )
            if draft is None:
                raise RegisterError(f"no assessment {draft_id} in the register")
            if draft["superseded"]:
                raise RegisterError(
                    f"assessment {draft_id} was already superseded by {draft['superseded_by']}"
                )
            if self._key(moderated) != self._row_key(dict(draft)):
                raise RegisterError(
                    f"the moderated assessment does not match {draft_id}: "
                    "different CSU, checkpoint, inputs, rule set or date"
                )
            return self._insert(conn, moderated, dict(draft))

    def sign_heads(
        self, previous: RegisterKey | None = None, expected: Iterable[ChainHead] = (), *, trust: bool = False
    ) -> ChainCheck:
        """Sign every chain head with this register's key, in one write transaction, after verifying the chains,
        the derived columns and any `expected` heads saved earlier, and the heads' present signatures against
        `previous` (the key being rotated out) or, without it, this key.

        A register whose heads carry no signature (written before it had a key) is signed as it stands: verify it
        with saved heads first. With `trust`, heads that are unsigned or signed otherwise are signed too (after
        someone has checked the rows they end at); the chains must still verify. Returns what was found: nothing
        is signed when it holds any problem. `signatures` says what the heads carried before."""
        key = self._signing_key()
        with self._writing() as conn:
            recorded = _recorded_heads(conn)
            problems = [b for t in CHAINED for b in _verify_table(conn, t, recorded.get(t.name))]
            problems += _verify_derived(conn) + self._verify_saved(conn, expected)
            status, unsigned = check_signatures(recorded, _recorded_signatures(conn), previous or key)
            if status is not Signatures.UNSIGNED and not trust:
                problems += unsigned
            if not problems:
                conn.execute(chain_head_signatures.delete())
                for head in recorded.values():
                    conn.execute(
                        chain_head_signatures.insert().values(table_name=head.table, signature=key.sign(head))
                    )
        return ChainCheck(tuple(problems), status)

    def set_report_path(self, assessment_id: str, path: str, sha256: str | None = None) -> None:
        """Record that the assessment's report was written at `path` (its SHA-256 is taken from the file
        unless given; None when there is no file, which `audit verify` then reports)."""
        if sha256 is None and Path(path).is_file():
            sha256 = file_sha256(Path(path))
        with self._writing() as conn:
            done = conn.execute(
                update(assessments)
                .where(assessments.c.assessment_id == assessment_id)
                .values(report_path=path)
            )
            if done.rowcount == 0:
                raise RegisterError(f"no assessment {assessment_id} in the register")
            self._append(
                conn,
                events,
                {
                    "kind": "report",
                    "assessment_id": assessment_id,
                    "report_path": path,
                    "report_sha256": sha256,
                    "created_at": _now(),
                },
            )

    # -- reading ---------------------------------------------------------------------------------------------

    def get(self, assessment_id: str) -> Entry | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(assessments).where(assessments.c.assessment_id == assessment_id))
                .mappings()
                .first()
            )
        return self._to_entry(dict(row)) if row else None

    def latest(self, csu_id: str, checkpoint: Checkpoint | int) -> Assessment | None:
        """The most recently recorded current assessment of a CSU at a checkpoint."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(assessments)
                    .where(
                        assessments.c.csu_id == csu_id,
                        assessments.c.checkpoint == int(checkpoint),
                        assessments.c.superseded == false(),
                    )
                    .order_by(assessments.c.row_id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        return self._to_assessment(dict(row)) if row else None

    def report_state(self, assessment_id: str) -> ReportState:
        """Whether the assessment is its CSU's current one at its checkpoint, and its noted report path; the
        report writer asks this under the report's lock (RegisterError if the assessment is not recorded)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(assessments.c.csu_id, assessments.c.checkpoint, assessments.c.report_path).where(
                    assessments.c.assessment_id == assessment_id
                )
            ).first()
            if row is None:
                raise RegisterError(f"no assessment {assessment_id} in the register")
            newest = conn.execute(
                select(assessments.c.assessment_id)
                .where(
                    assessments.c.csu_id == row.csu_id,
                    assessments.c.checkpoint == row.checkpoint,
                    assessments.c.superseded == false(),
                )
                .order_by(assessments.c.row_id.desc())
                .limit(1)
            ).scalar_one_or_none()
        return ReportState(newest == assessment_id, row.report_path)

    def latest_entry(self, csu_id: str, checkpoint: Checkpoint | int) -> Entry | None:
        found = self.latest(csu_id, checkpoint)
        return self.get(found.assessment_id) if found else None

    def history(self, csu_id: str) -> list[Entry]:
        """Every assessment of a CSU, superseded ones included, in the order they were recorded."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(assessments).where(assessments.c.csu_id == csu_id).order_by(assessments.c.row_id)
            ).mappings()
            return [self._to_entry(dict(r)) for r in rows]

    def all_latest(self) -> list[Assessment]:
        """The latest current assessment of every CSU at every checkpoint, sorted by CSU then checkpoint."""
        newest = (
            select(func.max(assessments.c.row_id))
            .where(assessments.c.superseded == false())
            .group_by(assessments.c.csu_id, assessments.c.checkpoint)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(assessments)
                .where(assessments.c.row_id.in_(newest))
                .order_by(assessments.c.csu_id, assessments.c.checkpoint)
            ).mappings()
            return [self._to_assessment(dict(r)) for r in rows]

    def with_waivers_ending_before(self, on: dt.date) -> list[Assessment]:
        """The current assessments holding a waiver whose last day is before `on`, by CSU then checkpoint:
        the candidates for re-assessment once waivers expire (`waivers.lapsed_waivers` says which still apply
        one; an amended record keeps its expired waivers, no longer applied)."""
        waived = select(adjustments.c.assessment_id).where(
            adjustments.c.kind == "waiver", adjustments.c.expires < on
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(assessments)
                .where(assessments.c.assessment_id.in_(waived), assessments.c.superseded == false())
                .order_by(assessments.c.csu_id, assessments.c.checkpoint, assessments.c.row_id)
            ).mappings()
            return [self._to_assessment(dict(r)) for r in rows]

    def adjustments_for(self, assessment_id: str) -> list[dict[str, Any]]:
        return self._children(adjustments, assessment_id)

    def plan_items_for(self, assessment_id: str) -> list[dict[str, Any]]:
        return self._children(plan_items, assessment_id)

    def _children(self, table: Table, assessment_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(table).where(table.c.assessment_id == assessment_id).order_by(table.c.row_id)
            ).mappings()
            return [dict(r) for r in rows]

    # -- tamper evidence -------------------------------------------------------------------------------------

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """One consistent view of every table while verifying. SQLite's BEGIN IMMEDIATE already gives it;
        PostgreSQL's default READ COMMITTED would let a concurrent append fall between two tables' reads."""
        with self.engine.connect() as conn:
            if not self._sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            yield conn

    def heads(self) -> dict[str, ChainHead]:
        """Each chained table's recorded head (0 rows and the genesis hash for a table never written)."""
        with self.engine.connect() as conn:
            recorded = _recorded_heads(conn)
        return {t.name: recorded.get(t.name, ChainHead(t.name, 0, GENESIS)) for t in CHAINED}

    def signed_tables(self) -> set[str]:
        """The tables whose chain head carries a signature (whether it is right needs the key: `check_heads`)."""
        with self.engine.connect() as conn:
            return set(_recorded_signatures(conn))

    def check_chain(self) -> ChainCheck:
        """Check every table's chain, its recorded head and the head's signature (see `chain.check_signatures`),
        and the assessments' derived columns against the events: what is wrong, row by row, and what the
        signatures showed."""
        broken: list[BrokenRow] = []
        with self._snapshot() as conn:
            recorded = _recorded_heads(conn)
            for table in CHAINED:
                broken += _verify_table(conn, table, recorded.get(table.name))
            broken += _verify_derived(conn)
            signatures, unsigned = check_signatures(recorded, _recorded_signatures(conn), self._register_key)
        return ChainCheck(tuple(broken + unsigned), signatures)

    def verify_chain(self) -> list[BrokenRow]:
        """`check_chain`'s problems (an intact register gives [])."""
        return list(self.check_chain().problems)

    def check_heads(self) -> ChainCheck:
        """The quick check for readers that trust the register (an export): each head's signature, and no rows
        past a head. Milliseconds, whatever the register's size; rows edited inside a chain need `check_chain`."""
        broken: list[BrokenRow] = []
        with self._snapshot() as conn:
            recorded = _recorded_heads(conn)
            signatures, broken = check_signatures(recorded, _recorded_signatures(conn), self._register_key)
            for table in CHAINED:
                last = conn.execute(select(func.max(table.c.row_id))).scalar_one_or_none() or 0
                ends = recorded[table.name].row_count if table.name in recorded else 0
                if last > ends:
                    broken.append(
                        BrokenRow(
                            table.name,
                            ends + 1,
                            f"rows {ends + 1}-{last} were not written by the register: the chain head ends at "
                            f"row {ends}",
                        )
                    )
        return ChainCheck(tuple(broken), signatures)

    def verify_heads(self, expected: Iterable[ChainHead]) -> list[BrokenRow]:
        """Check heads saved earlier (outside the database) are still in the chains: the row they name is
        there with the same hash. Chains may have grown since; they must not have been cut or rewritten."""
        with self._snapshot() as conn:
            return self._verify_saved(conn, expected)

    @staticmethod
    def _verify_saved(conn: Connection, expected: Iterable[ChainHead]) -> list[BrokenRow]:
        broken: list[BrokenRow] = []
        tables = {t.name: t for t in CHAINED}
        for head in expected:
            table = tables.get(head.table)
            if table is None:
                broken.append(BrokenRow(head.table, head.row_count, "the saved head names no register table"))
                continue
            if head.row_count == 0:
                continue
            found = conn.execute(
                select(table.c.record_hash).where(table.c.row_id == head.row_count)
            ).scalar_one_or_none()
            if found is None:
                broken.append(
                    BrokenRow(
                        table.name,
                        head.row_count,
                        f"missing: the saved head ends at row {head.row_count}, which is no longer in the "
                        "register (rows were deleted)",
                    )
                )
            elif found != head.head_hash:
                broken.append(
                    BrokenRow(
                        table.name,
                        head.row_count,
                        f"the saved head's hash {head.head_hash[:12]}… differs from this row's "
                        f"{found[:12]}…: the chain up to it was rewritten",
                    )
                )
        return broken

    def recorded_reports(self) -> list[RecordedReport]:
        """The latest report event for each report path (an earlier report at the same path was overwritten
        by a later one on purpose, e.g. a moderated assessment's report replacing its draft's)."""
        latest: dict[str, RecordedReport] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(
                select(events).where(events.c.kind == "report").order_by(events.c.row_id)
            ).mappings():
                latest[r["report_path"]] = RecordedReport(
                    r["row_id"], r["assessment_id"], r["report_path"], r["report_sha256"]
                )
        return sorted(latest.values(), key=lambda r: r.event_row_id)

    # -- internals -------------------------------------------------------------------------------------------

    @staticmethod
    def _key(a: Assessment) -> tuple[str, int, str, str, dt.date]:
        return (
            a.csu_id,
            int(a.checkpoint),
            input_digest(a.provenance.inputs),
            a.provenance.ruleset_sha256,
            a.provenance.as_of,
        )

    @staticmethod
    def _row_key(row: dict[str, Any]) -> tuple[str, int, str, str, dt.date]:
        return (row["csu_id"], row["checkpoint"], row["input_digest"], row["ruleset_sha256"], row["as_of"])

    def _current(self, conn: Connection, a: Assessment) -> dict[str, Any] | None:
        csu_id, checkpoint, digest, ruleset_sha, as_of = self._key(a)
        row = (
            conn.execute(
                select(assessments).where(
                    assessments.c.csu_id == csu_id,
                    assessments.c.checkpoint == checkpoint,
                    assessments.c.input_digest == digest,
                    assessments.c.ruleset_sha256 == ruleset_sha,
                    assessments.c.as_of == as_of,
                    assessments.c.superseded == false(),
                )
            )
            .mappings()
            .first()
        )
        return dict(row) if row else None

    def _free_id(self, conn: Connection, wanted: str) -> str:
        """The engine's id is deterministic; a forced re-record or a moderation gets a revision suffix."""
        taken = set(
            conn.execute(
                select(assessments.c.assessment_id).where(assessments.c.assessment_id.like(f"{wanted}%"))
            ).scalars()
        )
        if wanted not in taken:
            return wanted
        revision = 2
        while f"{wanted}-r{revision}" in taken:
            revision += 1
        return f"{wanted}-r{revision}"

    def _signing_key(self) -> RegisterKey:
        if self._register_key is None:
            raise RegisterSignatureError(f"no register key to sign with: set {KEY_SETTING}")
        return self._register_key

    def _check_head_before_moving(
        self, conn: Connection, table: Table, head: ChainHead | None, has_rows: bool
    ) -> None:
        """Refuse to extend a chain whose head this writer cannot vouch for (see the module docstring)."""
        if self._register_key is None:
            if conn.execute(select(chain_head_signatures.c.table_name).limit(1)).first() is not None:
                raise RegisterSignatureError(
                    "this register's chain heads are signed, and this writer has no register key: its rows would "
                    f"be reported as forged. Set {KEY_SETTING}"
                )
            return
        signature = conn.execute(
            select(chain_head_signatures.c.signature).where(chain_head_signatures.c.table_name == table.name)
        ).scalar_one_or_none()
        if head is None:
            if has_rows:
                raise RegisterSignatureError(
                    f"the {table.name} table has no chain head to check: verify the register and sign it "
                    "(`csu-assure audit sign`) before writing to it with a register key"
                )
        elif signature is None:
            raise RegisterSignatureError(
                f"the {table.name} chain head is not signed: the register was written without a register key "
                "(or by something that does not hold it). Verify it (`csu-assure audit verify`) and sign it "
                "(`csu-assure audit sign`) before writing to it with a key"
            )
        elif not self._register_key.signed(head, signature):
            raise RegisterSignatureError(
                f"the {table.name} chain head is not signed with this register key: rows were appended by "
                f"something that does not hold it, or {KEY_SETTING} is not the key the register was signed "
                "with. Run `csu-assure audit verify`"
            )

    def _append(self, conn: Connection, table: Table, values: dict[str, Any]) -> None:
        """Append a row to `table`'s chain and move its chain head (signing it, with a key), in the caller's write
        transaction.

        The row links to the recorded head, not to whatever row is last now: rows deleted from the end
        leave a visible break where the next row is appended, instead of being silently chained over.
        """
        head = conn.execute(
            select(chain_heads.c.row_count, chain_heads.c.head_hash).where(
                chain_heads.c.table_name == table.name
            )
        ).first()
        last = conn.execute(
            select(table.c.row_id, table.c.record_hash).order_by(table.c.row_id.desc()).limit(1)
        ).first()
        self._check_head_before_moving(
            conn,
            table,
            ChainHead(table.name, head.row_count, head.head_hash) if head is not None else None,
            last is not None,
        )
        if head is not None:
            prev, count = head.head_hash, head.row_count
        else:  # a register written before chain heads existed
            prev, count = (last.record_hash, last.row_id) if last is not None else (GENESIS, 0)
        row_id = max(count, last.row_id if last is not None else 0) + 1
        full = {c.name: values.get(c.name) for c in table.columns}
        full.update(row_id=row_id, prev_hash=prev)
        full["record_hash"] = new_head = row_hash(table, prev, full)
        conn.execute(table.insert().values(**full))
        moved = conn.execute(
            update(chain_heads)
            .where(chain_heads.c.table_name == table.name)
            .values(row_count=row_id, head_hash=full["record_hash"])
        )
        if moved.rowcount == 0:
            conn.execute(
                chain_heads.insert().values(
                    table_name=table.name, row_count=row_id, head_hash=full["record_hash"]
                )
            )
        if self._register_key is not None:
            signature = self._register_key.sign(ChainHead(table.name, row_id, new_head))
            signed = conn.execute(
                update(chain_head_signatures)
                .where(chain_head_signatures.c.table_name == table.name)
                .values(signature=signature)
            )
            if signed.rowcount == 0:
                conn.execute(
                    chain_head_signatures.insert().values(table_name=table.name, signature=signature)
                )

    def _insert(
        self,
        conn: Connection,
        assessment: Assessment,
        supersedes: dict[str, Any] | None,
    ) -> Assessment:
        new_id = self._free_id(conn, assessment.assessment_id)
        if new_id != assessment.assessment_id:
            assessment = assessment.model_copy(update={"assessment_id": new_id})
        csu_id, checkpoint, digest, ruleset_sha, as_of = self._key(assessment)
        now = _now()
        if supersedes is not None:
            conn.execute(
                update(assessments)
                .where(assessments.c.row_id == supersedes["row_id"])
                .values(superseded=True, superseded_by=new_id)
            )
            self._append(
                conn,
                events,
                {
                    "kind": "superseded",
                    "assessment_id": supersedes["assessment_id"],
                    "superseded_by": new_id,
                    "created_at": now,
                },
            )
        self._append(
            conn,
            assessments,
            {
                "assessment_id": new_id,
                "csu_id": csu_id,
                "checkpoint": checkpoint,
                "outcome": assessment.outcome.value,
                "status": assessment.disposition.value,
                "moderation": assessment.moderation.status,
                "input_digest": digest,
                "ruleset_sha256": ruleset_sha,
                "as_of": as_of,
                "created_at": now,
                "flow_run_id": assessment.provenance.flow_run_id,
                "record_json": assessment.model_dump_json(),
                "report_path": assessment.report_path,
                "superseded": False,
            },
        )
        common = {"assessment_id": new_id, "csu_id": csu_id, "checkpoint": checkpoint, "created_at": now}
        for result in assessment.results:
            adj = result.adjustment
            if adj is not None:
                self._append(
                    conn,
                    adjustments,
                    {
                        **common,
                        "check_id": adj.check_id,
                        "kind": adj.kind,
                        "status": adj.status.value if adj.status else None,
                        "assessor": adj.assessor,
                        "reason": adj.reason,
                        "expires": adj.expires,
                        "recorded_on": adj.recorded_on,
                    },
                )
        for item in assessment.development_plan:
            self._append(
                conn,
                plan_items,
                {
                    **common,
                    "item_id": item.item_id,
                    "check_id": item.check_id,
                    "severity": item.severity.value,
                    "finding": item.finding,
                    "action": item.action,
                    "owner": item.owner,
                    "due": item.due,
                    "evidence_required": item.evidence_required,
                    "binding": item.binding,
                },
            )
        return assessment

    @staticmethod
    def _to_assessment(row: dict[str, Any]) -> Assessment:
        found = Assessment.model_validate_json(row["record_json"])
        update: dict[str, Any] = {}
        if row["report_path"] != found.report_path:
            update["report_path"] = row["report_path"]
        if "disposition" not in found.model_fields_set:  # a record made before records carried it
            update["disposition"] = Disposition(row["status"])
        return found.model_copy(update=update) if update else found

    def _to_entry(self, row: dict[str, Any]) -> Entry:
        return Entry(
            assessment=self._to_assessment(row),
            status=Disposition(row["status"]),
            created_at=row["created_at"],
            superseded=bool(row["superseded"]),
            superseded_by=row["superseded_by"],
        )
