"""The assessment register: idempotent recording, superseding, history, moderation and the hash chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint, Outcome, Status
from csu_assure.engine import assess, assess_not_submitted
from csu_assure.register import Register, RegisterError, RegisterMissing
from csu_assure.register.schema import assessments, events
from csu_assure.results import Adjustment, Assessment, Moderation
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import baseline, to_submission

AS_OF = dt.date(2012, 4, 1)


def _assess(csu_id: str = "alpha", **kwargs: object) -> Assessment:
    catalogue = shipped_catalogue()
    return assess(
        to_submission(baseline(csu_id=csu_id, checkpoint=2)),
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=load_calendar(),
        as_of=AS_OF,
        assessor="Test Assessor",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def register(tmp_path: Path) -> Register:
    return Register(f"sqlite:///{tmp_path / 'register.sqlite'}")


def test_sqlite_register_uses_wal_and_a_busy_timeout(register: Register) -> None:
    with register.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_recording_the_same_inputs_and_rules_twice_returns_the_first_record(register: Register) -> None:
    first = register.record(_assess())
    again = register.record(_assess(flow_run_id="another-run"))
    assert again == first
    assert again.provenance.flow_run_id is None
    assert len(register.history("alpha")) == 1


def test_force_supersedes_and_history_keeps_both(register: Register) -> None:
    first = register.record(_assess())
    forced = register.record(_assess(flow_run_id="rerun"), force=True)
    assert forced.assessment_id == f"{first.assessment_id}-r2"
    history = register.history("alpha")
    assert [(e.assessment.assessment_id, e.superseded) for e in history] == [
        (first.assessment_id, True),
        (forced.assessment_id, False),
    ]
    assert history[0].superseded_by == forced.assessment_id
    assert register.latest("alpha", 2) == forced
    assert register.all_latest() == [forced]


def test_a_different_as_of_is_a_different_assessment(register: Register) -> None:
    register.record(_assess())
    later = register.record(
        _assess().model_copy(
            update={
                "provenance": _assess().provenance.model_copy(update={"as_of": AS_OF + dt.timedelta(days=1)})
            }
        )
    )
    assert len(register.history("alpha")) == 2
    assert register.latest("alpha", Checkpoint.VIABILITY) == later


def test_not_submitted_is_recorded_like_any_assessment(register: Register) -> None:
    catalogue = shipped_catalogue()
    missing = assess_not_submitted(
        "gamma",
        "Gamma CSU",
        Checkpoint.VIABILITY,
        catalogue=catalogue,
        ruleset=load_ruleset(catalogue),
        calendar=load_calendar(),
        as_of=AS_OF,
        assessor="Test Assessor",
    )
    register.record(missing)
    entry = register.latest_entry("gamma", 2)
    assert entry is not None and entry.status == "not_submitted"
    assert entry.assessment.outcome is Outcome.NOT_SUBMITTED


def test_moderation_supersedes_the_draft_and_records_the_override(register: Register) -> None:
    draft = register.record(_assess(moderation=Moderation(status="draft")))
    override = Adjustment(
        kind="override",
        check_id="CP2-CUS-03",
        assessor="Dr Jane Smith",
        reason="Late letters of intent",
        status=Status.FAIL,
    )
    moderated = _assess(
        adjustments=[override], moderation=Moderation(status="moderated", assessor="Dr Jane Smith")
    )
    stored = register.apply_moderation(draft.assessment_id, moderated)
    assert register.latest("alpha", 2) == stored
    assert stored.result("CP2-CUS-03").status is Status.FAIL
    rows = register.adjustments_for(stored.assessment_id)
    assert [(r["check_id"], r["assessor"], r["reason"], r["status"]) for r in rows] == [
        ("CP2-CUS-03", "Dr Jane Smith", "Late letters of intent", "FAIL")
    ]
    assert register.plan_items_for(stored.assessment_id)  # the override made a development-plan item
    with pytest.raises(RegisterError, match="already superseded"):
        register.apply_moderation(draft.assessment_id, moderated)


def test_report_path_is_kept_beside_the_record(register: Register) -> None:
    recorded = register.record(_assess())
    register.set_report_path(recorded.assessment_id, "/reports/alpha.docx")
    latest = register.latest("alpha", 2)
    assert latest is not None and latest.report_path == "/reports/alpha.docx"
    assert register.verify_chain() == []  # bookkeeping columns are outside the hash
    with pytest.raises(RegisterError):
        register.set_report_path("nope", "x")


def test_verify_chain_finds_an_edited_row_and_a_deleted_row(register: Register) -> None:
    first = register.record(_assess("alpha"))
    register.record(_assess("beta"))
    register.record(_assess("gamma"))
    assert register.verify_chain() == []
    edited = first.model_copy(update={"outcome": Outcome.A, "csu_name": "Edited"}).model_dump_json()
    with register.engine.begin() as conn:
        conn.execute(update(assessments).where(assessments.c.csu_id == "alpha").values(record_json=edited))
    broken = register.verify_chain()
    assert [(b.table, b.row_id, b.reason) for b in broken] == [
        ("assessments", 1, "content does not match its hash")
    ]
    with register.engine.begin() as conn:
        conn.execute(assessments.delete().where(assessments.c.csu_id == "beta"))
    assert ("assessments", 3, "does not link to the previous row") in [
        (b.table, b.row_id, b.reason) for b in register.verify_chain()
    ]


def test_concurrent_writers_keep_one_unbroken_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    records = [_assess(f"csu-{i}") for i in range(8)]
    registers = [Register(url) for _ in range(2)]  # two engines: as two processes would be

    def write(i: int) -> None:
        registers[i % 2].record(records[i])

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(registers[0].all_latest()) == 8
    assert registers[0].verify_chain() == []


def test_supersession_and_reports_are_appended_as_chained_events(register: Register, tmp_path: Path) -> None:
    first = register.record(_assess())
    report = tmp_path / "alpha.docx"
    report.write_bytes(b"the report")
    register.set_report_path(first.assessment_id, str(report))
    forced = register.record(_assess(), force=True)
    with register.engine.connect() as conn:
        rows = [
            tuple(r)
            for r in conn.execute(
                select(
                    events.c.kind,
                    events.c.assessment_id,
                    events.c.superseded_by,
                    events.c.report_path,
                    events.c.report_sha256,
                ).order_by(events.c.row_id)
            )
        ]
    assert rows == [
        ("report", first.assessment_id, None, str(report), hashlib.sha256(b"the report").hexdigest()),
        ("superseded", first.assessment_id, forced.assessment_id, None, None),
    ]
    [recorded] = register.recorded_reports()
    assert (recorded.assessment_id, recorded.path) == (first.assessment_id, str(report))
    assert register.verify_chain() == []


def test_chain_heads_move_with_every_append(register: Register) -> None:
    assert {h.row_count for h in register.heads().values()} == {0}
    register.record(_assess("alpha"))
    register.record(_assess("beta"))
    heads = register.heads()
    with register.engine.connect() as conn:
        last = conn.execute(select(assessments.c.record_hash).where(assessments.c.row_id == 2)).scalar_one()
    assert (heads["assessments"].row_count, heads["assessments"].head_hash) == (2, last)
    assert register.verify_heads(heads.values()) == []


def test_saved_heads_survive_growth_but_not_truncation(register: Register) -> None:
    register.record(_assess("alpha"))
    saved = list(register.heads().values())
    register.record(_assess("beta"))
    assert register.verify_heads(saved) == []  # the chain grew: the saved head is still in it
    with register.engine.begin() as conn:
        conn.execute(assessments.delete())
    assert [(b.table, b.row_id) for b in register.verify_heads(saved)] == [("assessments", 1)]


def test_open_existing_refuses_to_create_a_register(tmp_path: Path) -> None:
    with pytest.raises(RegisterMissing, match="there is no register at"):
        Register.open_existing(f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert not (tmp_path / "none.sqlite").exists()
    Register(f"sqlite:///{tmp_path / 'some.sqlite'}").close()
    Register.open_existing(f"sqlite:///{tmp_path / 'some.sqlite'}").close()


def test_records_with_waivers_ending_before_a_day_are_found_and_amended_in_place(register: Register) -> None:
    waiver = Adjustment(
        kind="waiver",
        check_id="CP2-CUS-03",
        assessor="Dr Jane Smith",
        reason="Letters due in June",
        expires=dt.date(2012, 6, 30),
    )
    waived = register.record(_assess(adjustments=[waiver]))
    register.record(_assess("beta"))  # no waiver
    assert register.with_waivers_ending_before(dt.date(2012, 6, 30)) == []
    assert register.with_waivers_ending_before(dt.date(2012, 7, 1)) == [waived]
    rows = register.adjustments_for(waived.assessment_id)
    assert [(r["kind"], r["check_id"], r["expires"]) for r in rows] == [
        ("waiver", "CP2-CUS-03", dt.date(2012, 6, 30))
    ]

    amended = _assess(adjustments=[waiver], flow_run_id="amendment")
    stored = register.apply_amendment(waived.assessment_id, amended)
    assert register.latest("alpha", 2) == stored
    assert [e.superseded for e in register.history("alpha")] == [True, False]
    # The amended record keeps its (expired) waiver: still found, for `waivers.lapsed_waivers` to pass over.
    assert register.with_waivers_ending_before(dt.date(2012, 7, 1)) == [stored]
    with pytest.raises(RegisterError, match="already superseded"):
        register.apply_amendment(waived.assessment_id, amended)
    assert register.verify_chain() == []
