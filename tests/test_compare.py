"""`compare`: what changed for one CSU between two assessments, on the example cohort's records and on hand-made
changes to them (a missed milestone, an unresolved escalation, nothing submitted)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checks import catalogue as shipped_catalogue
from csu_assure.compare import (
    RETESTED_BY,
    Direction,
    EscalationState,
    ItemState,
    NotComparable,
    compare,
    retests,
)
from csu_assure.domain import Checkpoint, Disposition, Domain, DomainStatus, Status
from csu_assure.results import Assessment, CheckResult
from tests.test_example_cohort import COHORT, progress

RecordsOf = Callable[[str], list[Assessment]]


@pytest.fixture(scope="module")
def records() -> RecordsOf:
    made: dict[str, list[Assessment]] = {}

    def of(csu: str) -> list[Assessment]:
        if csu not in made:
            made[csu] = progress(COHORT / csu)
        return made[csu]

    return of


def _with(a: Assessment, check_id: str, **changes: object) -> Assessment:
    results = tuple(r.model_copy(update=changes) if r.check_id == check_id else r for r in a.results)
    return a.model_copy(update={"results": results})


def test_every_retest_is_a_check_of_the_next_checkpoint() -> None:
    ids = {c.id: int(c.checkpoint) for c in shipped_catalogue()}
    for earlier, later in RETESTED_BY.items():
        assert earlier in ids and later, earlier
        for check_id in later:
            assert ids[check_id] == ids[earlier] + 1, (earlier, check_id)


def test_retests_follow_a_check_through_the_checkpoints() -> None:
    assert retests("CP1-FIN-02", Checkpoint.VIABILITY) == ("CP2-BUS-04",)
    assert retests("CP1-FIN-02", Checkpoint.FULL_BUSINESS_PLAN) == ("CP3-FIN-05",)
    assert retests("CP2-CUS-02", Checkpoint.VIABILITY) == ("CP2-CUS-02",)  # a re-assessment: itself
    assert retests("CP1-OFF-02", Checkpoint.VIABILITY) == ()


def test_an_escalation_resolved_and_a_failure_still_failing(records: RecordsOf) -> None:
    cp2, cp3 = records("pennine-ridge")[1:3]
    m = compare(cp2, cp3)
    assert (m.before_escalation, m.after_disposition) == (Domain.CUSTOMER, Disposition.ASSESSED)
    moves = {d.domain: (d.before, d.after, d.direction) for d in m.domains}
    assert moves[Domain.CUSTOMER] == (DomainStatus.FAIL, DomainStatus.MARGINAL, Direction.BETTER)
    assert moves[Domain.DELIVERY] == (None, DomainStatus.PASS, Direction.NEW)
    [still] = m.still_failing
    assert (still.check_id, still.follows) == ("CP3-CUS-03", ("CP2-CUS-02",))
    assert m.resolved == () and m.new == ()
    assert {p.item_id: p.state for p in m.plan} == {
        "ESCALATION-customer@2": ItemState.MET,
        "CP2-CUS-02@2": ItemState.MET,
    }
    assert [p.retest_fails for p in m.plan] == [False, True]  # CP3-CUS-03 re-tests CP2-CUS-02 and fails
    [escalation] = m.escalations
    assert escalation.state is EscalationState.RESOLVED and escalation.domain_now is DomainStatus.MARGINAL
    brief = m.brief()
    assert (brief.met, brief.binding_items, brief.still_failing, brief.escalation) == (
        2,
        2,
        1,
        EscalationState.RESOLVED,
    )


def test_a_failure_resolved_by_its_retest_and_one_by_its_plan_item(records: RecordsOf) -> None:
    """Arden: checkpoint 1 scale and price failures are still failing at 2; at 3 the scale item is reported met
    (no check re-tests scale at checkpoint 3) and price is re-tested by SLA affordability, still failing."""
    cp1, cp2, cp3 = records("arden")
    first = compare(cp1, cp2)
    assert {c.check_id: c.follows for c in first.still_failing} == {
        "CP2-BUS-04": ("CP1-FIN-02", "CP1-FIN-03"),
        "CP2-SCL-01": ("CP1-SCL-01",),
    }
    assert {p.state for p in first.plan} == {ItemState.FOLLOWED_UP}  # checkpoint 1 advice, answered
    second = compare(cp2, cp3)
    [resolved] = second.resolved
    assert (resolved.check_id, resolved.evidence) == ("CP2-SCL-01", "plan item CP2-SCL-01@2 met")
    assert [c.check_id for c in second.still_failing] == ["CP3-FIN-05"]


def test_a_missed_milestone_is_named_with_its_evidence(records: RecordsOf) -> None:
    cp2, cp3 = records("pennine-ridge")[1:3]
    missed_row = {
        "source": "checkpoint 2 plan",
        "milestone": "CP2-CUS-02@2",
        "check_id": "CP2-CUS-02",
        "met": "False",
    }
    breached = _with(cp3, "CP3-DEL-01", status=Status.FAIL, evidence=(missed_row,))
    m = compare(cp2, breached)
    item = next(p for p in m.plan if p.item_id == "CP2-CUS-02@2")
    assert item.state is ItemState.MISSED
    assert item.evidence == "reported not met in the checkpoint 3 development plan (CP3-DEL-01)"
    assert "CP3-DEL-01" in {c.check_id for c in m.still_failing} | {c.check_id for c in m.new}


def test_an_unresolved_escalation_says_why(records: RecordsOf) -> None:
    cp2, cp3 = records("pennine-ridge")[1:3]
    row = {
        "milestone": "ESCALATION-customer@2",
        "domain": "customer",
        "reported": "not reported",
        "remedy": "none: no merger or collaboration route agreed or completed",
    }
    unresolved = _with(cp3, "CP3-DEL-05", status=Status.FAIL, evidence=(row,))
    [e] = compare(cp2, unresolved).escalations
    assert e.state is EscalationState.UNRESOLVED
    assert e.evidence == "not reported; remedy: none: no merger or collaboration route agreed or completed"


def test_nothing_submitted_resolves_nothing(records: RecordsOf) -> None:
    cp2, cp3 = records("thames-gate")[1:3]
    assert cp3.disposition is Disposition.NOT_SUBMITTED
    m = compare(cp2, cp3)
    assert not m.assessed_after
    assert m.resolved == m.still_failing == m.new == ()
    assert {d.direction for d in m.domains} == {Direction.UNJUDGED}
    assert {p.state for p in m.plan} == {ItemState.NOT_EVIDENCED}
    assert {p.evidence for p in m.plan} == {"nothing was submitted at checkpoint 3"}


def test_a_new_failure_is_one_no_earlier_failure_explains(records: RecordsOf) -> None:
    cp2, cp3 = records("dales-moor")[1:3]
    m = compare(cp2, cp3)
    assert [c.check_id for c in m.new] == ["CP3-DEL-01", "CP3-LEA-01"]  # critical first
    assert m.new[1].evidence == (
        "CP3-LEA-01 fails (found interim; standard a substantive managing director appointed by 2012-06-30)"
    )


def test_records_of_different_csus_or_out_of_order_are_refused(records: RecordsOf) -> None:
    a, b = records("arden")[1], records("north-vale")[1]
    with pytest.raises(NotComparable, match="different CSUs"):
        compare(a, b)
    with pytest.raises(NotComparable, match="comes before"):
        compare(records("arden")[2], records("arden")[1])


def test_the_same_checkpoint_compares_check_by_check(records: RecordsOf) -> None:
    cp2 = records("kennet-wey")[1]
    failing = next(r for r in cp2.results if r.failed)
    fixed: CheckResult = failing.model_copy(update={"status": Status.PASS, "computed_status": Status.PASS})
    again = cp2.model_copy(update={"results": tuple(fixed if r is failing else r for r in cp2.results)})
    m = compare(cp2, again)
    assert failing.check_id in {c.check_id for c in m.resolved}
