"""A domain escalated at checkpoint 2 has not been resolved by a leadership intervention or a merger."""

from __future__ import annotations

from csu_assure.checking import Context, NoParams, check, judge, not_applicable, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain
from csu_assure.language import cap, none_of, verb
from csu_assure.remedies import agreed_merger_route, escalated_domain, leader_in_post
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import Submission

# Nearly every checkpoint 3 assessment has no escalation to re-examine: one shared (immutable) conclusion.
_NO_ESCALATION = not_applicable("the checkpoint 2 development plan had no escalation")


@check(
    id="CP3-DEL-05",
    name="Checkpoint 2 escalation not resolved",
    checkpoint=3,
    domain=Domain.DELIVERY,
    group=CheckGroup.DELIVERY,
    params=NoParams,
    action="Escalate to the BDU and the SHA: complete the intervention or merger the checkpoint 2 escalation "
    "required, and agree whether the CSS can go on.",
    evidence_required="The substantive managing director's appointment, or the agreed merger or collaboration "
    "route, and the development plan reporting the escalation item met.",
)
def escalation_not_resolved(sub: Submission, p: NoParams, ctx: Context) -> Judgement:
    """## What it checks
    Every escalation item of the development plan agreed at checkpoint 2 (carried in the context, `kind` =
    escalation, id `ESCALATION-<domain>@2`): a checkpoint 2 B with one failed domain went on only with that
    domain escalated. Each is resolved when both:
    1. the submission's `development_plan.csv` reports it met: a row whose `milestone_id` is the item's id,
       with `met` = true; and
    2. the remedy is evidenced in the submission: for a leadership escalation, a substantive managing director
       in post on the assessment date; for a business-plan or customer escalation, a merger or collaboration
       route agreed or completed by then (`merger_route`, or the older `merger_route_agreed: true`).
    Not applicable when the checkpoint 2 plan had no escalation. That the escalated domain is no longer
    failed is judged by that domain's own checks at this checkpoint.

    ## Why it matters
    The escalation was the condition on which a CSS that failed a domain at checkpoint 2 was let go on, due
    when leaders were to be in post (end of June 2012) and "re-examined at checkpoint 3". A CSS reporting the
    item met without the intervention or merger in place has not met it; one that does not report it has
    dropped it.

    ## Severity
    Critical: the escalation is a binding development-plan item, and "any breach of a business development
    plan means that a CSS fails". It fails the delivery test, as a missed milestone does (CP3-DEL-01, which
    also counts an escalation not reported met; this check adds whether the remedy is really in place).

    ## Evidence used
    The checkpoint 2 development plan (`item_id`, `kind`); `development_plan.csv`: `milestone_id`, `met`;
    `senior_team.csv`: `role`, `name`, `status`, `appointed_on`; `business_plan.yaml`: `merger_route` or
    `merger_route_agreed`; the assessment date. Evidence rows name each unresolved escalation and why.

    ## Source
    [S] seed `002` ("any breach of a business development plan means that a CSS fails"; "CSS leaders to be
    appointed by end of June 2012"); seed `000` (merger with another CSS as the checkpoint 2 alternative);
    BRIEF.md decision model (one failed domain → B "with an escalation (leadership intervention or merger,
    named in the plan and re-examined at checkpoint 3)" [A]). Which remedy answers which domain [A]: a
    leadership failure needs a leader; a business-plan or customer failure needs the scale or customers a
    merger brings.
    """
    escalations = [item for item in ctx.prior_plan if item.kind == "escalation"]
    if not escalations:
        return _NO_ESCALATION
    expected = "each checkpoint 2 escalation reported met, with its intervention or merger in place"
    if sub.development_plan is None:
        return not_evidenced("the development plan and its progress (development_plan.csv)", expected)
    met_ids = {m.milestone_id for m in sub.development_plan if m.met is True}
    reported_ids = {m.milestone_id for m in sub.development_plan}
    leader = leader_in_post(sub, ctx.as_of)
    route = agreed_merger_route(sub, ctx.as_of)
    leader_remedy = f"{leader.name} is the substantive managing director in post" if leader else None
    unresolved: list[EvidenceRow] = []
    reasons: list[str] = []
    for item in escalations:
        domain = escalated_domain(item)
        if domain is Domain.LEADERSHIP:
            remedy, lack = leader_remedy, "no substantive managing director in post"
        elif domain in (Domain.BUSINESS, Domain.CUSTOMER):
            remedy, lack = route, "no merger or collaboration route agreed or completed"
        else:  # an id this engine did not write: accept either intervention the escalation names
            remedy = leader_remedy or route
            lack = (
                "neither a substantive leader in post nor a merger or collaboration route agreed or completed"
            )
        met = item.item_id in met_ids
        if met and remedy:
            continue
        reported = "met" if met else ("reported not met" if item.item_id in reported_ids else "not reported")
        if met:
            why = f"{item.item_id} is reported met, but there is {lack}"
        elif remedy:
            why = f"{item.item_id} is {reported} ({remedy})"
        else:
            why = f"{item.item_id} is {reported}, and there is {lack}"
        unresolved.append(
            row(
                milestone=item.item_id,
                domain=domain.value if domain else "",
                reported=reported,
                remedy=remedy or f"none: {lack}",
            )
        )
        reasons.append(why)
    resolved = len(escalations) - len(unresolved)
    return judge(
        passed=not unresolved,
        actual=f"{len(unresolved)} unresolved",
        expected=expected,
        finding=f"{cap(none_of(resolved, len(escalations), 'checkpoint 2 escalation'))} "
        f"{verb(resolved, 'is')} resolved" + (": " + "; ".join(reasons) + "." if reasons else "."),
        evidence=unresolved,
    )
