"""The site visit was not held, or left red findings unresolved."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_most, check, judge, measure, not_evidenced
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_unresolved_red: int = Field(ge=0, le=1000, description="Unresolved red site-visit findings allowed.")


@check(
    id="CP3-DEL-04",
    name="The site visit was not held, or left red findings unresolved",
    checkpoint=3,
    domain=Domain.DELIVERY,
    group=CheckGroup.DELIVERY,
    params=Params,
    action="Resolve each red finding from the site visit (or arrange the visit) before the hosting decision.",
    evidence_required="The site-visit report with each red finding closed and the evidence that closed it.",
)
def site_visit(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the BDU's September site visit was held and left no more than `max_unresolved_red` (0) red findings
    unresolved.

    ## Why it matters
    The site visit is where assessors see whether the plan on paper is being delivered on the ground: whether
    services run, staff know the operating model, and CCG-facing teams are in place. An unresolved red finding
    is a known risk the CSS would carry into hosting.

    ## Severity
    High. An unresolved red finding from the site visit is exactly an issue that needs rapid management
    before hosting.

    ## Evidence used
    `business_plan.yaml`: `site_visit.held`, `site_visit.visited_on`, `site_visit.unresolved_red_findings`.

    ## Source
    [S] BRIEF.md checkpoint table (checkpoint 3 evidence: site visit in September); test [A] BRIEF.md
    CP3-DEL-04.
    """
    visit = sub.plan.site_visit
    if visit is None:
        return not_evidenced("the site-visit record (business_plan.yaml: site_visit)")
    if not visit.held:
        finding = "The site visit has not been held."
    else:
        when = f" on {visit.visited_on.isoformat()}" if visit.visited_on else ""
        finding = f"The site visit{when} left {visit.unresolved_red_findings} red finding(s) unresolved."
    return judge(
        passed=visit.held and visit.unresolved_red_findings <= p.max_unresolved_red,
        measures=[
            measure(
                "unresolved red findings",
                visit.unresolved_red_findings,
                Unit.COUNT,
                at_most("max_unresolved_red", p.max_unresolved_red),
            )
        ]
        if visit.held
        else [],
        actual=f"held: {'yes' if visit.held else 'no'}, {visit.unresolved_red_findings} unresolved red",
        expected=f"visit held, ≤ {p.max_unresolved_red} unresolved red findings",
        finding=finding,
    )
