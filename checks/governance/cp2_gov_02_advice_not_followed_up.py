"""The advice given at checkpoint 1 is not followed up in the checkpoint 2 development plan."""

from __future__ import annotations

from csu_assure.checking import Context, NoParams, check, judge, not_applicable, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain
from csu_assure.results import Judgement, PlanItem
from csu_assure.submission import MilestoneRow, Submission


def _follow_up(item: PlanItem, milestones: tuple[MilestoneRow, ...]) -> str | None:
    """None if the CSS reports on the item (met, or in hand); otherwise why it is not followed up."""
    matches = [m for m in milestones if m.milestone_id == item.item_id] or [
        m for m in milestones if m.check_id == item.check_id
    ]
    if not matches:
        return "not in the development plan"
    if all(m.met is False for m in matches):
        return "reported not acted on"
    return None


@check(
    id="CP2-GOV-02",
    name="Checkpoint 1 advice not followed up",
    checkpoint=2,
    domain=Domain.LEADERSHIP,
    group=CheckGroup.GOVERNANCE,
    params=NoParams,
    action="Take each piece of checkpoint 1 advice into the development plan, with an owner and a date, or "
    "record with the BDU why it no longer applies.",
    evidence_required="A development-plan row answering each checkpoint 1 item, under the item's id.",
)
def advice_not_followed_up(sub: Submission, p: NoParams, ctx: Context) -> Judgement:
    """## What it checks
    Every item of the advice given at checkpoint 1 (the plan carried from it) must be answered in
    `development_plan.csv`, in a row whose `milestone_id` is the item's id or whose `check_id` is the item's
    check: reported met, or in hand (`met` blank). An item absent from the plan, or only reported not acted on
    (`met` false), is not followed up. Not applicable when checkpoint 1 gave no advice.

    ## Why it matters
    Checkpoint 1 was a desktop review of draft outline plans that produced advice, not binding milestones;
    checkpoint 2 then judged the final outline plan. A CSS that ignores what the BDU told it in January shows
    weak governance, and the same weaknesses reappear in the checkpoint 2 checks that judge them on their own
    facts (scale, offer, costs).

    ## Severity
    Low, advice: nothing binding came out of checkpoint 1, so ignoring it is not a breach. What the advice was
    about is judged again, on the checkpoint 2 facts, by the checks for it (a CSS still too small fails
    CP2-SCL-01, not this check).

    ## Evidence used
    The checkpoint 1 plan carried in the context (`item_id`, `check_id`) and `development_plan.csv`:
    `milestone_id`, `check_id`, `met`. Evidence rows name each item not followed up.

    ## Source
    [S] seed `002` (checkpoint 1: draft outline plans reviewed by the BDU); BRIEF.md decision model
    (checkpoint 1 findings are advice to address by checkpoint 2, not binding milestones) [A].
    """
    advice = [i for i in ctx.prior_plan if i.item_id.endswith("@1")]
    if not advice:
        return not_applicable("checkpoint 1 gave no advice to follow up")
    expected = f"all {len(advice)} checkpoint 1 item(s) answered in the development plan"
    if sub.development_plan is None:
        return not_evidenced("the development plan (development_plan.csv)", expected)
    missing = [(item, why) for item in advice if (why := _follow_up(item, sub.development_plan)) is not None]
    return judge(
        passed=not missing,
        actual=f"{len(advice) - len(missing)} of {len(advice)} followed up",
        expected=expected,
        finding=f"{len(advice) - len(missing)} of {len(advice)} checkpoint 1 advice item(s) are answered in the "
        "development plan" + (f"; {len(missing)} not followed up." if missing else "."),
        evidence=[row(item_id=item.item_id, check_id=item.check_id, status=why) for item, why in missing],
    )
