"""The draft outline plan reached the BDU after the checkpoint 1 deadline."""

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


class Params(CheckParams):
    grace_days: int = Field(
        ge=0,
        le=60,
        description="Days after the calendar deadline that a plan still counts as on time (0 = none).",
    )


@check(
    id="CP1-EVD-01",
    name="Outline plan not submitted by the checkpoint 1 deadline",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.EVIDENCE,
    params=Params,
    action="Agree with the BDU a recovery date for the outline plan and submit it by that date.",
    evidence_required="BDU receipt of the complete outline business plan, with its date of receipt.",
)
def outline_plan_late(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the draft outline business plan reached the BDU on or before the checkpoint 1 submission deadline
    in the calendar (plus `grace_days`).

    ## Why it matters
    Checkpoint 1 is a desktop review done in January 2012 for the whole cohort; a plan that arrives late
    cannot be reviewed alongside the others, and a checkpoint with no submission by its deadline is recorded
    as a failure.

    ## Severity
    Medium. The January desktop review still read a draft that came late; lateness is a governance point to
    put right by checkpoint 2, not a sign that the business will not stand up. (Nothing arriving at all is
    recorded as not submitted.)

    ## Evidence used
    `business_plan.yaml`: `submitted_on`; the checkpoint 1 deadline from the calendar file.

    ## Source
    [S] seed `000` ("Checkpoint 1 took place in January") and `002` (draft outline plans reviewed by the BDU);
    BRIEF.md decision model ("no submission by its deadline is recorded as FAIL"). Grace period [A].
    """
    if ctx.deadline is None:
        return not_applicable("the calendar gives no checkpoint 1 deadline")
    submitted = sub.plan.submitted_on
    if submitted is None:
        return not_evidenced("the date the plan was submitted (business_plan.yaml, submitted_on)")
    last_day = ctx.deadline + dt.timedelta(days=p.grace_days)
    days_late = (submitted - last_day).days
    timing = f"{days_late} day(s) after" if days_late > 0 else "on or before"
    return judge(
        passed=days_late <= 0,
        measures=[
            measure(
                "days after the deadline",
                (submitted - ctx.deadline).days,
                Unit.DAYS,
                at_most("grace_days", p.grace_days),
            )
        ],
        actual=submitted.isoformat(),
        expected=f"on or before {last_day.isoformat()}",
        finding=f"The outline plan was submitted on {submitted.day} {submitted:%B %Y}, {timing} the deadline "
        f"of {last_day.day} {last_day:%B %Y}.",
    )
