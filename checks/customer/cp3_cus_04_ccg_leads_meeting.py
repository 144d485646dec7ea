"""CCG leads were not met, or a CCG is withdrawing from the CSS."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_most,
    below,
    check,
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
    max_withdrawing: int = Field(
        ge=0, le=100, description="CCGs that may withdraw without failing the check."
    )
    critical_income_share: Decimal = Field(
        ge=0,
        le=1,
        description="Critical when withdrawing CCGs hold at least this share of year-1 CCG income.",
    )


@check(
    id="CP3-CUS-04",
    name="CCG leads were not met, or a CCG is withdrawing from the CSS",
    checkpoint=3,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Hold the meeting with CCG leads; for each withdrawing CCG, agree terms to retain it or re-base the "
    "plan without its income.",
    evidence_required="Notes of the CCG leads meeting and each withdrawing CCG's written position.",
)
def ccg_leads_meeting(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the NHS Commissioning Board's meeting with CCG leads on customer focus was held, and that no more than
    `max_withdrawing` CCGs said there that they will not take the CSS's offer. The failure is critical when the
    withdrawing CCGs account for at least `critical_income_share` of planned year-1 CCG income.

    ## Why it matters
    The meeting is the checkpoint's direct test of customer focus. A withdrawing CCG takes its income with it;
    losing a large part of the income base undoes the business case the rest of checkpoint 3 is judged on.

    ## Severity
    High when a CCG says it will not take the offer, or the meeting was not held: the customer base is
    moving. Critical when the withdrawing CCGs carry at least `critical_income_share` of planned income: the
    business loses a fifth of its income.

    ## Evidence used
    `business_plan.yaml`: `ccg_leads_meeting.held`, `ccg_leads_meeting.withdrawing_ccgs`;
    `financial_plan.csv`: year-1 income by CCG.

    ## Source
    [S] seed `003` ("a meeting between the NHSCB and CCG leads as part of the process for checkpoint 3, to
    check on CSS 'customer focus'"); test [A] BRIEF.md CP3-CUS-04. The income-share escalation to critical is
    our addition [A]: BRIEF rates every withdrawal alike, but losing a fifth of income threatens break-even
    (CP3-FIN-03) and so viability.
    """
    meeting = sub.plan.ccg_leads_meeting
    if meeting is None:
        return not_evidenced("the CCG leads meeting record (business_plan.yaml: ccg_leads_meeting)")
    income = ccg_income_by_ccg(sub, 1) or {}
    total = sum(income.values(), Decimal(0))
    lost = sum((income.get(c, Decimal(0)) for c in meeting.withdrawing_ccgs), Decimal(0))
    lost_share = lost / total if total else Decimal(0)
    withdrawing = len(meeting.withdrawing_ccgs)
    if not meeting.held:
        finding = "The meeting with CCG leads was not held, so customer focus was not tested with them."
    elif withdrawing:
        finding = (
            f"{withdrawing} of {len(sub.ccgs)} CCGs said they are withdrawing, holding {pct(lost_share)} "
            "of planned year-1 CCG income."
        )
    else:
        finding = f"The meeting with CCG leads was held and none of the {len(sub.ccgs)} CCGs is withdrawing."
    return judge(
        passed=meeting.held and withdrawing <= p.max_withdrawing,
        measures=[
            measure(
                "CCGs withdrawing", withdrawing, Unit.COUNT, at_most("max_withdrawing", p.max_withdrawing)
            ),
            measure(
                "withdrawing CCGs' share of planned year-1 CCG income",
                lost_share,
                Unit.SHARE,
                below("critical_income_share", p.critical_income_share, grade=Severity.CRITICAL),
            ),
        ]
        if meeting.held
        else [],
        critical=withdrawing > p.max_withdrawing and lost_share >= p.critical_income_share,
        actual=f"held: {'yes' if meeting.held else 'no'}, {withdrawing} withdrawing",
        expected=f"meeting held, ≤ {p.max_withdrawing} CCG(s) withdrawing (critical when they hold ≥ "
        f"{pct(p.critical_income_share)} of year-1 CCG income)",
        finding=finding,
        evidence=[
            row(
                ccg_id=c,
                planned_income_y1=income[c],
                share_of_ccg_income=pct(income[c] / total) if total else None,
            )
            for c in meeting.withdrawing_ccgs
        ],
    )
