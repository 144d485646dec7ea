"""A binding development-plan milestone was missed."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_most, check, judge, measure, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.language import cap, count, none_of, verb
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_missed: int = Field(
        ge=0, le=100, description="Binding milestones that may be missed (0: any breach fails)."
    )


@check(
    id="CP3-DEL-01",
    name="A binding development-plan milestone was missed",
    checkpoint=3,
    domain=Domain.DELIVERY,
    group=CheckGroup.DELIVERY,
    params=Params,
    action="Escalate to the BDU: complete each missed milestone and agree with the SHA whether the CSS can go on.",
    evidence_required="For each missed milestone, the evidence it required and the date it was met.",
)
def development_plan_met(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Two sources of binding milestones, each due on or before the assessment date:
    1. rows of the submitted development plan with `binding` = true: each must be reported `met` = true (a
       blank `met` on a due milestone counts as missed);
    2. every binding item of the development plan agreed at checkpoint 2 (carried in the context): the
       submission must report it met, in a row whose `milestone_id` is the item's id or whose `check_id` is the
       item's check, with `met` = true. An item the CSS does not report on at all is missed.
    More than `max_missed` (0) missed milestones fails at the rule set's severity (critical).

    ## Why it matters
    "Any breach of a business development plan means that a CSS fails." The checkpoint 2 plan was the
    condition on which a B-rated CSS was allowed to go on; reporting only on the milestones it chose to copy
    into its own table must not let a CSS drop the others.

    ## Severity
    Critical. "Any breach of a business development plan means that a CSS fails": a missed binding milestone
    fails the delivery test.

    ## Evidence used
    `development_plan.csv`: `milestone_id`, `check_id`, `action`, `due`, `binding`, `met`; the checkpoint 2
    development plan (`item_id`, `check_id`, `due`, `binding`) and the assessment date.

    ## Source
    [S] seed `002` ("any breach of a business development plan means that a CSS fails"); BRIEF.md decision
    model (a missed binding milestone at the next checkpoint is critical) and CP3-DEL-01. Only items due by
    the assessment date count [A]: a milestone not yet due cannot have been breached.
    """
    if sub.development_plan is None:
        return not_evidenced("the development plan and its progress (development_plan.csv)")
    missed: list[EvidenceRow] = []
    due_rows = [m for m in sub.development_plan if m.binding and m.due <= ctx.as_of]
    missed.extend(
        row(
            source="development_plan.csv",
            milestone=m.milestone_id,
            check_id=m.check_id,
            action=m.action,
            due=m.due,
            met="not reported" if m.met is None else m.met,
        )
        for m in due_rows
        if m.met is not True
    )
    due_items = 0
    for item in ctx.prior_plan:
        if not item.binding or item.due > ctx.as_of:
            continue
        reported = [
            m for m in sub.development_plan if m.milestone_id == item.item_id or m.check_id == item.check_id
        ]
        if any(m in due_rows for m in reported):
            continue  # the CSS carried this item into its own plan: judged above, counted once
        due_items += 1
        if not any(m.met is True for m in reported):
            missed.append(
                row(
                    source="checkpoint 2 plan",
                    milestone=item.item_id,
                    check_id=item.check_id,
                    action=item.action,
                    due=item.due,
                    met="not reported" if all(m.met is None for m in reported) else False,
                )
            )
    binding = len(due_rows) + due_items
    return judge(
        passed=len(missed) <= p.max_missed,
        measures=[
            measure("binding milestones missed", len(missed), Unit.COUNT, at_most("max_missed", p.max_missed))
        ],
        actual=f"{len(missed)} missed",
        expected=f"≤ {p.max_missed} binding milestones missed",
        finding=f"{cap(none_of(len(missed), binding, 'binding milestone'))} due by {ctx.as_of.isoformat()} "
        f"{verb(len(missed), 'was')} missed ({count(len(due_rows), 'milestone')} in the submitted plan, "
        f"{count(due_items, 'more', 'more', zero='none')} carried from checkpoint 2).",
        evidence=missed,
    )
