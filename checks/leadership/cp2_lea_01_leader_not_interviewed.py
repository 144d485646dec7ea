"""No prospective CSS leader has been identified and interviewed, or the interview rated the leader weak."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, judge, not_evidenced
from csu_assure.domain import CheckGroup, Domain
from csu_assure.results import Judgement
from csu_assure.submission import AppointmentStatus, Role, Submission


class Params(CheckParams):
    min_rating: int = Field(ge=1, le=4, description="Lowest BDU leader-interview rating (1–4) that passes.")


def _prospective_leader(sub: Submission) -> str | None:
    """The named CSS lead, or failing that a named, non-vacant managing director in the senior team."""
    if sub.plan.leadership.lead_name:
        return sub.plan.leadership.lead_name
    for person in sub.senior_team or ():
        if (
            person.role is Role.MANAGING_DIRECTOR
            and person.name
            and person.status is not AppointmentStatus.VACANT
        ):
            return person.name
    return None


@check(
    id="CP2-LEA-01",
    name="No prospective leader interviewed, or the leader interview rated weak",
    checkpoint=2,
    domain=Domain.LEADERSHIP,
    group=CheckGroup.LEADERSHIP,
    params=Params,
    action="Name the prospective CSS leader and agree with the BDU a leadership development or intervention "
    "plan addressing the interview panel's concerns.",
    evidence_required="BDU leader re-interview (or panel note) rating the leader at the required level.",
)
def leader_not_interviewed(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That a prospective leader is identified (the plan's `lead_name`, or a named managing director in the
    senior team), that the BDU interviewed that leader, and that the interview rating is at least
    `min_rating` of 4.

    No leader, or no interview, is a critical failure; a leader interviewed but rated below `min_rating` is
    the rule set's severity (high), because a weak leader can be developed or replaced within the
    development plan, while a CSS with no leader cannot be assessed at all.

    ## Why it matters
    Leadership was one of the three checkpoint 2 domains; prospective CSS leaders were interviewed by the
    BDU, and "strong and experienced leadership is vital" to a CSS surviving the transition.

    ## Severity
    High for a leader interviewed but rated below `min_rating`: a weak interview needs rapid management
    (development or replacement before hosting), not a stop. Critical with no leader identified or no leader
    interview: the leadership domain cannot pass without a leader the BDU has met.

    ## Evidence used
    `business_plan.yaml`: `leadership.lead_name`, `leadership.leader_interviewed`,
    `leadership.leader_interview_rating`; `senior_team.csv` (`managing_director` row) when no lead is named.
    An interview held but not rated, or not recorded either way, is NOT_EVIDENCED.

    ## Source
    [S] seed `002` ("Prospective CSS leaders are interviewed"; "strong and experienced leadership is vital");
    BRIEF.md decision model (leadership domain). Rating scale and `min_rating` of 3 of 4 [A]. Accepting a
    named managing director as the identified leader improves on the BRIEF, which looked only at the lead.
    """
    leader = _prospective_leader(sub)
    expected = f"a named leader, interviewed by the BDU, rated ≥ {p.min_rating} of 4"
    if leader is None:
        return judge(
            passed=False,
            critical=True,
            actual="no leader",
            expected=expected,
            finding="No prospective CSS leader is named in the plan or the senior team.",
        )
    interviewed = sub.plan.leadership.leader_interviewed
    if interviewed is None:
        return not_evidenced(
            "whether the BDU interviewed the leader (leadership.leader_interviewed)", expected
        )
    if not interviewed:
        return judge(
            passed=False,
            critical=True,
            actual="not interviewed",
            expected=expected,
            finding=f"The prospective leader, {leader}, has not been interviewed by the BDU.",
        )
    rating = sub.plan.leadership.leader_interview_rating
    if rating is None:
        return not_evidenced("the leader interview rating (leadership.leader_interview_rating)", expected)
    return judge(
        passed=rating >= p.min_rating,
        actual=f"{rating} of 4",
        expected=expected,
        finding=f"The BDU interviewed the prospective leader, {leader}, and rated the interview {rating} of 4 "
        f"(at least {p.min_rating} needed).",
    )
