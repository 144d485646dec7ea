"""The CSS depends too heavily on one customer."""

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
from csu_assure.figures import plan_totals
from csu_assure.results import Judgement
from csu_assure.submission import OTHER_CUSTOMER, Submission


class Params(CheckParams):
    max_share: Decimal = Field(
        gt=0, le=1, description="Largest share of a year's income one customer may hold."
    )


@check(
    id="CP3-FIN-06",
    name="The CSS depends too heavily on one customer",
    checkpoint=3,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Broaden the customer base, or set out how the CSS would survive losing its largest customer.",
    evidence_required="A sensitivity analysis of the financial model without the largest customer.",
)
def customer_concentration(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    For each plan year, the largest single CCG's share of that year's total income (including non-CCG
    income), which must not exceed `max_share` (40%). OTHER is a bucket of non-CCG income, not one customer,
    so it never counts as the largest customer.

    ## Why it matters
    From April 2013 CCGs could take services in house or buy elsewhere, and many planned to. A CSS that draws
    much of its income from one CCG loses viability the day that CCG changes its mind.

    ## Severity
    Medium. Dependence on one customer is a risk to manage in the plan (CCGs could choose elsewhere from
    2016), not a failure.

    ## Evidence used
    `financial_plan.csv`: `year`, `customer`, `income`.

    ## Source
    [A] BRIEF.md CP3-FIN-06; the risk is sourced in seed `003` (CCGs "waiting for the opportunity to bring
    services in house"). Testing every year, not just year 1, is our refinement [A]: growth plans can
    concentrate income later.
    """
    years = plan_totals(sub).years  # ascending
    if not years:
        return not_evidenced("the financial model (financial_plan.csv)")
    largest = []
    for year, totals in years.items():
        total = totals.income  # every customer's income that year, OTHER included
        ccg_only = {c: v for c, v in totals.income_by_customer.items() if c != OTHER_CUSTOMER}
        if not total or not ccg_only:
            continue
        top = max(ccg_only, key=ccg_only.__getitem__)
        largest.append((year, top, ccg_only[top], ccg_only[top] / total))
    if not largest:
        return not_evidenced("income by CCG customer (financial_plan.csv)")
    over = [x for x in largest if x[3] > p.max_share]
    year, top, value, share = max(largest, key=lambda x: x[3])
    cap, share_text = pct(p.max_share), pct(share)
    return judge(
        passed=not over,
        measures=[
            measure(
                "largest customer's share of a year's income",
                share,
                Unit.SHARE,
                at_most("max_share", p.max_share),
            )
        ],
        actual=share_text,
        expected=f"≤ {cap} of income from any one customer",
        finding=f"The largest customer, {top}, brings {share_text} of year-{year} income ({gbp(value)}); "
        f"{len(over)} of {len(largest)} plan years exceed {cap}.",
        evidence=[row(year=y, customer=c, income=gbp(v), share=pct(s)) for y, c, v, s in over],
    )
