"""The indicative price takes more than half of a CCG's running-cost allowance."""

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
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_share_of_rca: Decimal = Field(
        gt=0, le=1, description="Largest share of each CCG's running-cost allowance the price may take."
    )


@check(
    id="CP1-FIN-02",
    name="Indicative price above half of the CCGs' running-cost allowance",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Reduce the indicative price per head to within half of each CCG's running-cost allowance.",
    evidence_required="A revised price per head with the cost base that supports it.",
)
def price_above_half_rca(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    For each prospective CCG, the indicative CSS price per head as a share of that CCG's running-cost
    allowance (RCA) per head; no CCG may pay more than `max_share_of_rca` (50% of £25 = £12.50).

    ## Why it matters
    CCGs pay for their own staff and their support out of the RCA; emerging CSSs aimed to cost "less than 50%
    of the CCG running cost allocation per head", and a CCG asked to pass more than half to a separate body
    will look elsewhere.

    ## Severity
    High. The aim was a price below half the CCG running-cost allocation; above it the offer is not yet
    affordable and the price needs rapid work before checkpoint 2.

    ## Evidence used
    `business_plan.yaml`: `price_per_head`; `ccgs.csv`: `rca_per_head`.

    ## Source
    [D] seed `000` ("costs less than 50% of the CCG running cost allocation per head of population"), seed
    `001` (£25 per head); BRIEF.md catalogue (£12.50).
    """
    price = sub.plan.price_per_head
    if price is None:
        return not_evidenced("the indicative price per head (business_plan.yaml, price_per_head)")
    over = [c for c in sub.ccgs if price > c.rca_per_head * p.max_share_of_rca]
    highest = max(price / c.rca_per_head if c.rca_per_head else Decimal(1) for c in sub.ccgs)
    return judge(
        passed=not over,
        measures=[
            measure(
                "highest share of a CCG's RCA per head the price takes",
                highest,
                Unit.SHARE,
                at_most("max_share_of_rca", p.max_share_of_rca),
            )
        ],
        actual=gbp(price),
        expected=f"≤ {pct(p.max_share_of_rca)} of each CCG's RCA per head",
        finding=f"The price of {gbp(price)} per head takes up to {highest * 100:.1f}% of a CCG's running-cost "
        f"allowance; {len(over)} of {len(sub.ccgs)} CCGs would pay more than {pct(p.max_share_of_rca)}.",
        evidence=[
            row(
                ccg_id=c.ccg_id,
                rca_per_head=c.rca_per_head,
                limit=(c.rca_per_head * p.max_share_of_rca).quantize(Decimal("0.01")),
                price_per_head=price,
            )
            for c in over
        ],
    )
