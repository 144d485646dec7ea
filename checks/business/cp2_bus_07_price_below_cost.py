"""The indicative price per head does not cover what the CSS's own plan costs per head of the population it serves."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_least,
    check,
    fmt,
    gbp,
    judge,
    measure,
    not_applicable,
    not_evidenced,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.figures import non_buyers, plan_totals
from csu_assure.results import Judgement
from csu_assure.submission import OTHER_CUSTOMER, Submission

_PENNY = Decimal("0.01")


class Params(CheckParams):
    buyer_min_share: int = Field(
        ge=0,
        le=100,
        description="A CCG interviewed as taking less than this % of its support from the CSS (and stating no "
        "spend with it) is not counted in the population served.",
    )


@check(
    id="CP2-BUS-07",
    name="Price per head below the CSS's own cost per head",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Reconcile the price with the cost base: raise the indicative price to at least the cost per head "
    "served, or show the cost reductions or other income that close the gap.",
    evidence_required="A revised price per head or financial plan in which the price covers year-1 cost per "
    "head of the population served.",
)
def price_below_cost(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Whether the indicative `price_per_head` covers the CSS's own year-1 (2013/14) cost per head of the
    population it serves: year-1 total costs less year-1 income from customers other than CCGs (`OTHER`),
    divided by the registered population of the CCGs that buy (the footprint less the CCGs interviewed as taking
    less than `buyer_min_share`% of their support from the CSS and stating no spend with it, as CP2-SCL-01
    counts them). The cost per head is rounded to the penny, as the price is. The price must be at least it.

    Non-CCG income is netted off because it pays for the work done for those customers: what CCG prices must
    cover is the rest, so this is the price per head at which the plan breaks even.

    ## Why it matters
    2012 budget plans priced commissioning support at £8–£14 a head, and CSSs competed to stay "below 50% of
    the CCG running cost allocation" (CP2-BUS-04). A low price is only an offer if the CSS can sustain it: a
    price below its own cost per head is a loss on every head it sells, made up by a subsidy nobody has
    promised, and the brief's C group was "not ready to offer commercially viable services, affordable to CCGs".

    ## Severity
    High: a price that does not cover the cost per head needs rapid management (re-pricing or a leaner cost
    base) before CCGs sign SLAs on it, but it can be put right within the development plan. The year-1 deficit
    it leads to is judged, critical when deep, by CP2-BUS-01. No tolerance: any shortfall is a loss on every
    head sold, and no source allows a margin below cost.

    ## Evidence used
    `business_plan.yaml`: `price_per_head`; `financial_plan.csv`: `year`, `customer`, `income`, `costs`;
    `ccgs.csv`: `population`; `ccg_interviews.csv`: `interviewed`, `pct_from_css`, `intended_spend`. The
    finding gives the calculation; evidence rows name the CCGs not counted as served.

    ## Source
    [D] from seed `000` (price to CCGs per head; "less than 50% of the CCG running cost allocation"; £13–£14 a
    head at Arden) and BRIEF.md reference figures (£8–£14 budget plans); population served as CP2-SCL-01 [S
    regional scale, A for who counts as a buyer]; netting off non-CCG income [A, reason above]. Reuses
    `csu_assure.figures.non_buyers`.
    """
    expected = "price per head ≥ year-1 cost per head of the population served"
    price = sub.plan.price_per_head
    if price is None:
        return not_evidenced("the indicative price per head (business_plan.yaml price_per_head)", expected)
    year1 = plan_totals(sub).year(1)
    if year1 is None:
        return not_evidenced("year-1 income and costs (financial_plan.csv)", expected)
    outside = non_buyers(sub, p.buyer_min_share)
    served = sub.population - sum(c.population for c in outside)
    if served <= 0:
        return not_applicable(
            "no footprint CCG intends to buy from the CSS, so there is no population served to cost "
            "(CP2-SCL-01 and CP2-CUS-03 judge that)"
        )
    other_income = year1.income_by_customer.get(OTHER_CUSTOMER, Decimal(0))
    to_cover = year1.costs - other_income
    per_head = (to_cover / served).quantize(_PENNY, rounding=ROUND_HALF_UP)
    passed = price >= per_head
    verdict = "covers it" if passed else f"falls {gbp(per_head - price)} a head short"
    net = f" less {gbp(other_income)} of non-CCG income" if other_income else ""
    return judge(
        passed=passed,
        measures=[measure("price per head", price, Unit.POUNDS_PER_HEAD, at_least(None, per_head))],
        actual=gbp(price),
        expected=expected,
        finding=f"Year-1 costs of {gbp(year1.costs)}{net}, over the {fmt(served)} people of the CCGs that "
        f"buy, cost {gbp(per_head)} a head; the indicative price of {gbp(price)} {verdict}.",
        evidence=[
            row(
                ccg_id=c.ccg_id,
                ccg_name=c.ccg_name,
                population=c.population,
                reason="keeps its support elsewhere",
            )
            for c in outside
        ],
    )
