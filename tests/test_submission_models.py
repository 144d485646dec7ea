"""The submission contract itself: unknown fields refused, ranges, closed sets, exact money, cross-table rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from csu_assure.loading.problems import SubmissionInvalid
from csu_assure.submission import (
    BusinessPlan,
    CcgRow,
    FinanceRow,
    InterviewRow,
    MergerStatus,
    MilestoneRow,
    SeniorRow,
    ServiceFunction,
    ServiceRow,
    SlaRow,
    Submission,
    WorkforceRow,
    find_inconsistencies,
)
from csu_assure.synthetic import baseline, to_submission

CCG: dict[str, Any] = {
    "ccg_id": "08H",
    "ccg_name": "NHS Avon CCG",
    "population": 300_000,
    "rca_per_head": "25.00",
}


def _error_types(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(".".join(map(str, e["loc"])), e["type"]) for e in caught.value.errors()]


def _sub(checkpoint: int = 3) -> Submission:
    return to_submission(baseline(checkpoint=checkpoint))


# ------------------------------------------------------------------------------------------------ extra=forbid


def test_unknown_fields_are_refused_at_every_level() -> None:
    plan = baseline(checkpoint=1).plan
    assert _error_types(BusinessPlan, {**plan, "csu_nmae": "x"}) == [("csu_nmae", "extra_forbidden")]
    nested = {**plan, "leadership": {**plan["leadership"], "lead_nmae": "x"}}
    assert _error_types(BusinessPlan, nested) == [("leadership.lead_nmae", "extra_forbidden")]
    assert _error_types(CcgRow, {**CCG, "ccg_code": "x"}) == [("ccg_code", "extra_forbidden")]


def test_models_are_frozen() -> None:
    row = CcgRow.model_validate(CCG)
    with pytest.raises(ValidationError):
        row.population = 1  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------------ ranges


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("population", 9_999, "greater_than_equal"),
        ("population", 2_000_001, "less_than_equal"),
        ("rca_per_head", "-0.01", "greater_than_equal"),
        ("rca_per_head", "1000.01", "less_than_equal"),
        ("rca_per_head", "25.001", "decimal_max_places"),
        ("rca_per_head", "NaN", "finite_number"),
        ("rca_per_head", "£25", "decimal_parsing"),
        ("ccg_id", "08 H", "string_pattern_mismatch"),
        ("ccg_id", "../etc", "string_pattern_mismatch"),
        ("ccg_name", "   ", "string_too_short"),
        ("engagement_events", 1001, "less_than_equal"),
    ],
)
def test_ccg_row_ranges(field: str, value: object, error: str) -> None:
    assert _error_types(CcgRow, {**CCG, field: value}) == [(field, error)]


def test_scores_and_ratings_have_their_scales() -> None:
    interview = {"ccg_id": "08H", "interviewed": True}
    assert _error_types(InterviewRow, {**interview, "recommend": 6}) == [("recommend", "less_than_equal")]
    assert _error_types(InterviewRow, {**interview, "recommend": 0}) == [("recommend", "greater_than_equal")]
    assert InterviewRow.model_validate({**interview, "recommend": None}).recommend is None
    plan = baseline(checkpoint=2).plan
    bad = {**plan, "leadership": {**plan["leadership"], "leader_interview_rating": 5}}
    assert _error_types(BusinessPlan, bad) == [("leadership.leader_interview_rating", "less_than_equal")]


def test_dates_must_exist_and_be_plausible() -> None:
    senior = {"role": "managing_director", "status": "substantive"}
    assert _error_types(SeniorRow, {**senior, "appointed_on": "2012-02-30"})[0][0] == "appointed_on"
    assert _error_types(SeniorRow, {**senior, "appointed_on": "2099-01-01"}) == [
        ("appointed_on", "value_error")
    ]
    assert _error_types(SeniorRow, {**senior, "appointed_on": "1999-12-31"}) == [
        ("appointed_on", "value_error")
    ]
    assert SeniorRow.model_validate({**senior, "appointed_on": "2012-02-29"}).appointed_on == dt.date(
        2012, 2, 29
    )


def test_control_characters_in_text_are_refused() -> None:
    assert _error_types(CcgRow, {**CCG, "ccg_name": "NHS\x07Avon"}) == [("ccg_name", "value_error")]
    assert CcgRow.model_validate({**CCG, "ccg_name": "  NHS Avon  "}).ccg_name == "NHS Avon"


def test_milestone_check_id_must_look_like_a_check() -> None:
    milestone = {"milestone_id": "DP-01", "action": "a", "owner": "o", "due": "2012-06-30"}
    assert MilestoneRow.model_validate({**milestone, "check_id": "CP2-CUS-03"}).check_id == "CP2-CUS-03"
    assert _error_types(MilestoneRow, {**milestone, "check_id": "CP9-X"}) == [
        ("check_id", "string_pattern_mismatch")
    ]


# ------------------------------------------------------------------------------------------------------- enums


def test_closed_sets_accept_only_their_codes() -> None:
    assert (
        ServiceRow.model_validate({"function": "hr", "delivery_model": "shared"}).function
        is ServiceFunction.HR
    )
    assert _error_types(ServiceRow, {"function": "HR dept", "delivery_model": "shared"}) == [
        ("function", "enum")
    ]
    assert _error_types(ServiceRow, {"function": "hr", "delivery_model": "cloud"}) == [
        ("delivery_model", "enum")
    ]
    plan = baseline(checkpoint=1).plan
    assert _error_types(BusinessPlan, {**plan, "checkpoint": 4}) == [("checkpoint", "enum")]


# ------------------------------------------------------------------------------------------------- remedies


def test_merger_route_is_an_optional_object_with_a_closed_status() -> None:
    plan = baseline(checkpoint=2).plan
    assert BusinessPlan.model_validate(plan).merger_route is None  # every existing plan stays valid
    route = {"partner": "Arden CSS", "status": "agreed", "agreed_on": "2012-04-02"}
    parsed = BusinessPlan.model_validate({**plan, "merger_route_agreed": None, "merger_route": route})
    assert parsed.merger_route is not None and parsed.merger_route.status is MergerStatus.AGREED
    assert parsed.merger_route.agreed_on == dt.date(2012, 4, 2)
    undated = BusinessPlan.model_validate(
        {**plan, "merger_route_agreed": None, "merger_route": {**route, "agreed_on": None}}
    )
    assert undated.merger_route is not None and undated.merger_route.agreed_on is None
    bad = {**plan, "merger_route_agreed": None}
    assert _error_types(BusinessPlan, {**bad, "merger_route": {**route, "status": "signed"}}) == [
        ("merger_route.status", "enum")
    ]
    assert _error_types(BusinessPlan, {**bad, "merger_route": {"status": "agreed"}}) == [
        ("merger_route.partner", "missing")
    ]
    assert _error_types(BusinessPlan, {**bad, "merger_route": {**route, "parnter": "x"}}) == [
        ("merger_route.parnter", "extra_forbidden")
    ]
    with pytest.raises(ValidationError, match="agreed_on is given but status is proposed"):
        BusinessPlan.model_validate({**bad, "merger_route": {**route, "status": "proposed"}})


@pytest.mark.parametrize(
    ("legacy", "status", "ok"),
    [
        (True, "agreed", True),
        (True, "completed", True),
        (False, "proposed", True),
        (True, "proposed", False),
        (False, "agreed", False),
        (False, "completed", False),
    ],
)
def test_the_older_merger_flag_must_agree_with_the_route_when_both_are_given(
    legacy: bool, status: str, ok: bool
) -> None:
    plan = {**baseline(checkpoint=2).plan, "merger_route_agreed": legacy}
    data = {**plan, "merger_route": {"partner": "Arden CSS", "status": status}}
    if ok:
        assert BusinessPlan.model_validate(data).merger_route is not None
    else:
        with pytest.raises(ValidationError, match="give merger_route only"):
            BusinessPlan.model_validate(data)


def test_senior_team_status_knows_acting_and_workforce_may_state_pay_cost() -> None:
    acting = SeniorRow.model_validate({"role": "managing_director", "name": "Kim Doe", "status": "acting"})
    assert acting.status.value == "acting"
    assert _error_types(SeniorRow, {"role": "managing_director", "status": "caretaker"}) == [
        ("status", "enum")
    ]
    row = {"service_line": "hr", "baseline_wte": "10", "planned_wte": "8"}
    assert WorkforceRow.model_validate(row).pay_cost is None
    assert WorkforceRow.model_validate({**row, "pay_cost": "320000.00"}).pay_cost == Decimal("320000.00")
    assert _error_types(WorkforceRow, {**row, "pay_cost": "-1"}) == [("pay_cost", "greater_than_equal")]


# ------------------------------------------------------------------------------------------------------- money


def test_money_is_exact_decimal_never_float() -> None:
    row = FinanceRow.model_validate(
        {"year": 1, "service_line": "hr", "customer": "08H", "income": "0.10", "costs": "0.20"}
    )
    assert isinstance(row.income, Decimal)
    assert row.income + row.costs == Decimal("0.30")  # 0.1 + 0.2 in float is 0.30000000000000004
    assert _error_types(
        FinanceRow, {"year": 1, "service_line": "hr", "customer": "08H", "income": "1.005", "costs": "0"}
    ) == [("income", "decimal_max_places")]
    sla = SlaRow.model_validate({"ccg_id": "08H", "annual_value": "3300000"})
    assert sla.annual_value == Decimal("3300000")


def test_interview_shares_must_add_up_to_100_within_one_point() -> None:
    base = {"ccg_id": "08H", "interviewed": True, "pct_from_css": 70, "pct_in_house": 15, "pct_shared": 5}
    assert InterviewRow.model_validate({**base, "pct_other": "10.9"}).pct_other == Decimal("10.9")
    with pytest.raises(ValidationError, match="= 115, expected 100"):
        InterviewRow.model_validate({**base, "pct_other": 25})
    assert InterviewRow.model_validate({**base, "pct_other": None}).pct_other is None  # partial answers pass


# --------------------------------------------------------------------------------------------- cross-table rules


def test_the_baseline_is_consistent() -> None:
    assert find_inconsistencies(_sub(3)) == []


def test_duplicate_ccg_and_unknown_references_are_located() -> None:
    raw = baseline(checkpoint=3)
    raw.tables["ccgs"][1]["ccg_id"] = raw.tables["ccgs"][0]["ccg_id"]
    raw.tables["slas"][2]["ccg_id"] = "ZZ99"
    raw.tables["ccg_survey"][3]["ccg_id"] = raw.tables["ccg_survey"][4]["ccg_id"]
    raw.plan["ccg_leads_meeting"]["withdrawing_ccgs"] = ["QQ1"]
    with pytest.raises(SubmissionInvalid) as caught:
        to_submission(raw)
    found = {(p.file, p.where, p.message) for p in caught.value.problems}
    first = raw.tables["ccgs"][0]["ccg_id"]
    assert ("<generated>/ccgs.csv", "line 3", f"duplicate ccg_id {first!r} (first in row 1)") in found
    assert ("<generated>/slas.csv", "line 4", "ccg_id 'ZZ99' is not a CCG listed in ccgs") in found
    # The duplicate survey answer also names a CCG that now has no ccgs row of its own.
    assert any(f == "<generated>/ccg_survey.csv" and "duplicate ccg_id" in m for f, _, m in found)
    assert any("withdrawing_ccgs" in w and "'QQ1' is not a CCG listed in ccgs" in m for _, w, m in found)


def test_other_is_a_valid_customer_only_in_the_financial_plan() -> None:
    sub = _sub(2)
    assert any(r.customer == "OTHER" for r in sub.financial_plan or ())
    raw = baseline(checkpoint=3)
    raw.tables["slas"][0]["ccg_id"] = "OTHER"
    with pytest.raises(SubmissionInvalid, match="ccg_id 'OTHER' is not a CCG listed in ccgs"):
        to_submission(raw)


def test_duplicate_financial_plan_key_is_refused() -> None:
    raw = baseline(checkpoint=2)
    raw.tables["financial_plan"].append(dict(raw.tables["financial_plan"][0]))
    with pytest.raises(SubmissionInvalid, match="duplicate year/service_line/customer"):
        to_submission(raw)


def test_submission_needs_at_least_one_ccg() -> None:
    sub = _sub(1)
    with pytest.raises(ValidationError, match="at least 1 item"):
        Submission.model_validate({"plan": sub.plan, "ccgs": ()})


def test_the_model_validator_applies_the_cross_table_rules_too() -> None:
    sub = _sub(1)
    twice = (sub.ccgs[0], sub.ccgs[0])
    with pytest.raises(ValidationError, match="ccgs row 2: duplicate ccg_id"):
        Submission.model_validate({"plan": sub.plan, "ccgs": twice})
