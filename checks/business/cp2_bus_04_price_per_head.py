"""The CSS price per head is unaffordable within its CCGs' running-cost allowances."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_most,
    check,
    gbp,
    judge,
    measure,
    not_evidenced,
    pct,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_share_of_rca: Decimal = Field(
        ge=0, le=1, description="Price may be at most this share of each CCG's RCA per head."
    )
    critical_share_of_rca: Decimal = Field(
        ge=0, le=1, description="Above this share of a CCG's RCA per head the failure is critical."
    )
    min_price: Decimal = Field(
        ge=0,
        description="Cheapest 2012 budget plan per head (£): context for findings and charts, not judged.",
    )
    max_price: Decimal = Field(
        ge=0,
        description="Dearest 2012 budget plan per head (£): context for findings and charts, not judged.",
    )


@check(
    id="CP2-BUS-04",
    name="Price per head unaffordable for CCGs",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Re-price the offer below the affordability ceiling for every CCG, or show with the CCGs concerned "
    "how the price fits their running costs.",
    evidence_required="A revised price per head with the costing behind it, and CCG confirmation of "
    "affordability.",
)
def price_per_head(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The indicative price per head must be no more than `max_share_of_rca` of each footprint CCG's own
    running-cost allowance per head; above `critical_share_of_rca` for any CCG the failure is critical. The
    finding places the price in the range 2012 budget plans showed (`min_price`–`max_price`) for context: a
    price below that range is judged on whether it covers the CSS's own cost per head (CP2-BUS-07), not here.

    ## Why it matters
    Every pound a CCG pays its CSS comes out of a £25-a-head running-cost allowance that must also pay the
    CCG's own staff; CSSs aimed to cost "less than 50% of the CCG running cost allocation". The brief's C
    group was "not ready to offer commercially viable services, affordable to CCGs".

    ## Severity
    High: a price above half the allowance misses the affordability aim and needs re-pricing before CCGs
    sign, but the CSS can still be viable at a lower price. Critical above `critical_share_of_rca` (70%): the
    CCG would keep less than 30% of its allowance, under £7.50 a head at £25, for its own staff and
    in-house support (Kingston CCG spent a third of its allowance on its CSU), so the offer is not affordable.

    ## Evidence used
    `business_plan.yaml`: `price_per_head`; `ccgs.csv`: `rca_per_head`. Evidence rows name each CCG for
    whom the price exceeds its affordability ceiling.

    ## Source
    [S] seed `000` ("costs less than 50% of the CCG running cost allocation per head"; £13–£14 a head at
    Arden) and BRIEF.md reference figures (£8–£14/head budget plans); seed `001` (Kingston: a third of its
    allowance); [D] ceiling £12.50 = 50% × £25; the critical share [A]. We apply the ceiling to each CCG's own
    RCA rather than the flat £12.50 the BRIEF gives, so a footprint whose CCGs have a different allowance is
    judged against its own figures; with £25 everywhere it is the same test. The £8 floor of the budget plans
    came from one CSS's plan, so it is context, not a threshold.
    """
    price = sub.plan.price_per_head
    expected = (
        f"≤ {pct(p.max_share_of_rca)} of each CCG's RCA per head "
        f"(critical above {pct(p.critical_share_of_rca)})"
    )
    if price is None:
        return not_evidenced("the indicative price per head (business_plan.yaml price_per_head)", expected)
    unaffordable = [c for c in sub.ccgs if price > c.rca_per_head * p.max_share_of_rca]
    far_above = [c for c in unaffordable if price > c.rca_per_head * p.critical_share_of_rca]
    if price < p.min_price:
        where = f"below the {gbp(p.min_price)}–{gbp(p.max_price)} of 2012 budget plans"
    elif price > p.max_price:
        where = f"above the {gbp(p.min_price)}–{gbp(p.max_price)} of 2012 budget plans"
    else:
        where = f"within the {gbp(p.min_price)}–{gbp(p.max_price)} of 2012 budget plans"
    verdict = (
        f"above {pct(p.max_share_of_rca)} of the RCA for {len(unaffordable)} of {len(sub.ccgs)} CCGs"
        + (f", above {pct(p.critical_share_of_rca)} for {len(far_above)}" if far_above else "")
        if unaffordable
        else f"affordable for all {len(sub.ccgs)} CCGs"
    )
    return judge(
        passed=not unaffordable,
        critical=bool(far_above),
        measures=[
            measure(
                "highest share of a CCG's RCA per head the price takes",
                max(price / c.rca_per_head for c in sub.ccgs if c.rca_per_head),
                Unit.SHARE,
                at_most("max_share_of_rca", p.max_share_of_rca),
                at_most("critical_share_of_rca", p.critical_share_of_rca, grade=Severity.CRITICAL),
            )
        ],
        actual=gbp(price),
        expected=expected,
        finding=f"The indicative price is {gbp(price)} per head ({where}): {verdict}.",
        evidence=[
            row(
                ccg_id=c.ccg_id,
                rca_per_head=gbp(c.rca_per_head),
                ceiling=gbp(c.rca_per_head * p.max_share_of_rca),
                share_of_rca=pct(price / c.rca_per_head) if c.rca_per_head else "",
            )
            for c in unaffordable
        ],
    )
