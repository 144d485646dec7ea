"""The final outline business plan reached the BDU after the checkpoint 2 deadline, or is undated."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_most,
    check,
    judge,
    measure,
    not_applicable,
    not_evidenced,
)
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


def _day(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


class Params(CheckParams):
    grace_days: int = Field(
        ge=0, le=60, description="Days after the deadline a plan still counts as on time (0 = none)."
    )


@check(
    id="CP2-EVD-01",
    name="Final outline business plan submitted late or undated",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.EVIDENCE,
    params=Params,
    action="Explain the late submission to the BDU and agree a recovery timetable for the remaining evidence.",
    evidence_required="BDU confirmation of the date the final outline business plan was received.",
)
def late_submission(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the final outline business plan reached the BDU (`submitted_on`) no later than the checkpoint 2
    submission deadline from the calendar, plus `grace_days`.

    ## Why it matters
    Checkpoint 2 assessed only the plans submitted by the end of March 2012; a CSS that could not submit on
    time did not progress. The check is critical: a late plan makes the evidence domain RED.

    ## Severity
    Medium. A final outline plan that came after the deadline was still assessed; the lateness is recorded
    for the development plan. Nothing arriving at all is recorded as not submitted, which stops the CSS.

    ## Evidence used
    `business_plan.yaml`: `submitted_on`; the calendar's checkpoint 2 deadline (`calendar-2012.yaml`).
    A plan with no `submitted_on` is NOT_EVIDENCED: the BDU must record when it arrived.

    ## Source
    [S] seed `002` ("By March 2012 … final outline business plans are submitted"); BRIEF.md checkpoint table
    (plans due end of March 2012). `grace_days` [A] is 0 in the 2012 rule set.
    """
    if ctx.deadline is None:
        return not_applicable("the calendar sets no checkpoint 2 submission deadline")
    submitted = sub.plan.submitted_on
    expected = f"on or before {_day(ctx.deadline)}" + (
        f" (+{p.grace_days} days' grace)" if p.grace_days else ""
    )
    if submitted is None:
        return not_evidenced("the date the plan reached the BDU (business_plan.yaml submitted_on)", expected)
    days_late = (submitted - ctx.deadline).days
    if days_late > 0:
        when = f"{days_late} day(s) after"
    elif days_late < 0:
        when = f"{-days_late} day(s) before"
    else:
        when = "on"
    return judge(
        passed=days_late <= p.grace_days,
        measures=[
            measure("days after the deadline", days_late, Unit.DAYS, at_most("grace_days", p.grace_days))
        ],
        actual=f"{_day(submitted)}",
        expected=expected,
        finding=f"The final outline business plan reached the BDU on {_day(submitted)}, {when} the "
        f"{_day(ctx.deadline)} deadline.",
    )
