"""No prospective CSS leader has been identified and interviewed, or the interview rated the leader weak."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.remedies import appointment_made, caretaker_leader, describe_appointment, leader_in_post
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_rating: int = Field(ge=1, le=4, description="Lowest BDU leader-interview rating (1–4) that passes.")


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
    remedy="a substantive appointment made, or an interim or acting leader in post who was interviewed",
)
def leader_not_interviewed(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That a prospective leader is identified on the assessment date, that the BDU interviewed that leader, and
    that the interview rating is at least `min_rating` of 4. The prospective leader is the plan's `lead_name`
    (the person the CSS puts forward to lead it) or, when none is named, a substantive managing director in
    post. A substantive appointment whose `appointed_on` is after the assessment date is an appointment made,
    not a leader in post; an interim or acting managing director holds the post but is not put forward as the
    prospective leader unless named as `lead_name`.

    With no prospective leader, two remedies lower the failure one step: a substantive appointment made (the
    appointee not yet started), or an interim or acting managing director in post whom the BDU interviewed.

    ## Why it matters
    Leadership was one of the three checkpoint 2 domains; prospective CSS leaders were interviewed by the
    BDU, and "strong and experienced leadership is vital" to a CSS surviving the transition.

    ## Severity
    High for a leader interviewed but rated below `min_rating`: a weak interview needs rapid management
    (development or replacement before hosting), not a stop. Critical with no prospective leader identified,
    or the leader not interviewed: the leadership domain cannot pass without a leader the BDU has met. An
    agreed remedy lowers "no prospective leader" one step, to high: with an appointment made the gap has a
    date to close, and with an interim or acting leader interviewed somebody the BDU has met leads meanwhile;
    either still needs rapid management, since leaders were to be appointed by the end of June 2012.

    ## Evidence used
    `business_plan.yaml`: `leadership.lead_name`, `leadership.leader_interviewed`,
    `leadership.leader_interview_rating`; `senior_team.csv` (`managing_director` rows: `name`, `status`,
    `appointed_on`) and the assessment date. An interview held but not rated, or not recorded either way, is
    NOT_EVIDENCED.

    ## Source
    [S] seed `002` ("Prospective CSS leaders are interviewed"; "strong and experienced leadership is vital";
    "CSS leaders to be appointed by end of June 2012"); BRIEF.md decision model (leadership domain; "a
    leadership gap with an appointment made" as a remedy [A]). Rating scale and `min_rating` of 3 of 4 [A].
    Accepting a substantive managing director as the identified leader improves on the BRIEF, which looked
    only at the lead.
    """
    as_of = ctx.as_of
    expected = f"a named leader, interviewed by the BDU, rated ≥ {p.min_rating} of 4"
    leadership = sub.plan.leadership
    interviewed = leadership.leader_interviewed
    leader = leadership.lead_name
    if leader is None:
        director = leader_in_post(sub, as_of)
        leader = director.name if director is not None else None
    if leader is None:
        appointee = appointment_made(sub, as_of)
        caretaker = caretaker_leader(sub, as_of)
        if appointee is not None:
            remedy: str | None = describe_appointment(appointee)
        elif caretaker is not None and interviewed is True:
            rating = leadership.leader_interview_rating
            rated = f", rated {rating} of 4" if rating is not None else ""
            remedy = (
                f"{caretaker.name}, {caretaker.status.value} managing director, leads meanwhile and was "
                f"interviewed by the BDU{rated}"
            )
        else:
            remedy = None
        return judge(
            passed=False,
            critical=True,
            remedy=remedy,
            actual="no leader in post",
            expected=expected,
            finding=f"No prospective CSS leader is named in the plan or in post on {as_of.isoformat()}"
            + (f"; {remedy}." if remedy else "."),
        )
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
    rating = leadership.leader_interview_rating
    if rating is None:
        return not_evidenced("the leader interview rating (leadership.leader_interview_rating)", expected)
    return judge(
        passed=rating >= p.min_rating,
        measures=[
            measure(
                "leader interview rating (of 4)", rating, Unit.SCORE, at_least("min_rating", p.min_rating)
            )
        ],
        actual=f"{rating} of 4",
        expected=expected,
        finding=f"The BDU interviewed the prospective leader, {leader}, and rated the interview {rating} of 4 "
        f"(at least {p.min_rating} needed).",
    )
