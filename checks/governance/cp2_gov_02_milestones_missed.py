"""Binding development-plan milestones carried from checkpoint 1 were missed."""

from __future__ import annotations

from csu_assure.checking import Context, NoParams, check, judge, not_applicable, not_evidenced, row
from csu_assure.domain import Domain
from csu_assure.results import Judgement, PlanItem
from csu_assure.submission import MilestoneRow, Submission


def _status(item: PlanItem, milestones: tuple[MilestoneRow, ...]) -> str | None:
    """None if the item is reported met; otherwise why it counts as missed."""
    matches = [m for m in milestones if m.milestone_id == item.item_id] or [
        m for m in milestones if m.check_id == item.check_id
    ]
    if not matches:
        return "not in the development plan"
    if any(m.met is False for m in matches):
        return "reported not met"
    if any(m.met is None for m in matches):
        return "not reported"
    return None


@check(
    id="CP2-GOV-02",
    name="Binding development-plan milestones from checkpoint 1 missed",
    checkpoint=2,
    domain=Domain.GOVERNANCE,
    params=NoParams,
    action="Meet the missed milestones immediately and agree with the BDU and SHA whether the CSS may continue.",
    evidence_required="Evidence that each missed milestone is now met, accepted by the BDU.",
)
def milestones_missed(sub: Submission, p: NoParams, ctx: Context) -> Judgement:
    """## What it checks
    Every binding item of the development plan carried from checkpoint 1 that fell due on or before the
    assessment date must appear in `development_plan.csv` (same `milestone_id` as the item, or the same
    `check_id`) reported `met: true`. An item absent from the plan, reported not met, or not reported at
    all counts as missed. Not applicable when there is no prior plan or nothing binding had fallen due.

    ## Why it matters
    "Any breach of a business development plan means that a CSS fails": a missed binding milestone is a
    critical failure, whatever the rest of the submission shows.

    ## Evidence used
    The prior development plan (`Context.prior_plan`: `item_id`, `check_id`, `due`, `binding`) and
    `development_plan.csv`: `milestone_id`, `check_id`, `met`. Evidence rows name each missed item.

    ## Source
    [S] seed `002` ("Any breach of a business development plan means that a CSS fails"); BRIEF.md decision
    model ("a missed binding milestone is a critical failure"). Treating an unreported milestone as missed
    [A]: the CSS must show a milestone is met, the BDU need not prove it was not.
    """
    if not ctx.prior_plan:
        return not_applicable("no development plan was carried from checkpoint 1")
    due = [i for i in ctx.prior_plan if i.binding and i.due <= ctx.as_of]
    if not due:
        return not_applicable(
            f"no binding checkpoint 1 milestone had fallen due by {ctx.as_of.day} {ctx.as_of:%B %Y}"
        )
    expected = f"all {len(due)} binding milestone(s) due by {ctx.as_of.day} {ctx.as_of:%B %Y} reported met"
    if sub.development_plan is None:
        return not_evidenced("milestone progress (development_plan.csv)", expected)
    missed = [(item, why) for item in due if (why := _status(item, sub.development_plan)) is not None]
    return judge(
        passed=not missed,
        actual=f"{len(missed)} of {len(due)} missed",
        expected=expected,
        finding=f"{len(due) - len(missed)} of {len(due)} binding checkpoint 1 milestone(s) due by "
        f"{ctx.as_of.day} {ctx.as_of:%B %Y} are reported met"
        + (f"; {len(missed)} missed." if missed else "."),
        evidence=[
            row(item_id=item.item_id, check_id=item.check_id, due=item.due.isoformat(), status=why)
            for item, why in missed
        ],
    )
