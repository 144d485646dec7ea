"""The assessment register: every assessment, assessor adjustment and development-plan item, hash-chained.

SQLAlchemy Core on any URL: a SQLite file by default (WAL mode, a busy timeout, write transactions that take
the write lock up front) and PostgreSQL when several machines share one register.

Idempotency: an assessment is identified by (csu_id, checkpoint, input_digest, ruleset_sha256, as_of). Recording
the same inputs under the same rules again returns the record already there; `force=True` marks it superseded
and records the new one. The UNIQUE key is a partial index over current (not superseded) rows, so history keeps
every superseded version.

Tamper evidence: each inserted row stores `record_hash = sha256(prev_hash + canonical row)`, one chain per table.
`superseded`, `superseded_by` and `report_path` are bookkeeping that changes after insertion and is left out of
the hash; everything a decision rests on (`record_json` included) is in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    false,
    func,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from csu_assure.domain import Checkpoint, Outcome
from csu_assure.engine import input_digest
from csu_assure.results import Assessment

RecordStatus = Literal["assessed", "not_submitted", "invalid_submission"]
GENESIS = "0" * 64

metadata = MetaData()


def _chained_table(name: str, *columns: Column[Any]) -> Table:
    """A hash-chained table: a row id first, then `columns`, then the time written and the chain links."""
    return Table(
        name,
        metadata,
        Column("row_id", Integer, primary_key=True, autoincrement=True),
        *columns,
        Column("created_at", String(40), nullable=False, comment="UTC, ISO 8601: stable text for hashing"),
        Column("prev_hash", String(64), nullable=False),
        Column("record_hash", String(64), nullable=False),
    )


def _assessment_child(name: str, *columns: Column[Any]) -> Table:
    """A table of rows that belong to one assessment (its adjustments, its development-plan items)."""
    return _chained_table(
        name,
        Column("assessment_id", String(80), nullable=False, index=True),
        Column("csu_id", String(100), nullable=False),
        Column("checkpoint", Integer, nullable=False),
        *columns,
    )


assessments = _chained_table(
    "assessments",
    Column("assessment_id", String(80), nullable=False, unique=True),
    Column("csu_id", String(100), nullable=False),
    Column("checkpoint", Integer, nullable=False),
    Column("outcome", String(40), nullable=False),
    Column("status", String(24), nullable=False, comment="assessed | not_submitted | invalid_submission"),
    Column("moderation", String(24), nullable=False),
    Column("input_digest", String(64), nullable=False),
    Column("ruleset_sha256", String(64), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("flow_run_id", String(64)),
    Column("record_json", Text, nullable=False),
    Column("report_path", Text),
    Column("superseded", Boolean, nullable=False, default=False),
    Column("superseded_by", String(80)),
)
Index(
    "uq_current_assessment",
    assessments.c.csu_id,
    assessments.c.checkpoint,
    assessments.c.input_digest,
    assessments.c.ruleset_sha256,
    assessments.c.as_of,
    unique=True,
    sqlite_where=assessments.c.superseded == false(),
    postgresql_where=assessments.c.superseded == false(),
)
Index("ix_assessments_csu", assessments.c.csu_id, assessments.c.checkpoint)

adjustments = _assessment_child(
    "adjustments",
    Column("check_id", String(20), nullable=False),
    Column("kind", String(10), nullable=False, comment="override | waiver"),
    Column("status", String(16), comment="overrides: the final result"),
    Column("assessor", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("expires", Date),
    Column("recorded_on", Date),
)

plan_items = _assessment_child(
    "plan_items",
    Column("item_id", String(40), nullable=False),
    Column("check_id", String(20), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("finding", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("due", Date, nullable=False),
    Column("evidence_required", Text, nullable=False),
    Column("binding", Boolean, nullable=False),
)

CHAINED = (assessments, adjustments, plan_items)
_UNHASHED = {"row_id", "prev_hash", "record_hash", "superseded", "superseded_by", "report_path"}


class RegisterError(Exception):
    """A register operation that cannot be done as asked (e.g. moderating an assessment already superseded)."""


@dataclass(frozen=True)
class Entry:
    """One register row: the assessment as recorded plus the bookkeeping around it."""

    assessment: Assessment
    status: RecordStatus
    created_at: str
    superseded: bool
    superseded_by: str | None


@dataclass(frozen=True)
class BrokenRow:
    table: str
    row_id: int
    reason: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row_id}: {self.reason}"


def _canonical(table: Table, row: dict[str, Any]) -> str:
    values = {
        c.name: (row[c.name].isoformat() if isinstance(row[c.name], dt.date) else row[c.name])
        for c in table.columns
        if c.name not in _UNHASHED
    }
    return json.dumps({"table": table.name, **values}, sort_keys=True, ensure_ascii=False)


def row_hash(table: Table, prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(table, row)).encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _status_for(assessment: Assessment) -> RecordStatus:
    return "not_submitted" if assessment.outcome is Outcome.NOT_SUBMITTED else "assessed"


class Register:
    """The assessment register on one database URL (tables are created on first use)."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self._sqlite = parsed.get_backend_name() == "sqlite"
        if self._sqlite and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = self._make_engine(url, in_memory=self._sqlite and not parsed.database)
        # Threads of one process take turns at writing; other processes wait on the database's own lock.
        self._write_lock = threading.Lock()
        metadata.create_all(self.engine)

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
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
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
                for table in CHAINED:
                    conn.exec_driver_sql(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE")
            yield conn

    # -- writing ---------------------------------------------------------------------------------------------

    def record(
        self, assessment: Assessment, force: bool = False, status: RecordStatus | None = None
    ) -> Assessment:
        """Record an assessment, or return the one already recorded for the same inputs, rules and date.

        With `force=True` the existing record is superseded by this one. Returns what the register holds.
        """
        with self._writing() as conn:
            existing = self._current(conn, assessment)
            if existing is not None and not force:
                return self._to_assessment(existing)
            return self._insert(conn, assessment, status or _status_for(assessment), existing)

    def apply_moderation(self, draft_id: str, moderated: Assessment) -> Assessment:
        """Replace a current draft with its moderated version (same inputs, rules and date), keeping both."""
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
            return self._insert(conn, moderated, draft["status"], dict(draft))

    def set_report_path(self, assessment_id: str, path: str) -> None:
        with self._writing() as conn:
            done = conn.execute(
                update(assessments)
                .where(assessments.c.assessment_id == assessment_id)
                .values(report_path=path)
            )
            if done.rowcount == 0:
                raise RegisterError(f"no assessment {assessment_id} in the register")

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

    def verify_chain(self) -> list[BrokenRow]:
        """Recompute every table's hash chain; return the rows whose hash or link does not match."""
        broken: list[BrokenRow] = []
        with self.engine.connect() as conn:
            for table in CHAINED:
                prev = GENESIS
                for row in conn.execute(select(table).order_by(table.c.row_id)).mappings():
                    values = dict(row)
                    if values["prev_hash"] != prev:
                        broken.append(
                            BrokenRow(table.name, values["row_id"], "does not link to the previous row")
                        )
                    if row_hash(table, values["prev_hash"], values) != values["record_hash"]:
                        broken.append(
                            BrokenRow(table.name, values["row_id"], "content does not match its hash")
                        )
                    prev = values["record_hash"]
        return broken

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

    def _append(self, conn: Connection, table: Table, values: dict[str, Any]) -> None:
        prev = conn.execute(
            select(table.c.record_hash).order_by(table.c.row_id.desc()).limit(1)
        ).scalar_one_or_none()
        prev = prev or GENESIS
        full = {c.name: values.get(c.name) for c in table.columns if c.name not in ("row_id",)}
        full["prev_hash"] = prev
        full["record_hash"] = row_hash(table, prev, full)
        conn.execute(table.insert().values(**full))

    def _insert(
        self,
        conn: Connection,
        assessment: Assessment,
        status: RecordStatus,
        supersedes: dict[str, Any] | None,
    ) -> Assessment:
        new_id = self._free_id(conn, assessment.assessment_id)
        if new_id != assessment.assessment_id:
            assessment = assessment.model_copy(update={"assessment_id": new_id})
        if supersedes is not None:
            conn.execute(
                update(assessments)
                .where(assessments.c.row_id == supersedes["row_id"])
                .values(superseded=True, superseded_by=new_id)
            )
        csu_id, checkpoint, digest, ruleset_sha, as_of = self._key(assessment)
        now = _now()
        self._append(
            conn,
            assessments,
            {
                "assessment_id": new_id,
                "csu_id": csu_id,
                "checkpoint": checkpoint,
                "outcome": assessment.outcome.value,
                "status": status,
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
        if row["report_path"] != found.report_path:
            found = found.model_copy(update={"report_path": row["report_path"]})
        return found

    def _to_entry(self, row: dict[str, Any]) -> Entry:
        return Entry(
            assessment=self._to_assessment(row),
            status=row["status"],
            created_at=row["created_at"],
            superseded=bool(row["superseded"]),
            superseded_by=row["superseded_by"],
        )
