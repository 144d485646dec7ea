"""The shared reading of remedies (`csu_assure.remedies`): merger routes, leaders in post and appointments made,
and a checkpoint 2 escalation item read back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from csu_assure.domain import Domain
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
