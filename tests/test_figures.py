"""The financial-plan aggregates of `figures` equal a plain row-by-row reading of the plan, Decimal for Decimal.

`PlanTotals` takes shortcuts for the usual plan (rows in the workbook's customer cycle, every row earning, one
efficiency rate everywhere, pydantic-built rows, one run of rows per year). The reference below is the obvious
loop over the rows, written as the figures were before those shortcuts; plans drawn at random, in the usual
layout and in every unusual one, must give the same values with the same exponents (a record stores the
Decimal's text, so `Decimal("10.5")` and `Decimal("10.50")` differ). The last tests pin how the figures are
kept on their submission (`Submission.derived`): per table, never across a patched copy, not serialised.
"""

from __future__ import annotations

import copy
import gc
import pickle
import random
import weakref
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csu_assure.figures import PlanTotals, key_figures, plan_totals, survey_scores
from csu_assure.submission import FinanceRow, ServiceFunction
from csu_assure.synthetic import baseline, to_submission

ZERO = Decimal(0)
CUSTOMERS = ("C01", "C02", "C03", "C04", "OTHER")
LINES = (ServiceFunction.FINANCE, ServiceFunction.HR, ServiceFunction.IT, ServiceFunction.CONTRACTING)
AMOUNTS = ("0", "0.00", "-0.00", "10", "10.5", "10.50", "1234.56", "99999999.99")
RATES = (None, "0", "0.00", "4", "4.5", "4.50", "3.25", "100")


def reference(rows: list[FinanceRow]) -> dict[int, dict[str, Any]]:
    """Every figure of every year, read row by row in the plan's order."""
    out: dict[int, dict[str, Any]] = {}
    for year in sorted({r.year for r in rows}):
        mine = [r for r in rows if r.year == year]
        by_customer: dict[str, Decimal] = {}
        net: dict[str, Decimal] = {}
        earning: dict[str, set[str]] = {}
        for r in mine:
            by_customer[r.customer] = by_customer.get(r.customer, ZERO) + r.income
            net[r.service_line.value] = net.get(r.service_line.value, ZERO) + (r.income - r.costs)
            if r.income:
                earning.setdefault(r.customer, set()).add(r.service_line.value)
        costs = sum((r.costs for r in mine), ZERO)
        saved = sum((r.costs * (r.efficiency_pct or ZERO) for r in mine), ZERO)
        out[year] = {
            "income_by_customer": list(by_customer.items()),
            "income": sum(by_customer.values(), ZERO),
            "costs": costs,
            "net_by_line": sorted(net.items()),
            "active_customers": {r.customer for r in mine if r.income or r.costs},
            "active_lines": {r.service_line.value for r in mine if r.income or r.costs},
            "earning_line_counts": {c: len(lines) for c, lines in earning.items()},
            "rows_without_efficiency": sum(1 for r in mine if r.efficiency_pct is None),
            "efficiency_mean": (saved / costs if costs else ZERO).quantize(Decimal("0.01")),
        }
    return out


def figures(rows: list[FinanceRow]) -> dict[int, dict[str, Any]]:
    totals = PlanTotals(tuple(rows))
    return {
        year: {
            "income_by_customer": list(y.income_by_customer.items()),
            "income": y.income,
            "costs": y.costs,
            "net_by_line": sorted(y.net_by_line.items()),
            "active_customers": set(y.active_customers),
            "active_lines": {str(line) for line in y.active_lines},
            "earning_line_counts": dict(y.earning_line_counts),
            "rows_without_efficiency": y.rows_without_efficiency,
            "efficiency_mean": y.efficiency_mean,
        }
        for year, y in totals.years.items()
    }


def exact(value: Any) -> Any:
    """Decimals compared by value and exponent (and sign of zero), everything else as it is."""
    if isinstance(value, Decimal):
        return (str(value), value.as_tuple())
    if isinstance(value, list):
        return [exact(v) for v in value]
    if isinstance(value, tuple):
        return tuple(exact(v) for v in value)
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    return value


@st.composite
def plans(draw: st.DrawFn) -> list[FinanceRow]:
    years = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4, unique=True))
    customers = draw(st.lists(st.sampled_from(CUSTOMERS), min_size=1, max_size=5, unique=True))
    lines = draw(st.lists(st.sampled_from(LINES), min_size=1, max_size=4, unique=True))
    one_rate = draw(st.sampled_from(RATES))
    uniform = draw(st.booleans())
    rows = []
    for year in sorted(years):
        for line in lines:  # the workbook's layout: each service line lists the customers in the same order
            for customer in customers:
                if draw(st.integers(0, 9)) == 0:
                    continue  # a gap: breaks the customer cycle
                rate = one_rate if uniform else draw(st.sampled_from(RATES))
                rows.append(
                    FinanceRow(
                        year=year,
                        service_line=line,
                        customer=customer,
                        income=Decimal(draw(st.sampled_from(AMOUNTS))),
                        costs=Decimal(draw(st.sampled_from(AMOUNTS))),
                        efficiency_pct=None if rate is None else Decimal(rate),
                    )
                )
    order = draw(st.sampled_from(["workbook", "shuffled", "years interleaved"]))
    if order == "shuffled":
        random.Random(draw(st.integers(0, 10**6))).shuffle(rows)
    elif order == "years interleaved" and len(years) > 1:
        rows = rows[1::2] + rows[::2]  # a year's rows in several runs
    return rows


@settings(max_examples=300, deadline=None)
@given(plans())
def test_plan_figures_match_a_row_by_row_reading(rows: list[FinanceRow]) -> None:
    if rows:
        assert exact(figures(rows)) == exact(reference(rows))


def test_the_usual_plan_takes_the_fast_paths_and_matches() -> None:
    rows = [
        FinanceRow(
            year=y,
            service_line=line,
            customer=c,
            income=Decimal("1000.50") + y,
            costs=Decimal("900.25"),
            efficiency_pct=Decimal("4.50"),
        )
        for y in (1, 2, 3, 4)
        for line in LINES
        for c in CUSTOMERS
    ]
    totals = PlanTotals(tuple(rows))
    assert all(y._period == len(CUSTOMERS) for y in totals.years.values())
    assert exact(figures(rows)) == exact(reference(rows))


def test_rows_not_built_by_pydantic_are_read_by_name() -> None:
    """pydantic keeps every row's fields in declaration order; a plan whose rows were put together some other
    way (here the first row's field dict reordered by hand) is read field by field, with the same figures."""
    rows = [
        FinanceRow(year=1, service_line=line, customer=c, income=Decimal("5.00"), costs=Decimal("1.00"))
        for line in LINES
        for c in CUSTOMERS
    ]
    object.__setattr__(rows[0], "__dict__", dict(reversed(list(rows[0].__dict__.items()))))
    assert exact(figures(rows)) == exact(reference(rows))


def test_pydantic_keeps_a_rows_fields_in_declaration_order() -> None:
    """What `PlanTotals` relies on to read rows by position, for every way a row is made or copied."""
    row = FinanceRow.model_validate(
        {
            "efficiency_pct": "4.5",
            "costs": "1",
            "income": "2",
            "customer": "C01",
            "service_line": "it",
            "year": 2,
        }
    )
    made = [
        row,
        FinanceRow.model_construct(
            costs=Decimal(1), year=1, customer="C01", income=Decimal(2), service_line="it"
        ),
        row.model_copy(),
        row.model_copy(update={"income": Decimal(3)}),
        copy.deepcopy(row),
        pickle.loads(pickle.dumps(row)),
    ]
    for r in made:
        assert tuple(r.__dict__) == tuple(FinanceRow.model_fields)


def test_an_empty_plan_has_no_years() -> None:
    totals = PlanTotals(())
    assert totals.years == {}
    assert totals.year_figures == ()
    assert not totals.any_efficiency


def test_a_patched_copy_gets_its_own_figures_not_its_originals() -> None:
    """Figures are kept on the submission with the table they came from, so `model_copy(update=...)` (how case
    patches and adjustments make variants) never reads the original's aggregates."""
    sub = to_submission(baseline(checkpoint=3))
    before = key_figures(sub)
    rows = sub.financial_plan or ()
    doubled = tuple(r.model_copy(update={"income": r.income * 2}) for r in rows)
    patched = sub.model_copy(update={"financial_plan": doubled})
    after = key_figures(patched)
    assert [y.income * 2 for y in before.years] == [y.income for y in after.years]
    assert key_figures(sub) == before


def test_figures_are_computed_once_per_submission_and_table() -> None:
    sub = to_submission(baseline(checkpoint=3))
    assert plan_totals(sub) is plan_totals(sub)
    assert survey_scores(sub) is survey_scores(sub)
    other_survey = sub.model_copy(update={"ccg_survey": (sub.ccg_survey or ())[:1]})
    assert plan_totals(other_survey) is plan_totals(sub)  # the same plan: its figures are shared
    assert survey_scores(other_survey) != survey_scores(sub)


def test_copies_made_before_any_figure_compute_their_own() -> None:
    """What the engine benchmark relies on: each run assesses fresh copies of the same pool, and no copy may
    profit from figures computed on another."""
    sub = to_submission(baseline(checkpoint=3))
    first, second = sub.model_copy(), sub.model_copy()
    assert plan_totals(first) is not plan_totals(second)


def test_kept_figures_change_neither_equality_nor_what_is_serialised() -> None:
    sub, fresh = to_submission(baseline(checkpoint=3)), to_submission(baseline(checkpoint=3))
    kept = plan_totals(sub), survey_scores(sub)
    assert sub == fresh and hash(sub) == hash(fresh)
    assert sub.model_dump_json() == fresh.model_dump_json()
    for restored in (pickle.loads(pickle.dumps(sub)), copy.deepcopy(sub)):
        assert restored == sub
        assert plan_totals(restored) is not kept[0]  # not shipped: computed again from the restored rows
        assert key_figures(restored) == key_figures(sub)
    assert len(pickle.dumps(sub)) - len(pickle.dumps(fresh)) < 100


def test_kept_figures_are_freed_with_their_submission() -> None:
    """Nothing computed refers back to the submission: it is freed as soon as the last reference goes, without
    waiting for the cyclic garbage collector."""
    sub = to_submission(baseline(checkpoint=3))
    plan_totals(sub), survey_scores(sub), key_figures(sub)
    gone = weakref.ref(sub)
    gc.disable()
    try:
        del sub
        assert gone() is None
    finally:
        gc.enable()
