"""The register's tables: assessments, the rows that belong to one (adjustments, plan items), events, the
chain heads and their signatures. Every table but the heads and signatures is hash-chained (`chain.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, Index, Integer, MetaData, String, Table, Text, false

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

events = _chained_table(
    "events",
    Column("kind", String(16), nullable=False, comment="superseded | report"),
    Column("assessment_id", String(80), nullable=False, index=True),
    Column("superseded_by", String(80), comment="superseded: the assessment that replaced it"),
    Column("report_path", Text, comment="report: where its report was written"),
    Column("report_sha256", String(64), comment="report: the file's SHA-256 (None if it was not there)"),
)

chain_heads = Table(
    "chain_heads",
    metadata,
    Column("table_name", String(40), primary_key=True),
    Column("row_count", Integer, nullable=False, comment="rows appended; the last row's id"),
    Column("head_hash", String(64), nullable=False, comment="record_hash of the last row"),
)

# The heads' signatures (`signing.py`) sit in a table of their own rather than a column of chain_heads: a register
# made before signing gets the table from `create_all` when it is next opened, like any table it lacks, whereas a
# new column would need an ALTER TABLE on open: DDL run by `audit verify` inside the register it audits, and
# raced by every process that opens an old register at once. Signing a head and moving it happen in one
# transaction, so the two tables never disagree except by someone writing them directly.
chain_head_signatures = Table(
    "chain_head_signatures",
    metadata,
    Column("table_name", String(40), primary_key=True),
    Column(
        "signature",
        String(64),
        nullable=False,
        comment="HMAC-SHA256 with the register key over (table, row count, head hash) of the chain head",
    ),
)

CHAINED = (assessments, adjustments, plan_items, events)
# Copies of what the events record, kept on the assessment row for querying; verified against the events.
DERIVED = {"superseded", "superseded_by", "report_path"}
