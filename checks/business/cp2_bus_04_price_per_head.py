"""The CSS price per head is outside the observed range or unaffordable within CCGs' running costs."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, gbp, judge, not_evidenced, pct, row
from csu_assure.domain import Domain
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_price: Decimal = Field(ge=0, description="Lowest plausible price per head (£).")
    max_price: Decimal = Field(ge=0, description="Highest plausible price per head (£).")
    max_share_of_rca: Decimal = Field(
        ge=0, le=1, description="Price may be at most this share of each CCG's RCA per head."
    )


@check(
    id="CP2-BUS-04",
    name="Price per head implausible or unaffordable for CCGs",
    checkpoint=2,
    domain=Domain.BUSINESS,
    params=Params,
    action="Re-price the offer within the observed range and below the affordability ceiling for every CCG, "
    "or show with the CCGs concerned how the price fits their running costs.",
    evidence_required="A revised price per head with the costing behind it, and CCG confirmation of "
    "affordability.",
)
def price_per_head(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The indicative price per head must lie between `min_price` and `max_price` (the range budget plans
    showed) and be no more than `max_share_of_rca` of each footprint CCG's own running-cost allowance per
    head.

    ## Why it matters
    Every pound a CCG pays its CSS comes out of a £25-a-head running-cost allowance that must also pay the
    CCG's own staff; CSSs aimed to cost "less than 50% of the CCG running cost allocation". A price outside
    the observed range suggests a costing error or a different offer.

    ## Evidence used
    `business_plan.yaml`: `price_per_head`; `ccgs.csv`: `rca_per_head`. Evidence rows name each CCG for
    whom the price exceeds its affordability ceiling.

    ## Source
    [S] seed `000` ("costs less than 50% of the CCG running cost allocation per head"; £13–£14 a head at
    Arden) and BRIEF.md reference figures (£8–£14/head); [D] ceiling £12.50 = 50% × £25. We apply the
    ceiling to each CCG's own RCA rather than the flat £12.50 the BRIEF gives, so a footprint whose CCGs
    have a different allowance is judged against its own figures; with £25 everywhere it is the same test.
    """
    price = sub.plan.price_per_head
    expected = (
        f"{gbp(p.min_price)}–{gbp(p.max_price)} per head and ≤ {pct(p.max_share_of_rca)} of each CCG's RCA"
    )
    if price is None:
        return not_evidenced("the indicative price per head (business_plan.yaml price_per_head)", expected)
    in_range = p.min_price <= price <= p.max_price
    unaffordable = [c for c in sub.ccgs if price > c.rca_per_head * p.max_share_of_rca]
    problems = []
    if not in_range:
        problems.append(f"outside the observed {gbp(p.min_price)}–{gbp(p.max_price)} range")
    if unaffordable:
        problems.append(
            f"above {pct(p.max_share_of_rca)} of the RCA for {len(unaffordable)} of {len(sub.ccgs)} CCGs"
        )
    return judge(
        passed=in_range and not unaffordable,
        actual=gbp(price),
        expected=expected,
        finding=f"The indicative price is {gbp(price)} per head"
        + (
            ": " + " and ".join(problems) + "." if problems else f", affordable for all {len(sub.ccgs)} CCGs."
        ),
        evidence=[
            row(
                ccg_id=c.ccg_id,
                rca_per_head=gbp(c.rca_per_head),
                ceiling=gbp(c.rca_per_head * p.max_share_of_rca),
            )
            for c in unaffordable
        ],
    )
