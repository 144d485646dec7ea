"""Implausible data: each plausible range of the shipped rule set at its boundaries, placeholders, the location an
issue gives, and what setting aside leaves of a submission.

Boundaries are read from the shipped rule set, so the tests follow its values: the bound itself is plausible,
one penny (or one hundredth of a WTE) beyond it is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from checks import catalogue as shipped_catalogue
from csu_assure.domain import Status
from csu_assure.plausibility import find_implausible, not_judged, parts_set_aside, set_aside
from csu_assure.results import DataIssue, row_ranges
from csu_assure.ruleset import PlausibilityRules, load_ruleset
from csu_assure.submission import FinanceRow, Submission
from csu_assure.synthetic import baseline, to_submission

LIMITS: PlausibilityRules = load_ruleset(shipped_catalogue()).plausibility
STEP = Decimal("0.01")
D = Decimal


@pytest.fixture(scope="module")
def cp2() -> Submission:
    return to_submission(baseline(checkpoint=2))


@pytest.fixture(scope="module")
def cp3() -> Submission:
    return to_submission(baseline(checkpoint=3))


def with_plan(sub: Submission, **fields: Any) -> Submission:
    return sub.model_copy(update={"plan": sub.plan.model_copy(update=fields)})


def with_rows(sub: Submission, table: str, changes: dict[int, dict[str, Any]]) -> Submission:
    """`sub` with rows of `table` changed: {data row (from 1): {field: value}}."""
    rows = list(getattr(sub, table))
    for number, fields in changes.items():
        rows[number - 1] = rows[number - 1].model_copy(update=fields)
    return sub.model_copy(update={table: tuple(rows)})


def with_year(
    sub: Submission, incomes: Sequence[Decimal], costs: Sequence[Decimal], year: int = 1
) -> Submission:
    """`sub` whose plan year `year` holds exactly `incomes` and `costs` on its first rows, and 0 on the rest."""
    rows: list[FinanceRow] = []
    k = 0
    for r in sub.financial_plan or ():
        if r.year == year:
            income = incomes[k] if k < len(incomes) else D(0)
            cost = costs[k] if k < len(costs) else D(0)
            r = r.model_copy(update={"income": income, "costs": cost})
            k += 1
        rows.append(r)
    return sub.model_copy(update={"financial_plan": tuple(rows)})


def year_rows(sub: Submission, year: int = 1) -> tuple[int, ...]:
    return tuple(i for i, r in enumerate(sub.financial_plan or (), start=1) if r.year == year)


def only(issues: tuple[DataIssue, ...]) -> DataIssue:
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


# ------------------------------------------------------------------------------------- real submissions


@pytest.mark.parametrize("checkpoint", [1, 2, 3])
def test_a_typical_submission_has_no_implausible_figure(checkpoint: int) -> None:
    assert find_implausible(to_submission(baseline(checkpoint=checkpoint)), LIMITS) == ()


@pytest.mark.parametrize("seed", range(5))
def test_real_looking_footprints_of_every_size_are_plausible(seed: int) -> None:
    # From 3 CCGs of 100k people at a budget price to 24 CCGs of 600k at the dearest one.
    small = baseline(csu_id="small", checkpoint=3, seed=seed, n_ccgs=3, population_per_ccg=100_000)
    large = baseline(
        csu_id="large",
        checkpoint=3,
        seed=seed,
        n_ccgs=24,
        population_per_ccg=600_000,
        price_per_head=D("14.00"),
    )
    assert find_implausible(to_submission(small), LIMITS) == ()
    assert find_implausible(to_submission(large), LIMITS) == ()


# -------------------------------------------------------------------------------------- business plan


@pytest.mark.parametrize(
    "name", ["price_per_head", "baseline_running_cost_per_head", "hosting_charge_per_head"]
)
def test_a_business_plan_figure_is_plausible_up_to_its_bounds_and_not_beyond(
    cp3: Submission, name: str
) -> None:
    bounds = getattr(LIMITS.business_plan, name)
    assert find_implausible(with_plan(cp3, **{name: bounds.min}), LIMITS) == ()
    assert find_implausible(with_plan(cp3, **{name: bounds.max}), LIMITS) == ()

    beyond = bounds.max + STEP
    issue = only(find_implausible(with_plan(cp3, **{name: beyond}), LIMITS))
    assert (issue.file, issue.field, issue.rows, issue.values) == (
        "business_plan.yaml",
        name,
        (),
        (f"£{beyond}",),
    )
    assert issue.set_aside and f"£{bounds.max}" in issue.expected
    if bounds.min:
        below = only(find_implausible(with_plan(cp3, **{name: bounds.min - STEP}), LIMITS))
        assert below.field == name and below.values == (f"£{bounds.min - STEP}",)


def test_the_briefs_examples_of_an_implausible_price_are_caught(cp2: Submission) -> None:
    for price in (D("0.01"), D("900.00")):
        assert only(find_implausible(with_plan(cp2, price_per_head=price), LIMITS)).field == "price_per_head"


def test_a_business_plan_figure_not_given_is_not_an_issue(cp2: Submission) -> None:
    assert find_implausible(with_plan(cp2, price_per_head=None, hosting_charge_per_head=None), LIMITS) == ()


# --------------------------------------------------------------------------------------------- CCGs


def test_an_implausible_rca_is_reported_with_its_rows_but_not_set_aside(cp2: Submission) -> None:
    bounds = LIMITS.ccgs.rca_per_head
    assert find_implausible(with_rows(cp2, "ccgs", {1: {"rca_per_head": bounds.min}}), LIMITS) == ()
    assert find_implausible(with_rows(cp2, "ccgs", {1: {"rca_per_head": bounds.max}}), LIMITS) == ()

    sub = with_rows(
        cp2, "ccgs", {2: {"rca_per_head": bounds.max + STEP}, 4: {"rca_per_head": bounds.min - STEP}}
    )
    issue = only(find_implausible(sub, LIMITS))
    assert (issue.file, issue.field, issue.rows) == ("ccgs.csv", "rca_per_head", (2, 4))
    assert issue.values == (f"£{bounds.max + STEP}", f"£{bounds.min - STEP}")
    assert not issue.set_aside  # required data: judged as given
    assert parts_set_aside((issue,)) == ()


# ------------------------------------------------------------------------------------- financial plan


@pytest.mark.parametrize("column", ["income", "costs"])
def test_a_plan_row_is_plausible_up_to_its_bound_and_not_beyond(cp3: Submission, column: str) -> None:
    bounds = getattr(LIMITS.financial_plan, f"row_{column}")
    row = year_rows(cp3, 2)[3]
    assert find_implausible(with_rows(cp3, "financial_plan", {row: {column: bounds.max}}), LIMITS) == ()

    issue = only(
        find_implausible(with_rows(cp3, "financial_plan", {row: {column: bounds.max + STEP}}), LIMITS)
    )
    assert (issue.file, issue.field, issue.rows) == ("financial_plan.csv", column, (row,))
    assert issue.values == (f"£{bounds.max + STEP:,}",) and issue.problem == "outside the plausible range"


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("999999.00", True),  # the shortest run of 9s the rule set takes as a fill value
        ("999999.99", True),
        ("9999999", True),
        ("99999999.00", True),
        ("1234567.89", True),  # one of the rule set's other fill values
        ("999998.00", False),
        ("99999.99", False),  # five 9s: a small line can honestly be priced just under £100k
        ("1999999.99", False),
        ("9999999.90", False),
    ],
)
def test_placeholders_in_the_plan_are_runs_of_nines_and_fill_values(
    cp3: Submission, value: str, placeholder: bool
) -> None:
    rows = year_rows(cp3, 3)[:2]
    sub = with_rows(cp3, "financial_plan", {rows[0]: {"costs": D(value)}, rows[1]: {"costs": D(value)}})
    issues = find_implausible(sub, LIMITS)
    if not placeholder:
        assert issues == ()
        return
    issue = only(issues)
    assert (issue.field, issue.rows, issue.problem) == ("costs", rows, "a placeholder, not a figure")
    assert issue.values == (f"£{D(value):,.2f}",)


def test_a_placeholder_in_every_row_of_a_year_is_one_issue_naming_every_row(cp2: Submission) -> None:
    rows = year_rows(cp2, 1)
    sub = with_rows(cp2, "financial_plan", {r: {"costs": D("99999999.00")} for r in rows})
    issue = only(
        find_implausible(sub, LIMITS)
    )  # not also the year's absurd total and ratio: the rows are the issue
    assert (issue.file, issue.field, issue.rows) == ("financial_plan.csv", "costs", rows)
    assert issue.values == ("£99,999,999.00",)
    assert str(issue).startswith(
        f"financial_plan.csv rows {row_ranges(rows)}, costs: £99,999,999.00 is a placeholder"
    )


@pytest.mark.parametrize("column", ["income", "costs"])
def test_a_years_total_is_plausible_within_its_range_and_not_beyond(cp3: Submission, column: str) -> None:
    bounds = getattr(LIMITS.financial_plan, f"year_{column}")
    row_max = getattr(LIMITS.financial_plan, f"row_{column}").max

    def year(values: list[Decimal], other: Decimal) -> Submission:
        # `other` fills the other column, keeping the ratio of costs to income plausible.
        return with_year(cp3, values, [other]) if column == "income" else with_year(cp3, [other], values)

    # The largest plausible year, spread over rows each within a row's bound.
    top = [row_max] * 4 + [D("50000000.00"), bounds.max - 4 * row_max - D("50000000.00")]
    assert find_implausible(year(top, D("100000000.00")), LIMITS) == ()
    above = only(find_implausible(year([*top[:-1], top[-1] + STEP], D("100000000.00")), LIMITS))
    assert (above.field, above.scope, above.values) == (column, "year 1 total", (f"£{bounds.max + STEP:,}",))
    assert above.rows == year_rows(cp3, 1)

    assert find_implausible(year([bounds.min], D("100000.00")), LIMITS) == ()
    below = only(find_implausible(year([bounds.min - STEP], D("100000.00")), LIMITS))
    assert (below.field, below.scope, below.values) == (column, "year 1 total", (f"£{bounds.min - STEP:,}",))


def test_an_unfilled_year_is_left_to_the_checks(cp3: Submission) -> None:
    # No income at all in year 4: an incomplete model (CP3-FIN-01), not an implausible figure.
    assert find_implausible(with_year(cp3, [], [D("5000000.00")], year=4), LIMITS) == ()


def test_costs_are_plausible_from_a_tenth_to_ten_times_income(cp3: Submission) -> None:
    ratio = LIMITS.financial_plan.costs_to_income
    income = D("20000000.00")
    most = [income * ratio.max / 2] * 2  # two rows, each within a row's bound
    assert find_implausible(with_year(cp3, [income], most), LIMITS) == ()
    assert find_implausible(with_year(cp3, [income], [income * ratio.min]), LIMITS) == ()

    over = only(find_implausible(with_year(cp3, [income], [*most, STEP]), LIMITS))
    assert (over.field, over.scope, over.rows) == ("costs ÷ income", "year 1", year_rows(cp3, 1))
    assert over.expected == "0.10 to 10.0"
    under = only(find_implausible(with_year(cp3, [income], [income * ratio.min - STEP]), LIMITS))
    assert (under.field, under.scope) == ("costs ÷ income", "year 1")


def test_costs_hundreds_of_times_income_are_implausible(cp2: Submission) -> None:
    issue = only(find_implausible(with_year(cp2, [D("100000.00")], [D("50000000.00")] * 1), LIMITS))
    assert (issue.field, issue.values) == ("costs ÷ income", ("500.0",))


# ------------------------------------------------------------------------------------------ workforce


@pytest.mark.parametrize("column", ["baseline_wte", "planned_wte", "transfer_wte"])
def test_a_service_lines_wte_is_plausible_up_to_its_bound(cp3: Submission, column: str) -> None:
    bound = LIMITS.workforce.line_wte.max
    assert find_implausible(with_rows(cp3, "workforce", {3: {column: bound}}), LIMITS) == ()

    issue = only(find_implausible(with_rows(cp3, "workforce", {3: {column: bound + STEP}}), LIMITS))
    assert (issue.file, issue.field, issue.rows, issue.values) == (
        "workforce.csv",
        column,
        (3,),
        ("2,000.01",),
    )


def test_total_wte_is_plausible_up_to_its_bound(cp3: Submission) -> None:
    line, total = LIMITS.workforce.line_wte.max, LIMITS.workforce.total_wte.max
    lines = len(cp3.workforce or ())
    spread = {n: {"planned_wte": D(0)} for n in range(1, lines + 1)}
    spread.update({1: {"planned_wte": line}, 2: {"planned_wte": line}, 3: {"planned_wte": total - 2 * line}})
    assert find_implausible(with_rows(cp3, "workforce", spread), LIMITS) == ()

    spread[3] = {"planned_wte": total - 2 * line + STEP}
    issue = only(find_implausible(with_rows(cp3, "workforce", spread), LIMITS))
    assert (issue.field, issue.scope, issue.values) == ("planned_wte", "total", ("5,000.01",))
    assert issue.rows == tuple(range(1, lines + 1))


# ----------------------------------------------------------------------------------------------- SLAs


def test_an_sla_value_is_plausible_up_to_its_bound_and_not_a_placeholder(cp3: Submission) -> None:
    bound = LIMITS.slas.annual_value.max
    assert find_implausible(with_rows(cp3, "slas", {2: {"annual_value": bound}}), LIMITS) == ()

    above = only(find_implausible(with_rows(cp3, "slas", {2: {"annual_value": bound + STEP}}), LIMITS))
    assert (above.file, above.field, above.rows) == ("slas.csv", "annual_value", (2,))
    fill = only(find_implausible(with_rows(cp3, "slas", {5: {"annual_value": D("9999999.00")}}), LIMITS))
    assert (fill.rows, fill.problem) == ((5,), "a placeholder, not a figure")


# ------------------------------------------------------------------------------------------ setting aside


def test_setting_aside_drops_each_implausible_part_and_leaves_the_rest(cp2: Submission) -> None:
    rows = year_rows(cp2, 1)
    sub = with_rows(
        with_plan(cp2, price_per_head=D("900.00")), "financial_plan", {rows[0]: {"costs": D("9999999")}}
    )
    sub = with_rows(sub, "ccgs", {1: {"rca_per_head": D("250.00")}})
    issues = find_implausible(sub, LIMITS)
    parts = parts_set_aside(issues)
    assert parts == ("business_plan.yaml:price_per_head", "financial_plan.csv")

    judged = set_aside(sub, parts)
    assert judged.plan.price_per_head is None and judged.financial_plan is None
    assert judged.ccgs == sub.ccgs  # required: never set aside
    assert judged.plan.hosting_charge_per_head == sub.plan.hosting_charge_per_head
    assert (judged.workforce, judged.ccg_interviews) == (sub.workforce, sub.ccg_interviews)
    assert sub.plan.price_per_head == D("900.00") and sub.financial_plan is not None  # `sub` is untouched


def test_a_check_that_needed_figures_set_aside_is_not_evidenced_naming_them(cp2: Submission) -> None:
    rows = year_rows(cp2, 1)
    sub = with_rows(cp2, "financial_plan", {r: {"costs": D("99999999.00")} for r in rows})
    judgement = not_judged(find_implausible(sub, LIMITS), expected="year-1 surplus ≥ 0% of income")
    assert judgement.status is Status.NOT_EVIDENCED and judgement.expected == "year-1 surplus ≥ 0% of income"
    assert (
        f"set aside as implausible (financial_plan.csv costs, rows {row_ranges(rows)})" in judgement.finding
    )
    assert judgement.evidence == (
        {
            "file": "financial_plan.csv",
            "rows": row_ranges(rows),
            "field": "costs",
            "value": "£99,999,999.00",
            "expected": "a worked-out amount, not a run of 9s (£999,999.00 and up) or another fill value",
        },
    )


def test_row_ranges_read_as_runs() -> None:
    assert row_ranges((1, 2, 3, 7, 9, 10)) == "1–3, 7, 9–10"
    assert row_ranges((5,), offset=1) == "6"
    assert row_ranges(()) == ""
