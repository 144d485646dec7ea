"""The assessment register on a real PostgreSQL: idempotency, superseding, the partial unique index, the hash
chain, and writers in separate processes (the `LOCK TABLE` path that SQLite never takes)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import text, update

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.engine import assess
from csu_assure.register import Register
from csu_assure.register.schema import assessments
from csu_assure.results import Assessment
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import baseline, to_submission
from tests.support.servers import POSTGRES_MISSING, Postgres, postgres_bin, postgres_server

# The backend-neutral register tests, collected again here so that they run against this module's PostgreSQL
# `register` fixture (pytest resolves fixtures where a test is collected).
from tests.test_register import (  # noqa: F401
    test_force_supersedes_and_history_keeps_both,
    test_moderation_supersedes_the_draft_and_records_the_override,
    test_recording_the_same_inputs_and_rules_twice_returns_the_first_record,
    test_report_path_is_kept_beside_the_record,
    test_verify_chain_finds_an_edited_row_and_a_deleted_row,
)

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.slow,
    pytest.mark.skipif(postgres_bin() is None, reason=POSTGRES_MISSING),
]

AS_OF = dt.date(2012, 4, 1)


@cache
def _rules() -> tuple[Any, Any, Any]:
    catalogue = shipped_catalogue()
    return catalogue, load_ruleset(catalogue), load_calendar()


def _assess(csu_id: str = "alpha", **kwargs: Any) -> Assessment:
    catalogue, ruleset, calendar = _rules()
    return assess(
        to_submission(baseline(csu_id=csu_id, checkpoint=2)),
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=AS_OF,
        assessor="Test Assessor",
        **kwargs,
    )


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as pg:
        yield pg


@pytest.fixture
def url(postgres: Postgres, request: pytest.FixtureRequest) -> str:
    """A fresh database per test on the module's server."""
    name = f"register_{request.node.name.lower()}"[:60]
    postgres.create_database(name)
    return postgres.url(name)


@pytest.fixture
def register(url: str) -> Iterator[Register]:
    reg = Register(url)
    yield reg
    reg.close()


def test_register_runs_on_postgresql_with_the_partial_unique_index(register: Register) -> None:
    with register.engine.connect() as conn:
        assert conn.dialect.name == "postgresql"
        index = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_current_assessment'")
        ).scalar_one()
    assert "UNIQUE" in index and "WHERE (superseded = false)" in index


def test_the_partial_unique_index_refuses_a_second_current_row(register: Register) -> None:
    first = register.record(_assess())
    register.record(_assess(flow_run_id="rerun"), force=True)
    # Making the superseded row current again would give two current rows for one key: PostgreSQL refuses.
    with pytest.raises(sqlalchemy.exc.IntegrityError), register.engine.begin() as conn:
        conn.execute(
            update(assessments)
            .where(assessments.c.assessment_id == first.assessment_id)
            .values(superseded=False)
        )
    assert register.verify_chain() == []


# One writer process: its own engine and connections, as another machine would have.
WRITER = """
import datetime as dt, json, sys
from csu_assure.calendar import load_calendar
from checks import catalogue as shipped_catalogue
from csu_assure.engine import assess
from csu_assure.register import Register
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import baseline, to_submission
catalogue = shipped_catalogue()
ruleset, calendar = load_ruleset(catalogue), load_calendar()
subs = [to_submission(baseline(csu_id=c, checkpoint=2)) for c in sys.argv[2:]]
reg = Register(sys.argv[1])
sys.stdin.readline()  # start together
ids = [
    reg.record(
        assess(s, catalogue=catalogue, ruleset=ruleset, calendar=calendar, as_of=dt.date(2012, 4, 1),
               assessor="Test Assessor")
    ).assessment_id
    for s in subs
]
reg.close()
print(json.dumps(ids))
"""


def test_writers_in_separate_processes_keep_one_chain_and_one_record_per_key(url: str) -> None:
    Register(url).close()  # create the tables once, before the race
    shared = ["shared-1", "shared-2"]  # every process records these: the register must keep one of each
    plans = [[*shared, f"p{p}-a", f"p{p}-b", f"p{p}-c"] for p in range(3)]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, *plan],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for plan in plans
    ]
    time.sleep(3)  # let every writer import and connect, then release them at once
    done = [w.communicate("go\n", timeout=180) for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0], [err for _, err in done]
    results = [json.loads(out) for out, _ in done]
    assert len({r[0] for r in results}) == 1 and len({r[1] for r in results}) == 1
    reg = Register(url)
    try:
        assert len(reg.all_latest()) == 2 + 3 * 3
        assert [len(reg.history(csu)) for csu in shared] == [1, 1]
        assert reg.verify_chain() == []
    finally:
        reg.close()
