"""For some CCGs, the CSS charge plus their in-house costs do not fit within the running-cost allowance."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from csu_assure.checking import CheckParams, Context, at_most, check, gbp, judge, measure, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_per_head: Decimal = Field(
        gt=0, description="Cap (£/head) on CSS charge + in-house costs, and on any CCG's stated RCA."
    )
    critical_above_per_head: Decimal = Field(
        gt=0, description="Above this total (£/head) for any CCG the failure is critical."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Params:
        if self.critical_above_per_head < self.max_per_head:
            raise ValueError("critical_above_per_head must be at least max_per_head")
        return self


@check(
    id="CP1-FIN-03",
    name="CSS charge plus CCG in-house costs exceed the running-cost allowance",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Work through the ready-reckoner with each CCG named and agree a price and in-house split that "
    "fits its running-cost allowance.",
    evidence_required="A completed ready-reckoner per CCG, agreed with its chief officer.",
)
def ccg_costs_exceed_rca(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    For each prospective CCG, the ready-reckoner sum: CSS price per head plus the CCG's own in-house cost per
    head. It must not exceed the CCG's running-cost allowance (RCA) per head, capped at `max_per_head`. Any
    CCG above `critical_above_per_head` makes the failure critical.

    ## Why it matters
    A CCG must pay its own staff and its commissioning support from one allowance of £25 per head (2013/14);
    an offer that only works if CCGs overspend that allowance is not a real offer. Above £35, the top of
    the 2011 planning envelope, it is unaffordable under any assumption.

    ## Severity
    High when a CCG's support plus in-house costs exceed its allowance (the ready reckoner's test): the plan
    does not yet fit the money. Critical above `critical_above_per_head` (£35, the top of the 2011
    envelope): no allowance could pay for it, so the CSS is advised to consolidate for economies of scale.

    ## Evidence used
    `business_plan.yaml`: `price_per_head`; `ccgs.csv`: `rca_per_head`, `in_house_cost_per_head`.

    ## Source
    [S] seed `004` (the "ready reckoner" running-costs tool; £25–£35 envelope), seed `001` (£25 per head);
    BRIEF.md catalogue (≤ £25/head, critical above £35).
    """
    price = sub.plan.price_per_head
    if price is None:
        return not_evidenced("the indicative price per head (business_plan.yaml, price_per_head)")
    unknown = [c.ccg_id for c in sub.ccgs if c.in_house_cost_per_head is None]
    over = []
    for c in sub.ccgs:
        if c.in_house_cost_per_head is None:
            continue
        total = price + c.in_house_cost_per_head
        limit = min(c.rca_per_head, p.max_per_head)
        if total > limit:
            over.append(
                row(
                    ccg_id=c.ccg_id,
                    price_per_head=price,
                    in_house_cost_per_head=c.in_house_cost_per_head,
                    total_per_head=total,
                    limit_per_head=limit,
                )
            )
    if not over and unknown:
        return not_evidenced(f"in-house cost per head for {len(unknown)} CCG(s) ({', '.join(unknown)})")
    worst = max(price + (c.in_house_cost_per_head or Decimal(0)) for c in sub.ccgs)
    known = [c for c in sub.ccgs if c.in_house_cost_per_head is not None]
    measures = [
        measure(
            "highest CSS charge plus in-house cost per head",
            max(price + (c.in_house_cost_per_head or Decimal(0)) for c in known),
            Unit.POUNDS_PER_HEAD,
            at_most("max_per_head", p.max_per_head),
            at_most("critical_above_per_head", p.critical_above_per_head, grade=Severity.CRITICAL),
        ),
        measure(
            "highest CSS charge plus in-house cost above the CCG's own RCA per head",
            max(price + (c.in_house_cost_per_head or Decimal(0)) - c.rca_per_head for c in known),
            Unit.POUNDS_PER_HEAD,
            at_most(None, 0),
        ),
    ]
    return judge(
        passed=not over,
        measures=measures,
        critical=worst > p.critical_above_per_head,
        actual=gbp(worst),
        expected=f"≤ each CCG's RCA per head, at most {gbp(p.max_per_head)} (critical above "
        f"{gbp(p.critical_above_per_head)})",
        finding=f"{len(over)} of {len(sub.ccgs)} CCGs would spend more than their running-cost allowance on the "
        f"CSS charge plus in-house costs; the highest total is {gbp(worst)} per head.",
        evidence=over,
    )
