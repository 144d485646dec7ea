"""The baseline running cost per head is undisclosed or above the CCG running-cost envelope."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_most, check, gbp, judge, measure, not_evidenced
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    flag_above_per_head: Decimal = Field(
        gt=0, description="Baseline running cost per head (£) above which the plan is flagged."
    )


@check(
    id="CP1-FIN-01",
    name="Baseline running cost per head above the CCG running-cost envelope",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Show how the cost base will come down from the cluster baseline to a price CCGs can afford.",
    evidence_required="A cost-reduction bridge from the baseline running cost to the planned cost base.",
)
def baseline_cost_high(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the plan discloses the PCT cluster's baseline running cost per head, and whether it is above
    `flag_above_per_head` (the top of the 2011 CCG running-cost envelope).

    ## Why it matters
    National PCT running costs in April 2011 ranged from £28 to £88 per head, "way above" what CCGs would
    have within their £25–£35 envelope; a CSS starting from a high baseline must cut hardest, and without
    the baseline nobody can see how far it has to go.

    ## Severity
    Low, a flag. A high baseline is the PCT cluster's cost, not the CSS's plan; it tells the assessor how
    far the new cost base must fall.

    ## Evidence used
    `business_plan.yaml`: `baseline_running_cost_per_head`.

    ## Source
    [S] seed `004` (running costs £28–£88 per head at April 2011; £25–£35 running-cost allowance).
    """
    baseline = sub.plan.baseline_running_cost_per_head
    if baseline is None:
        return not_evidenced("the baseline running cost per head (business_plan.yaml)")
    return judge(
        passed=baseline <= p.flag_above_per_head,
        measures=[
            measure(
                "baseline running cost per head",
                baseline,
                Unit.POUNDS_PER_HEAD,
                at_most("flag_above_per_head", p.flag_above_per_head),
            )
        ],
        actual=gbp(baseline),
        expected=f"≤ {gbp(p.flag_above_per_head)} per head",
        finding=f"The baseline running cost is {gbp(baseline)} per head "
        f"({'above' if baseline > p.flag_above_per_head else 'within'} {gbp(p.flag_above_per_head)}).",
    )
