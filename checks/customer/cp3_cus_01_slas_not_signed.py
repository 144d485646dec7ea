"""Signed SLAs cover too little of the CCG income the plan depends on."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_least,
    check,
    gbp,
    judge,
    measure,
    not_evidenced,
    pct,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.figures import ccg_income_by_ccg
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    milestone: str = Field(min_length=1, description="Calendar milestone: the date SLAs must be signed by.")
    pass_at: Decimal = Field(
        ge=0, le=1, description="Share of planned year-1 CCG income that must be signed."
    )
    critical_below: Decimal = Field(ge=0, le=1, description="Below this share the failure is critical.")


@check(
    id="CP3-CUS-01",
    name="Signed SLAs cover too little of the CCG income the plan depends on",
    checkpoint=3,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Agree and sign SLAs with the CCGs whose income the plan assumes, or re-base the plan on signed income.",
    evidence_required="SLAs signed by each CCG's accountable officer, and a financial plan reconciled to them.",
)
def slas_signed(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The share of planned year-1 CCG income that is covered by SLAs signed on or before the `milestone` date
    (31 August 2012). Each CCG counts for the smaller of its signed annual SLA value and the income the plan
    expects from it, so one generous SLA cannot hide CCGs that have not signed. Passes at `pass_at` (80%);
    critical below `critical_below` (50%).

    ## Why it matters
    Checkpoint 3 required SLAs "signed and submitted by 31st August"; income that no CCG has signed for is a
    hope, not a plan, and CCGs were reluctant to sign the legalistic SLAs many CSSs proposed.

    ## Severity
    High when signed SLAs cover less than `pass_at` of planned CCG income: the customers have not yet signed
    for what the plan relies on. Critical below `critical_below`: most of the income is unsigned, so the
    customer test fails.

    ## Evidence used
    `slas.csv`: `ccg_id`, `signed_on`, `annual_value`; `financial_plan.csv`: year-1 income by CCG customer
    (OTHER excluded); the calendar's `slas_signed_by` milestone.

    ## Source
    [S] seed `003` (SLAs signed and submitted by 31 August for checkpoint 3); thresholds [A] BRIEF.md CP3-CUS-01.
    Capping each CCG at its planned income is our refinement [A]: BRIEF's plain ratio of totals would pass a
    CSS whose largest CCG over-signs while others sign nothing.
    """
    if not sub.slas:
        return not_evidenced("service level agreements (slas.csv)")
    planned = ccg_income_by_ccg(sub, 1) or {}
    total = sum(planned.values(), Decimal(0))
    if not total:
        return not_evidenced("planned year-1 CCG income (financial_plan.csv)")
    by = ctx.milestone_dates.get(p.milestone) or ctx.deadline or ctx.as_of
    signed = {s.ccg_id: s for s in sub.slas if s.signed_on is not None and s.signed_on <= by}
    covered = sum((min(signed[c].annual_value, v) for c, v in planned.items() if c in signed), Decimal(0))
    share = covered / total
    short = [
        row(
            ccg_id=c,
            planned_income_y1=v,
            signed_value=signed[c].annual_value if c in signed else None,
            signed_on=signed[c].signed_on if c in signed else None,
        )
        for c, v in sorted(planned.items())
        if v > 0 and (c not in signed or signed[c].annual_value < v * p.pass_at)
    ]
    unsigned = sum(1 for c, v in planned.items() if v > 0 and c not in signed)
    return judge(
        passed=share >= p.pass_at,
        critical=share < p.critical_below,
        measures=[
            measure(
                "share of planned year-1 CCG income under signed SLAs",
                share,
                Unit.SHARE,
                at_least("pass_at", p.pass_at),
                at_least("critical_below", p.critical_below, grade=Severity.CRITICAL),
            )
        ],
        actual=pct(share),
        expected=f"≥ {pct(p.pass_at)} of planned year-1 CCG income signed by {by.isoformat()} "
        f"(critical below {pct(p.critical_below)})",
        finding=f"SLAs signed by {by.isoformat()} cover {gbp(covered)} of {gbp(total)} planned year-1 CCG "
        f"income ({pct(share)}); {unsigned} of {len(planned)} planned CCG customers have not signed.",
        evidence=short,
    )
