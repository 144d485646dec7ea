"""Margins and firmness (csu_assure/margins.py): distances from each line, zero exactly at a line; which lines a
move within the tolerance carries across a figure; and the hinges a decision hangs on, re-decided without
re-running anything and checked against re-assessing with the threshold really moved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.checking import at_least, at_most, measure
from csu_assure.domain import Checkpoint, Outcome, Severity, Status, Unit
from csu_assure.engine import Override, assess, moderate
from csu_assure.margins import borderline, crossable, firmness, implied, margins
from csu_assure.results import Assessment, Threshold
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import baseline, to_submission
from csu_assure.variants import ParamRef, with_params
from tests.checks.case_patching import case_submission

CATALOGUE = shipped_catalogue()
RULESET = load_ruleset(CATALOGUE)
CALENDAR = load_calendar()
PLAN_CHECK = CATALOGUE.development_plan_check


def _assess(checkpoint: int, patch: dict | None = None, ruleset=RULESET) -> Assessment:  # type: ignore[no-untyped-def,type-arg]
    sub = to_submission(
        case_submission(checkpoint, patch or {}) if patch else baseline(checkpoint=checkpoint)
    )
    as_of = CALENDAR.deadline(Checkpoint(checkpoint)) + dt.timedelta(days=1)
    return assess(sub, catalogue=CATALOGUE, ruleset=ruleset, calendar=CALENDAR, as_of=as_of, assessor="test")


def _line(met_when: str, at: float, whole: bool = False) -> Threshold:
    return Threshold(param="p", at=at, met_when=met_when, whole=whole)  # type: ignore[arg-type]


# -- margins ----------------------------------------------------------------------------------------------------


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(value=finite, at=finite, side=st.sampled_from(["at_least", "above", "at_most", "below"]))
def test_a_margin_is_zero_exactly_at_its_line(value: float, at: float, side: str) -> None:
    m = measure("figure", value, Unit.COUNT, Threshold(param="p", at=at, met_when=side))  # type: ignore[arg-type]
    record = _assess(2).model_copy(
        update={"results": (_assess(2).results[0].model_copy(update={"measures": (m,)}),)}
    )
    (margin,) = margins(record)
    assert (margin.distance == 0) == (value == at)
    assert margin.distance == value - at
    assert margin.share == (None if at == 0 else (value - at) / abs(at))
    assert margin.met == m.lines[0].met(value)


@given(population=st.integers(min_value=300_000, max_value=5_000_000), offset=st.integers(-3, 3))
def test_a_real_check_at_its_threshold_measures_zero(population: int, offset: int) -> None:
    """CP2-SCL-01 judged with its threshold set to the population served (± a few people): the margin is the
    difference, zero exactly at it, and the check passes at and above it, as it says."""
    sub = to_submission(baseline(checkpoint=2))
    served = sub.population
    rules = with_params(RULESET, CATALOGUE, {ParamRef("CP2-SCL-01", "min_population"): served + offset})
    record = assess(
        sub, catalogue=CATALOGUE, ruleset=rules, calendar=CALENDAR, as_of=dt.date(2012, 4, 1), assessor="t"
    )
    (margin,) = [m for m in margins(record) if m.check_id == "CP2-SCL-01"]
    assert margin.distance == -offset
    assert (margin.distance == 0) == (offset == 0)
    assert record.result("CP2-SCL-01").status is (Status.PASS if offset <= 0 else Status.FAIL)


def test_margins_of_a_record_made_before_measures_are_empty() -> None:
    record = _assess(2)
    old = record.model_copy(
        update={"results": tuple(r.model_copy(update={"measures": ()}) for r in record.results)}
    )
    assert margins(old) == ()
    assert len(margins(record)) > 10


# -- which lines a tolerance moves across a figure -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "line", "expected"),
    [
        (0.29, _line("at_least", 0.30), True),  # not met; a line at 28.5% would be
        (0.28, _line("at_least", 0.30), False),  # below the whole band
        (0.31, _line("at_least", 0.30), True),  # met; a line at 31.5% would not be
        (0.30, _line("at_least", 0.30), True),  # exactly at it: any higher line is not met
        (0.32, _line("at_least", 0.30), False),
        (0.49, _line("at_most", 0.50), True),
        (0.47, _line("at_most", 0.50), False),
        (3, _line("at_least", 3, whole=True), False),  # 5% of 3 is no whole number away
        (20, _line("at_least", 20, whole=True), True),  # 5% of 20 is one: a line at 21 fails 20
        (-0.01, _line("at_least", 0.0), False),  # a line at zero does not move
        (0.0, _line("below", 0.2), False),
        (0.199, _line("below", 0.2), True),
    ],
)
def test_crossable(value: float, line: Threshold, expected: bool) -> None:
    assert crossable(value, line, 0.05) is expected


@given(
    value=st.floats(-100, 100, allow_nan=False),
    at=st.floats(-100, 100, allow_nan=False),
    side=st.sampled_from(["at_least", "above", "at_most", "below"]),
    tolerance=st.floats(0, 0.5),
)
def test_crossable_means_some_line_in_the_band_judges_the_figure_otherwise(
    value: float, at: float, side: str, tolerance: float
) -> None:
    line = Threshold(param="p", at=at, met_when=side)  # type: ignore[arg-type]
    band = tolerance * abs(at)
    candidates = [at - band + i * band / 500 for i in range(1001)] + [value]
    other = [
        t
        for t in candidates
        if at - band <= t <= at + band
        and Threshold(param="p", at=t, met_when=side).met(value) != line.met(value)
    ]  # type: ignore[arg-type]
    if other:
        assert crossable(value, line, tolerance)
    if not crossable(value, line, tolerance):
        assert not other


def test_implied_reads_lines_as_the_checks_do() -> None:
    capture = measure(
        "capture",
        0.25,
        Unit.SHARE,
        at_least("pass_at", Decimal("0.30")),
        at_least("high_below", 0.2, grade=Severity.HIGH),
    )
    assert implied([capture], Severity.MEDIUM) == (False, Severity.MEDIUM)
    (pass_line, grade_line) = capture.lines
    assert implied([capture], Severity.MEDIUM, crossed=pass_line) == (True, None)
    assert implied([capture], Severity.MEDIUM, crossed=grade_line) == (False, Severity.HIGH)
    flag = measure("margin", 0.03, Unit.SHARE, at_least("flag", 0.05, weighs=Severity.LOW))
    deficit = measure("surplus", 10, Unit.POUNDS, at_most("x", 100))
    assert implied([deficit, flag], Severity.HIGH) == (False, Severity.LOW)


# -- firmness ----------------------------------------------------------------------------------------------------

# The baseline CSS's price of £11.00 a head takes 44% of its CCGs' £25 allowance. At £12.25 (49%) it stands
# within 5% of the 50% affordability line of CP2-BUS-04 (high): crossing it makes the business plan marginal.
NEAR_PRICE = {"plan": {"price_per_head": "12.25"}}


def test_a_decision_near_a_line_is_borderline_and_names_the_line() -> None:
    record = _assess(2, NEAR_PRICE)
    assert record.outcome is Outcome.A
    found = borderline(record, RULESET, development_plan_check=PLAN_CHECK)
    assert found is not None and record.firmness == found
    (hinge,) = [h for h in found.hinges if h.margin.check_id == "CP2-BUS-04"]
    assert hinge.margin.param == "max_share_of_rca" and hinge.margin.threshold == 0.5
    assert hinge.margin.value == pytest.approx(0.49)
    assert hinge.status is Status.PASS and hinge.status_if_crossed is Status.FAIL
    assert hinge.severity_if_crossed is Severity.HIGH and hinge.outcome_if_crossed is Outcome.B


def test_each_hinge_is_what_moving_its_threshold_really_does() -> None:
    """Re-assessed with the line moved by the tolerance (the engine, the checks, nothing inferred), the outcome
    is the hinge's."""
    record = _assess(2, NEAR_PRICE)
    assert record.firmness is not None and record.firmness.hinges
    for hinge in record.firmness.hinges:
        at = hinge.margin.threshold
        moved = at * (1 - 0.05) if hinge.margin.value < at else at * (1 + 0.05)
        ref = ParamRef(hinge.margin.check_id, str(hinge.margin.param))
        rules = with_params(RULESET, CATALOGUE, {ref: Decimal(str(round(moved, 6)))})
        assert _assess(2, NEAR_PRICE, rules).outcome is hinge.outcome_if_crossed


def test_a_firm_decision_has_no_hinge() -> None:
    record = _assess(2)
    assert record.firmness is not None and not record.firmness.borderline
    assert borderline(record, RULESET, development_plan_check=PLAN_CHECK) is None


def test_an_assessor_s_override_is_not_moved_by_a_line() -> None:
    draft = _assess(2, NEAR_PRICE)
    sub = to_submission(case_submission(2, NEAR_PRICE))
    moderated = moderate(
        draft,
        sub,
        assessor="A. Assessor",
        overrides=[Override(check_id="CP2-BUS-04", status=Status.PASS, reason="price agreed with the CCGs")],
        on=dt.date(2012, 4, 2),
        catalogue=CATALOGUE,
        ruleset=RULESET,
        calendar=CALENDAR,
    )
    assert moderated.firmness is not None
    assert all(h.margin.check_id != "CP2-BUS-04" for h in moderated.firmness.hinges)


def test_firmness_of_a_record_made_before_is_worked_out_and_the_tolerance_is_the_rule_set_s() -> None:
    record = _assess(2, NEAR_PRICE).model_copy(update={"firmness": None})
    found = firmness(record, RULESET, development_plan_check=PLAN_CHECK)
    assert found is not None and found.borderline and found.tolerance == 0.05
    strict = type(RULESET.robustness)(borderline_tolerance=0.01)
    from dataclasses import replace

    assert not firmness(
        record, replace(RULESET, robustness=strict), development_plan_check=PLAN_CHECK
    ).borderline  # type: ignore[union-attr]
