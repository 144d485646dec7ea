"""The plan does not provide for the hosting charge, or assumes more than 50p a head."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, above, at_most, check, gbp, judge, measure
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_per_head: Decimal = Field(ge=0, description="Hosting charge planning assumption (£ per head).")


@check(
    id="CP3-FIN-04",
    name="The plan does not provide for the hosting charge, or assumes more than 50p a head",
    checkpoint=3,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Provide for the NHS Commissioning Board hosting charge in the financial plan at the planning "
    "assumption, or explain the difference.",
    evidence_required="The financial model line for the hosting charge and the per-head basis used.",
)
def hosting_charge(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the business plan states a hosting charge per head greater than zero and no more than `max_per_head`
    (50p). A blank or zero charge means the plan has not provided for it.

    ## Why it matters
    Every CSS was to be hosted by the NHS Commissioning Board, which charges for hosting. A plan without the
    charge overstates its surplus; one assuming far more than the planning figure signals a cost base or
    hosting model the BDU should question.

    ## Severity
    Low, advice. The hosting charge was a planning assumption (50p a head); leaving it out understates costs
    by a small amount.

    ## Evidence used
    `business_plan.yaml`: `hosting_charge_per_head`.

    ## Source
    [S] BRIEF.md reference figures (hosting charge planning assumption 50p/head); BRIEF.md CP3-FIN-04.
    Failing a stated £0 is our reading of "provided for" [A].
    """
    charge = sub.plan.hosting_charge_per_head
    population = sub.population
    if charge is None or charge <= 0:
        finding = "The plan makes no provision for the hosting charge."
    else:
        finding = (
            f"The plan provides for a hosting charge of {gbp(charge)} a head ({gbp(charge * population)} a year "
            f"for {population:,} people), against a planning assumption of at most {gbp(p.max_per_head)}."
        )
    return judge(
        passed=charge is not None and Decimal(0) < charge <= p.max_per_head,
        measures=[
            measure(
                "hosting charge per head",
                charge,
                Unit.POUNDS_PER_HEAD,
                above(None, 0),
                at_most("max_per_head", p.max_per_head),
            )
        ]
        if charge is not None
        else [],
        actual=gbp(charge) if charge is not None else "not stated",
        expected=f"more than £0 and ≤ {gbp(p.max_per_head)} per head",
        finding=finding,
    )
