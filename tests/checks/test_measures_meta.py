"""Meta-tests that keep the checks' measures honest: every numeric threshold is declared as a line of a measured
figure (or exempted here with the reason), and on every case the lines say what the check itself concluded, so
margins, firmness and what-ifs read the same judgement the engine records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from checks import catalogue as shipped_catalogue
from csu_assure.calendar import load_calendar
from csu_assure.checking import Check
from csu_assure.domain import Status
from csu_assure.engine import make_context, run_check
from csu_assure.margins import implied
from csu_assure.results import Judgement
from csu_assure.ruleset import load_ruleset
from csu_assure.synthetic import to_submission
from csu_assure.variants import numeric_kind
from tests.checks.case_patching import case_submission
from tests.checks.test_check_cases import _prior_plan, load_cases

CATALOGUE = shipped_catalogue()
RULESET = load_ruleset(CATALOGUE)
CALENDAR = load_calendar()

# Numeric parameters that are not a line a measured figure is judged against, and why.
NOT_A_LINE: dict[str, str] = {
    "CP1-SCL-02.min_clusters": "either of two lines passes (clusters or population): neither alone decides it",
    "CP1-SCL-02.or_population": "either of two lines passes (clusters or population): neither alone decides it",
    "CP2-CUS-03.min_share_from_css": "which CCGs count as committed: it changes the figure, not its line",
    "CP2-BUS-02.min_rationale_words": "a rationale passes whatever the income line says: not an AND-ed line",
    "CP2-BUS-04.min_price": "context for the finding and the charts, not judged",
    "CP2-BUS-04.max_price": "context for the finding and the charts, not judged",
    "CP2-BUS-07.buyer_min_share": "which CCGs count as served: it changes the figure, not its line",
    "CP2-SCL-01.buyer_min_share": "which CCGs count as served: it changes the figure, not its line",
    "CP3-CUS-02.max_notice_months": "each SLA is judged on three terms, one yes or no: no single line decides it",
    "CP3-CUS-02.min_outcome_kpis_per_service_line": "scaled by the lines each CCG buys: a line per SLA, not one",
    "CP3-FIN-01.years": "how many years the model must cover: what is counted, not a line",
}


def _judge(check_id: str, case: dict[str, Any]) -> Judgement:
    item = CATALOGUE[check_id]
    checkpoint = case.get("checkpoint", int(item.checkpoint))
    sub = to_submission(case_submission(checkpoint, case.get("patch", {})))
    deadline = CALENDAR.deadline(item.checkpoint)
    as_of = case.get("as_of", deadline + dt.timedelta(days=1))
    ctx = make_context(CALENDAR, item.checkpoint, as_of, _prior_plan(case.get("prior_plan", []), deadline))
    judgement, error = run_check(item, sub, RULESET, ctx)
    assert judgement is not None, error
    return judgement


CASES = load_cases()
JUDGED = {(check_id, case["name"]): _judge(check_id, case) for check_id, case in CASES}


@pytest.mark.parametrize(("check_id", "case"), CASES, ids=lambda v: v if isinstance(v, str) else v["name"])
def test_the_lines_say_what_the_check_concluded(check_id: str, case: dict[str, Any]) -> None:
    judgement = JUDGED[(check_id, case["name"])]
    if not judgement.measures:
        return
    assert judgement.status in (Status.PASS, Status.FAIL), f"{check_id}: measures on a {judgement.status}"
    default = RULESET.severity[check_id]
    passed, weight = implied(judgement.measures, default)
    assert passed == (judgement.status is Status.PASS), (
        f"{check_id}: the lines say {'pass' if passed else 'fail'}, the check {judgement.status}: "
        f"{judgement.measures}"
    )
    if not passed:
        assert weight is (judgement.severity or default), (
            f"{check_id}: the lines weigh the failure {weight}, the check {judgement.severity or default}"
        )


def _params(item: Check[Any]) -> dict[str, Any]:
    return RULESET.params[item.id].model_dump()


@pytest.mark.parametrize("item", sorted(CATALOGUE, key=lambda c: c.id), ids=lambda c: c.id)
def test_each_line_is_the_parameter_it_names(item: Check[Any]) -> None:
    """A line naming a parameter lies where the rule set puts it (or at its negative: a deficit's share)."""
    values = _params(item)
    for (check_id, _), judgement in JUDGED.items():
        if check_id != item.id:
            continue
        for m in judgement.measures:
            for line in m.lines:
                if line.param is None:
                    continue
                assert line.param in values, (
                    f"{item.id}: line names {line.param!r}, not one of its parameters"
                )
                value = float(values[line.param])
                assert line.at in (value, -value), (
                    f"{item.id}.{line.param}: line at {line.at}, parameter {value}"
                )
                assert line.whole == (numeric_kind(item.params.model_fields[line.param].annotation) is int)


@pytest.mark.parametrize("item", sorted(CATALOGUE, key=lambda c: c.id), ids=lambda c: c.id)
def test_every_numeric_threshold_is_a_declared_line(item: Check[Any]) -> None:
    """Every check parameter holding a number is the line of a measured figure in some case, or listed in
    NOT_A_LINE with the reason: a new numeric threshold cannot be added without its margin."""
    declared = {
        line.param
        for (check_id, _), judgement in JUDGED.items()
        if check_id == item.id
        for m in judgement.measures
        for line in m.lines
    }
    for name, field in item.params.model_fields.items():
        ref = f"{item.id}.{name}"
        if numeric_kind(field.annotation) is None:
            continue
        if ref in NOT_A_LINE:
            assert name not in declared, f"{ref} is declared as a line: drop it from NOT_A_LINE"
            continue
        assert name in declared, (
            f"{ref}: a numeric threshold no case measures (declare its line, or exempt it)"
        )


def test_exemptions_name_real_parameters() -> None:
    for ref in NOT_A_LINE:
        check_id, name = ref.split(".")
        assert name in CATALOGUE[check_id].params.model_fields, ref


def test_a_case_at_a_line_measures_zero_distance() -> None:
    """The lines hold the rule set's values exactly: a figure a check computes equal to a threshold is at it."""
    found = [
        (m, line)
        for judgement in JUDGED.values()
        for m in judgement.measures
        for line in m.lines
        if line.param is not None and Decimal(str(m.value)) == Decimal(str(line.at))
    ]
    assert all(m.value - line.at == 0 for m, line in found)
