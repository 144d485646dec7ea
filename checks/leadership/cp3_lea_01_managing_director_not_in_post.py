"""No substantive managing director was in post by the end of June 2012."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, judge, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Severity
from csu_assure.remedies import appointment_made, describe_appointment, managing_directors_in_post
from csu_assure.results import Judgement
from csu_assure.submission import AppointmentStatus, Role, Submission


class Params(CheckParams):
    milestone: str = Field(
        min_length=1, description="Calendar milestone holding the date the MD must be in post by."
    )
    interim_severity: Severity = Field(description="Severity when only an interim or acting MD is in post.")
    late_severity: Severity = Field(
        description="Severity when a substantive MD is in post but was appointed after the milestone "
        "(or the appointment date is not stated)."
    )


@check(
    id="CP3-LEA-01",
    name="No substantive managing director was in post by the end of June 2012",
    checkpoint=3,
    domain=Domain.LEADERSHIP,
    group=CheckGroup.LEADERSHIP,
    params=Params,
    action="Appoint a substantive managing director, or agree a dated appointment plan with the BDU.",
    evidence_required="The managing director's letter of appointment (substantive) and start date.",
    remedy="a substantive managing director's appointment made",
)
def managing_director_in_post(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Whether the senior team lists a named managing director in post on the assessment date, on what terms,
    and since when. A substantive MD appointed on or before the calendar milestone `milestone`
    (`md_in_post_by`, 30 June 2012) passes. A substantive MD appointed later, or with no appointment date, fails
    at `late_severity`; an interim or acting MD only fails at `interim_severity`; no MD (vacant, unnamed, or
    appointed after the assessment date) fails at the rule set's severity (critical).

    A substantive appointment made but not yet taken up (a named substantive MD whose `appointed_on` is after
    the assessment date) is a remedy: it lowers the interim/acting failure, and the no-MD failure, one step.

    ## Why it matters
    CSS leaders were to be appointed by the end of June 2012, and there was a national shortage of applicants
    for MD posts. A CSS entering hosting with nobody accountable for it cannot give CCGs or the Board the
    assurance the checkpoint exists to provide.

    ## Severity
    Critical with no managing director in post: the leadership test cannot be passed by a CSS nobody leads.
    High with only an interim (or acting) MD (the BRIEF's "interim = major"): the post is covered but the
    binding appointment is not made, which needs rapid management. Medium for a substantive MD appointed
    after the milestone: the post is filled, only the date was missed. A substantive appointment made lowers
    the interim/acting failure to medium (the gap has a date to close, like a late appointment) and the no-MD
    failure to high (nobody leads the CSS until the appointee starts, but the appointment is made).

    ## Evidence used
    `senior_team.csv`: rows with `role` = managing_director: `name`, `status`, `appointed_on`; the calendar's
    `md_in_post_by` milestone and the assessment date.

    ## Source
    [S] seed `002` ("CSS leaders to be appointed by end of June 2012"), seed `003` (shortage of applicants for
    MD posts, HSJ 28 June 2012); BRIEF.md CP3-LEA-01 (interim = major, none = critical). A late substantive
    appointment weighs less than an interim one [A]: the post is filled, but the binding date was missed.
    BRIEF.md decision model ("a leadership gap with an appointment made" lowers a failure [A]).
    """
    if sub.senior_team is None:
        return not_evidenced("the senior team (senior_team.csv)")
    due = ctx.milestone_dates.get(p.milestone)
    if due is None:
        return not_evidenced(f"the calendar milestone {p.milestone!r}")
    directors = managing_directors_in_post(sub, ctx.as_of)
    substantive = [r for r in directors if r.status is AppointmentStatus.SUBSTANTIVE]
    on_time = [r for r in substantive if r.appointed_on is not None and r.appointed_on <= due]
    evidence = [
        row(role=r.role.value, name=r.name, status=r.status.value, appointed_on=r.appointed_on)
        for r in sub.senior_team
        if r.role is Role.MANAGING_DIRECTOR
    ]
    expected = f"a substantive managing director appointed by {due.isoformat()}"
    if on_time:
        md = on_time[0]
        return judge(
            passed=True,
            actual="substantive",
            expected=expected,
            finding=f"{md.name} is the substantive managing director, appointed on "
            f"{md.appointed_on.isoformat() if md.appointed_on else '?'}.",
        )
    if substantive:
        md = substantive[0]
        when = f"on {md.appointed_on.isoformat()}" if md.appointed_on else "on an unstated date"
        return judge(
            passed=False,
            severity=p.late_severity,
            actual="substantive, late" if md.appointed_on else "substantive, date not stated",
            expected=expected,
            finding=f"{md.name} was appointed substantive managing director {when}, so the "
            f"{due.isoformat()} milestone is not shown to be met.",
            evidence=evidence,
        )
    appointee = appointment_made(sub, ctx.as_of)
    remedy = describe_appointment(appointee) if appointee is not None else None
    if directors:
        md = directors[0]
        return judge(
            passed=False,
            severity=p.interim_severity,
            remedy=remedy,
            actual=md.status.value,
            expected=expected,
            finding=f"Only an {md.status.value} managing director ({md.name}) is in post on "
            f"{ctx.as_of.isoformat()}; "
            + (f"{remedy}." if remedy else "no substantive appointment has been made."),
            evidence=evidence,
        )
    return judge(
        passed=False,
        remedy=remedy,
        actual="none",
        expected=expected,
        finding=f"No managing director was in post on {ctx.as_of.isoformat()} (due by {due.isoformat()})"
        + (f"; {remedy}." if remedy else "."),
        evidence=evidence,
    )
