"""The income plan does not match what the CCGs say they intend to spend with the CSS."""

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
from csu_assure.figures import ccg_income_by_ccg
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_variance: Decimal = Field(
        ge=0, le=10, description="Largest |planned − intended| ÷ intended, in aggregate, that passes."
    )


@check(
    id="CP2-CUS-05",
    name="Planned CCG income does not reconcile with the CCGs' intended spend",
    checkpoint=2,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Reconcile the income plan CCG by CCG with each CCG's stated intended spend, and explain or "
    "remove any income a CCG has not said it will spend.",
    evidence_required="A reconciliation of planned year-1 income to CCG intended spend, agreed with each CCG.",
)
def income_not_reconciled(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The aggregate variance between the CSS's year-1 planned income from CCGs and the total the interviewed
    CCGs say they intend to spend with it: |planned − intended| ÷ intended must not exceed `max_variance`.
    A CCG with planned income but no stated intended spend contributes £0 of intent, so income nobody has
    promised counts against the plan rather than being left out of the comparison.

    ## Why it matters
    An income plan is only as good as the customers behind it. A plan that books more than the CCGs intend
    to spend overstates income; one far below suggests the plan and the conversations with CCGs have not
    met.

    ## Severity
    High. An income plan that the customers' own intentions do not back is the commonest way a business plan
    fails to stand up; it needs rapid reconciliation with the CCGs.

    ## Evidence used
    `financial_plan.csv` (year-1 income by CCG, `OTHER` excluded) and `ccg_interviews.csv`
    (`intended_spend`, interviewed CCGs only). Evidence rows name each CCG whose own variance exceeds
    `max_variance` or that stated no intended spend.

    ## Source
    [A] BRIEF.md CP2-CUS-05 (aggregate variance ≤ 10%); BRIEF.md interview data (intended spend per CCG).
    Counting unstated intent as £0 is our addition: the BRIEF does not say how to treat it, and leaving such
    CCGs out would let unsupported income pass.
    """
    expected = f"aggregate variance ≤ {pct(p.max_variance)}"
    intended: dict[str, Decimal] = {
        r.ccg_id: r.intended_spend
        for r in sub.ccg_interviews or ()
        if r.interviewed and r.intended_spend is not None
    }
    if not intended:
        return not_evidenced("CCGs' intended spend (ccg_interviews.csv intended_spend)", expected)
    planned = ccg_income_by_ccg(sub, 1)
    if planned is None:
        return not_evidenced("year-1 income by CCG (financial_plan.csv)", expected)
    total_planned = sum(planned.values(), Decimal(0))
    total_intended = sum(intended.values(), Decimal(0))
    if total_intended <= 0:
        return not_evidenced("a non-zero intended spend from any CCG (ccg_interviews.csv)", expected)
    variance = abs(total_planned - total_intended) / total_intended
    off = []
    for c in sub.ccgs:
        plan, intent = planned.get(c.ccg_id, Decimal(0)), intended.get(c.ccg_id)
        if intent is None:
            if plan > 0:
                off.append(row(ccg_id=c.ccg_id, planned=gbp(plan), intended="not stated", variance=""))
        elif (intent > 0 and abs(plan - intent) / intent > p.max_variance) or (intent == 0 and plan > 0):
            share = pct(abs(plan - intent) / intent) if intent > 0 else "n/a"
            off.append(row(ccg_id=c.ccg_id, planned=gbp(plan), intended=gbp(intent), variance=share))
    direction = "above" if total_planned >= total_intended else "below"
    return judge(
        passed=variance <= p.max_variance,
        measures=[
            measure(
                "planned CCG income against intended spend (variance)",
                variance,
                Unit.SHARE,
                at_most("max_variance", p.max_variance),
            )
        ],
        actual=pct(variance),
        expected=expected,
        finding=f"Planned year-1 CCG income of {gbp(total_planned)} is {pct(variance)} {direction} the "
        f"{gbp(total_intended)} the CCGs intend to spend ({len(intended)} CCGs stated an amount).",
        evidence=off,
    )
