"""The plan's cost per planned member of staff is outside what real CSSs spent, so costs and workforce disagree."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_least,
    at_most,
    check,
    gbp,
    judge,
    measure,
    not_evidenced,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.figures import plan_totals
from csu_assure.results import Judgement
from csu_assure.submission import Submission

_ZERO = Decimal(0)
_PENNY = Decimal("0.01")


def _pounds(amount: Decimal) -> str:
    """Whole pounds: a cost per WTE or a band edge reads better without pence."""
    return f"£{amount:,.0f}"


class Params(CheckParams):
    min_cost_per_wte: Decimal = Field(
        ge=0,
        description="Lowest plausible year-1 total cost per planned WTE (£), when pay cost is not given.",
    )
    max_cost_per_wte: Decimal = Field(
        ge=0,
        description="Highest plausible year-1 total cost per planned WTE (£), when pay cost is not given.",
    )
    min_pay_per_wte: Decimal = Field(
        ge=0,
        description="Lowest plausible year-1 pay cost per planned WTE (£), when every line gives pay_cost.",
    )
    max_pay_per_wte: Decimal = Field(
        ge=0,
        description="Highest plausible year-1 pay cost per planned WTE (£), when every line gives pay_cost.",
    )


@check(
    id="CP2-BUS-08",
    name="Staff cost per WTE outside the range real CSSs had",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Reconcile the financial plan with the workforce plan: correct the planned WTE or the cost base so "
    "that year-1 cost per planned WTE is explained.",
    evidence_required="A workforce plan and financial plan that agree, with pay cost by service line.",
)
def staff_cost_per_wte(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Year-1 (2013/14) cost per planned whole-time equivalent (the sum of `planned_wte` in `workforce.csv`).
    When every workforce row gives `pay_cost`, the year-1 pay cost per planned WTE is judged against
    `min_pay_per_wte`–`max_pay_per_wte` (£14,000–£90,000); otherwise year-1 total costs from the financial plan
    per planned WTE are judged against `min_cost_per_wte`–`max_cost_per_wte` (£22,500–£90,000). Outside the
    band fails.

    Bands. Total cost per WTE: the sector's CSSs had revenues of £4.5m–£90m and 200–1,000 staff, and ran close
    to break-even (a 5.6% surplus), so revenue per member of staff stands for cost per member of staff; pairing
    the smallest revenue with the smallest staff gives £22,500 (£4.5m ÷ 200) and the largest with the largest
    £90,000 (£90m ÷ 1,000), with Arden's £11m for 200 staff (£55,000) inside. Pay cost per WTE: pay is part of
    total cost, so the same £90,000 bounds it from above; from below, no workforce can average less than the
    bottom of the NHS Agenda for Change pay spine (about £14,000 a year for a whole-time post in 2012/13).

    ## Why it matters
    The financial plan and the workforce plan describe the same business. A cost per WTE below anything a CSS
    spent means the costs leave staff out or the WTE are overstated; above it, the WTE are understated or the
    costs carry something the workforce plan does not explain. Either way the plan the BDU is asked to judge
    viable is not one plan, and CP2-BUS-03 (workforce redesign) and CP3-DEL-02 (staff transfer) read these WTE.

    ## Severity
    Medium: a cost per WTE out of range shows the plans disagree, a binding development-plan item to reconcile
    before checkpoint 3, but not by itself a threat to viability: the money is judged by CP2-BUS-01 (year-1
    deficit) and CP2-BUS-07 (price against cost), the workforce by CP2-BUS-03.

    ## Evidence used
    `workforce.csv`: `service_line`, `planned_wte`, `pay_cost`; `financial_plan.csv`: `year`, `costs`.
    Evidence rows give each service line's planned WTE, and its pay cost and pay per WTE when given.

    ## Source
    [D] BRIEF.md reference figures (CSS revenues £4.5m–£90m, 200–1,000 staff; sector surplus 5.6%) and seed
    `000` (Arden: ~£11m, 200 staff) for the total-cost band; pairing smallest with smallest and largest with
    largest [A]. The pay floor [A, outside the sources]: the first point of the Agenda for Change pay spine,
    about £14,000 a year in 2011/12–2012/13 (rounded; check against the NHS Employers pay circulars).
    """
    workforce = sub.workforce
    if not workforce:
        return not_evidenced("the workforce plan (workforce.csv, planned_wte)")
    wte = sum((r.planned_wte for r in workforce), _ZERO)
    if not wte:
        return not_evidenced("planned WTE (workforce.csv planned_wte is zero throughout)")
    pays = [r.pay_cost for r in workforce]
    by_pay = all(pay is not None for pay in pays)
    if by_pay:
        cost = sum((pay for pay in pays if pay is not None), _ZERO)
        low, high, what = p.min_pay_per_wte, p.max_pay_per_wte, "pay cost"
        names = ("min_pay_per_wte", "max_pay_per_wte")
    else:
        year1 = plan_totals(sub).year(1)
        if year1 is None:
            return not_evidenced("year-1 costs (financial_plan.csv)")
        cost = year1.costs
        low, high, what = p.min_cost_per_wte, p.max_cost_per_wte, "total costs"
        names = ("min_cost_per_wte", "max_cost_per_wte")
    per_wte = cost / wte
    passed = low <= per_wte <= high
    given = sum(pay is not None for pay in pays)
    note = (
        f" (pay cost given for {given} of {len(workforce)} service lines, so judged on total costs)"
        if given and not by_pay
        else ""
    )
    where = "within" if passed else ("below" if per_wte < low else "above")
    return judge(
        passed=passed,
        measures=[
            measure(
                f"year-1 {what} per planned WTE",
                per_wte,
                Unit.POUNDS_PER_WTE,
                at_least(names[0], low),
                at_most(names[1], high),
            )
        ],
        actual=f"{gbp(per_wte.quantize(_PENNY))} per WTE",
        expected=f"year-1 {what} per planned WTE {_pounds(low)}–{_pounds(high)}",
        finding=f"Year-1 {what} of {gbp(cost)} over {wte:,} planned WTE is {gbp(per_wte.quantize(_PENNY))} per WTE, "
        f"{where} the {_pounds(low)}–{_pounds(high)} plausible for a CSS{note}.",
        evidence=[]
        if passed
        else [
            row(
                service_line=r.service_line.value,
                planned_wte=r.planned_wte,
                pay_cost=gbp(r.pay_cost) if r.pay_cost is not None else None,
                pay_per_wte=_pounds(r.pay_cost / r.planned_wte)
                if r.pay_cost is not None and r.planned_wte
                else None,
            )
            for r in workforce
        ],
    )
