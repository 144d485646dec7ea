"""No dedicated CSS lead, or a lead whose other role conflicts with running the CSS."""

from __future__ import annotations

from csu_assure.checking import Context, NoParams, check, judge, not_evidenced
from csu_assure.domain import CheckGroup, Domain
from csu_assure.results import Judgement
from csu_assure.submission import Submission


@check(
    id="CP1-LEA-01",
    name="No dedicated CSS lead free of conflicting roles",
    checkpoint=1,
    domain=Domain.LEADERSHIP,
    group=CheckGroup.LEADERSHIP,
    params=NoParams,
    action="Name a dedicated CSS lead who holds no CCG or other conflicting role.",
    evidence_required="The lead's appointment letter and a declaration of interests.",
)
def no_dedicated_lead(sub: Submission, p: NoParams, ctx: Context) -> Judgement:
    """## What it checks
    That the outline plan names a dedicated lead for the emerging CSS, and states that the lead holds no
    conflicting role (such as a CCG accountable officer, who would be both buyer and seller).

    ## Why it matters
    The 2011 stocktake found that "the most developed commissioning support had dedicated leadership"; a lead
    who also answers to a customer CCG cannot negotiate prices and service levels at arm's length.

    ## Severity
    High. The stock take found that "the most developed commissioning support had dedicated leadership"; a
    CSS without a dedicated, unconflicted lead needs one quickly, but can still proceed to checkpoint 2.

    ## Evidence used
    `business_plan.yaml`: `leadership.lead_name`, `leadership.lead_conflicting_role`.

    ## Source
    [S problem] seed `004` (dedicated leadership); the pass rule [A].
    """
    lead = sub.plan.leadership
    if lead.lead_name is None:
        return judge(
            passed=False,
            actual="none",
            expected="a named lead with no conflicting role",
            finding="The outline plan names no dedicated CSS lead.",
        )
    if lead.lead_conflicting_role is None:
        return not_evidenced(
            f"whether the lead, {lead.lead_name}, holds a conflicting role (leadership.lead_conflicting_role)"
        )
    return judge(
        passed=not lead.lead_conflicting_role,
        actual=lead.lead_name,
        expected="a named lead with no conflicting role",
        finding=f"The CSS lead is {lead.lead_name}, who "
        + ("also holds a conflicting role." if lead.lead_conflicting_role else "holds no conflicting role."),
    )
