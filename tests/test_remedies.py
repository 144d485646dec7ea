"""The shared reading of remedies (`csu_assure.remedies`): merger routes, leaders in post and appointments made,
and the checkpoint 2 escalation read back at checkpoint 3 from the plan item the engine really writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.domain import Checkpoint, Domain, Outcome, Severity, Status
from csu_assure.engine import assess
from csu_assure.generate import CsuSpec, Rules, build_csu
from csu_assure.remedies import (
    agreed_merger_route,
    appointment_made,
    caretaker_leader,
    escalated_domain,
    leader_in_post,
    managing_directors_in_post,
    merger_route_short_of_agreed,
)
from csu_assure.results import PlanItem
from csu_assure.ruleset import load_ruleset
from csu_assure.submission import Submission
from csu_assure.synthetic import apply_patch, baseline, to_submission

AS_OF = dt.date(2012, 4, 20)


def _sub(patch: dict[str, Any], checkpoint: int = 2) -> Submission:
    return to_submission(apply_patch(baseline(checkpoint=checkpoint), patch))


def _route(**route: Any) -> Submission:
    return _sub({"plan": {"merger_route_agreed": None, "merger_route": route}})


# ------------------------------------------------------------------------------------------------ merger route


@pytest.mark.parametrize(
    ("route", "agreed"),
    [
        ({"partner": "Arden CSS", "status": "agreed", "agreed_on": "2012-04-20"}, True),  # on the day counts
        ({"partner": "Arden CSS", "status": "agreed", "agreed_on": "2012-04-21"}, False),  # the day after not
        ({"partner": "Arden CSS", "status": "agreed"}, True),  # undated: taken as agreed
        ({"partner": "Arden CSS", "status": "completed", "agreed_on": "2012-03-01"}, True),
        ({"partner": "Arden CSS", "status": "proposed"}, False),
    ],
)
def test_a_route_is_a_remedy_once_agreed_or_completed_by_the_assessment_date(
    route: dict[str, str], agreed: bool
) -> None:
    sub = _route(**route)
    described = agreed_merger_route(sub, AS_OF)
    assert (described is not None) == agreed
    if described:
        assert "Arden CSS" in described
        assert merger_route_short_of_agreed(sub, AS_OF) is None
    else:
        assert "Arden CSS" in (merger_route_short_of_agreed(sub, AS_OF) or "")


def test_the_older_flag_still_counts_with_no_partner_named() -> None:
    described = agreed_merger_route(_sub({"plan": {"merger_route_agreed": True}}), AS_OF)
    assert described == "a merger or collaboration route is agreed (no partner named)"
    assert agreed_merger_route(_sub({"plan": {"merger_route_agreed": False}}), AS_OF) is None
    assert agreed_merger_route(_sub({"plan": {"merger_route_agreed": None}}), AS_OF) is None
    assert merger_route_short_of_agreed(_sub({"plan": {"merger_route_agreed": False}}), AS_OF) is None


def test_both_forms_may_be_given_when_they_agree() -> None:
    sub = _sub(
        {"plan": {"merger_route_agreed": True, "merger_route": {"partner": "X CSS", "status": "agreed"}}}
    )
    assert agreed_merger_route(sub, AS_OF) == "a merger or collaboration route with X CSS is agreed"


# ------------------------------------------------------------------------------------------------- leadership


def _team(*rows: dict[str, str]) -> Submission:
    return _sub({"rows": {"senior_team": list(rows)}})


def _md(name: str, status: str, appointed_on: str = "") -> dict[str, str]:
    return {"role": "managing_director", "name": name, "status": status, "appointed_on": appointed_on}


def test_a_substantive_appointment_dated_after_the_assessment_is_made_not_in_post() -> None:
    sub = _team(_md("Alex Morgan", "substantive", "2012-05-14"))
    assert managing_directors_in_post(sub, AS_OF) == ()
    assert leader_in_post(sub, AS_OF) is None
    assert (appointment := appointment_made(sub, AS_OF)) is not None and appointment.name == "Alex Morgan"
    on_the_day = dt.date(2012, 5, 14)
    assert leader_in_post(sub, on_the_day) is not None and appointment_made(sub, on_the_day) is None


def test_interim_and_acting_leaders_hold_the_post_but_are_not_substantive() -> None:
    for status in ("interim", "acting"):
        sub = _team(_md("Kim Doe", status, "2012-01-09"))
        assert [r.name for r in managing_directors_in_post(sub, AS_OF)] == ["Kim Doe"]
        assert leader_in_post(sub, AS_OF) is None
        assert (caretaker := caretaker_leader(sub, AS_OF)) is not None and caretaker.status.value == status
        assert appointment_made(sub, AS_OF) is None


def test_vacant_unnamed_and_other_roles_are_nobody_in_post() -> None:
    sub = _team(
        _md("", "vacant"),
        {
            "role": "finance_director",
            "name": "Sam Patel",
            "status": "substantive",
            "appointed_on": "2012-01-01",
        },
        {"role": "managing_director", "name": "", "status": "substantive", "appointed_on": "2012-01-01"},
    )
    assert managing_directors_in_post(sub, AS_OF) == ()
    assert leader_in_post(sub, AS_OF) is caretaker_leader(sub, AS_OF) is appointment_made(sub, AS_OF) is None
    no_team = _sub({"drop": ["senior_team"]})
    assert leader_in_post(no_team, AS_OF) is None and appointment_made(no_team, AS_OF) is None


def test_an_undated_substantive_managing_director_counts_as_in_post() -> None:
    sub = _team(_md("Alex Morgan", "substantive"))
    assert leader_in_post(sub, AS_OF) is not None and appointment_made(sub, AS_OF) is None


# ------------------------------------------------------------------------------------------------ escalations


def test_escalated_domain_reads_only_escalation_items() -> None:
    def item(item_id: str, kind: str) -> PlanItem:
        return PlanItem.model_validate(
            {
                "item_id": item_id,
                "check_id": "",
                "kind": kind,
                "finding": "f",
                "action": "a",
                "owner": "o",
                "due": "2012-06-30",
                "evidence_required": "e",
                "severity": "critical",
            }
        )

    assert escalated_domain(item("ESCALATION-business@2", "escalation")) is Domain.BUSINESS
    assert escalated_domain(item("ESCALATION-nonsense@2", "escalation")) is None
    assert escalated_domain(item("CP2-LEA-01@2", "finding")) is None
    assert escalated_domain(item("ESCALATION-business@2", "finding")) is None


def test_the_engine_escalation_is_read_back_and_re_examined_at_checkpoint_3() -> None:
    """End to end with the shipped catalogue: a checkpoint 2 CSU with no leader fails leadership and gets a B
    with an escalation; checkpoint 3 resolves it only with the item reported met and a substantive MD in post."""
    catalogue = shipped_catalogue()
    ruleset, calendar = load_ruleset(catalogue), load_calendar()
    leaderless = _sub(
        {
            "plan": {"leadership": {"lead_name": None}},
            "update": [
                {
                    "table": "senior_team",
                    "where": {"role": "managing_director"},
                    "set": {"name": "", "status": "vacant"},
                }
            ],
        }
    )
    cp2 = assess(
        leaderless, catalogue=catalogue, ruleset=ruleset, calendar=calendar, as_of=AS_OF, assessor="T"
    )
    assert (cp2.outcome, cp2.escalation) == (Outcome.B, Domain.LEADERSHIP)
    (escalation,) = [i for i in cp2.development_plan if i.kind == "escalation"]
    assert escalated_domain(escalation) is Domain.LEADERSHIP
    assert escalation.severity is Severity.CRITICAL and escalation.binding

    def del_05(patch: dict[str, Any]) -> Status:
        sub = _sub(patch, checkpoint=3)
        record = assess(
            sub,
            catalogue=catalogue,
            ruleset=ruleset,
            calendar=calendar,
            as_of=dt.date(2012, 9, 1),
            assessor="T",
            prior_plan=cp2.development_plan,
        )
        assert record.checkpoint is Checkpoint.FULL_BUSINESS_PLAN
        return record.result("CP3-DEL-05").status

    reported = {"table": "development_plan", "where": {"milestone_id": "DP-01"}}
    met = {**reported, "set": {"milestone_id": escalation.item_id}}
    interim = {"table": "senior_team", "where": {"role": "managing_director"}, "set": {"status": "interim"}}
    assert del_05({"update": [met]}) is Status.PASS
    assert del_05({"update": [met, interim]}) is Status.FAIL
    assert del_05({}) is Status.FAIL  # not reported


@pytest.mark.parametrize(
    ("profile", "domain"), [("no_leader", Domain.LEADERSHIP), ("deficit", Domain.BUSINESS)]
)
def test_a_generated_csu_reports_its_escalation_met_with_the_remedy_in_place(
    profile: str, domain: Domain
) -> None:
    """The generator writes checkpoint 2's plan into checkpoint 3 as met; an escalated CSU must then also show its
    remedy (CP3-DEL-05), or every generated B-with-escalation would fail checkpoint 3 for the generator's sake."""
    catalogue = shipped_catalogue()
    rules = Rules.shipped(catalogue)
    raws = build_csu(CsuSpec("escalated", "Escalated CSU", (profile,), seed=3), rules)
    as_of = {cp: rules.calendar.deadline(Checkpoint(cp)) + dt.timedelta(days=1) for cp in raws}
    cp2 = assess(
        to_submission(raws[2]),
        catalogue=catalogue,
        ruleset=rules.ruleset,
        calendar=rules.calendar,
        as_of=as_of[2],
        assessor="T",
    )
    assert (cp2.outcome, cp2.escalation) == (Outcome.B, domain)
    cp3 = assess(
        to_submission(raws[3]),
        catalogue=catalogue,
        ruleset=rules.ruleset,
        calendar=rules.calendar,
        as_of=as_of[3],
        assessor="T",
        prior_plan=cp2.development_plan,
    )
    assert cp3.result("CP3-DEL-05").status is Status.PASS
    assert cp3.result("CP3-DEL-01").status is Status.PASS
