"""No development plan has been agreed with the BDU, or the plan lacks owned, binding milestones."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_milestones: int = Field(ge=1, le=100, description="Fewest milestones an agreed plan may hold.")
    min_binding: int = Field(ge=0, le=100, description="Fewest binding milestones an agreed plan may hold.")
    placeholder_owners: tuple[str, ...] = Field(
        description="Owner entries (case-insensitive) that name no one, e.g. 'TBC'."
    )


@check(
    id="CP2-GOV-01",
    name="No agreed development plan",
    checkpoint=2,
    domain=Domain.LEADERSHIP,
    group=CheckGroup.GOVERNANCE,
    params=Params,
    action="Agree a development plan with the BDU: binding milestones, each with a named owner and a due date.",
    evidence_required="The development plan signed off by the BDU and the CSS leader.",
)
def development_plan(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That a development plan is agreed (`development_plan_agreed`) and submitted as `development_plan.csv`
    with at least `min_milestones` milestones, at least `min_binding` of them binding, and every milestone
    owned by a named person (not a placeholder such as "TBC"). Due dates are required by the data contract.

    Its failure means "no agreed development plan", which stops a CSS at checkpoint 2 (outcome C) whatever
    its domains' colours: the engine reads this check's result (`engine.DEVELOPMENT_PLAN_CHECK`).

    ## Why it matters
    The BDU agreed a binding development plan with every CSS that passed checkpoint 2, and "any breach of a
    business development plan means that a CSS fails": without one there is nothing to hold the CSS to
    between checkpoints.

    ## Severity
    Critical. An agreed development plan was the condition of going on ("development plan agreed with
    successful CSS"), and the brief's C group was "not able to agree a development and improvement plan":
    its failure stops the CSS (outcome C) whatever the domains show.

    ## Evidence used
    `business_plan.yaml`: `development_plan_agreed`; `development_plan.csv`: `milestone_id`, `owner`, `due`,
    `binding`. Evidence rows name milestones whose owner is a placeholder. An unstated agreement or a missing
    table is NOT_EVIDENCED, which counts as a failure.

    ## Source
    [S] seed `002` ("Development plan agreed with successful CSS"; "any breach of a business development
    plan means that a CSS fails"); BRIEF.md decision model. Placeholder owners and `min_binding` [A]: an
    owner of "TBC" is no owner, and a plan with nothing binding cannot be breached.
    """
    expected = (
        f"agreed; ≥ {p.min_milestones} milestone(s), ≥ {p.min_binding} binding, each with a named owner"
    )
    agreed = sub.plan.development_plan_agreed
    if agreed is None:
        return not_evidenced(
            "whether a development plan is agreed (business_plan.yaml development_plan_agreed)"
        )
    if not agreed:
        return judge(
            passed=False,
            actual="not agreed",
            expected=expected,
            finding="No development plan has been agreed with the BDU.",
        )
    milestones = sub.development_plan
    if milestones is None:
        return not_evidenced("the agreed development plan (development_plan.csv)", expected)
    placeholders = {o.strip().lower() for o in p.placeholder_owners}
    unowned = [m for m in milestones if m.owner.strip().lower() in placeholders]
    binding = sum(1 for m in milestones if m.binding)
    problems = []
    if len(milestones) < p.min_milestones:
        problems.append(f"fewer than {p.min_milestones} milestone(s)")
    if binding < p.min_binding:
        problems.append(f"fewer than {p.min_binding} binding milestone(s)")
    if unowned:
        problems.append(f"{len(unowned)} milestone(s) with no named owner")
    return judge(
        passed=not problems,
        measures=[]
        if unowned
        else [
            measure("milestones", len(milestones), Unit.COUNT, at_least("min_milestones", p.min_milestones)),
            measure("binding milestones", binding, Unit.COUNT, at_least("min_binding", p.min_binding)),
        ],
        actual=f"{len(milestones)} milestones, {binding} binding",
        expected=expected,
        finding=f"The agreed development plan has {len(milestones)} milestones, {binding} binding"
        + (": " + "; ".join(problems) + "." if problems else ", each with a named owner and a due date."),
        evidence=[row(milestone_id=m.milestone_id, owner=m.owner, due=m.due.isoformat()) for m in unowned],
    )
