"""Some prospective CCG customers show no record of engagement with the emerging CSS."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_events_per_ccg: int = Field(ge=1, description="Engagement events expected with every named CCG.")


@check(
    id="CP1-CUS-01",
    name="Prospective CCG customers not engaged",
    checkpoint=1,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Hold engagement events with every prospective CCG not yet engaged and record what each needs.",
    evidence_required="Dated notes of the engagement events held with each CCG.",
)
def ccgs_not_engaged(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That every CCG named as a prospective customer has at least `min_events_per_ccg` recorded engagement
    events with the emerging CSS.

    ## Why it matters
    Good relationships with CCGs mean a better understanding of their requirements; the most developed
    commissioning support had "a clear customer centric approach", while CCGs reported that engagement was
    variable. A customer never engaged is a customer in name only.

    ## Severity
    Medium. A prospective customer the CSS has not met is one whose needs it cannot yet describe; engagement
    should be in hand by checkpoint 2, when the BDU interviews every CCG.

    ## Evidence used
    `ccgs.csv`: `ccg_id`, `ccg_name`, `engagement_events`.

    ## Source
    [S problem] seed `002` (engagement between the CSS and the CCGs "vital to the success of CSS
    development"), seed `004` and seed `001`; the threshold of one event per CCG [A].
    """
    below = [c for c in sub.ccgs if c.engagement_events < p.min_events_per_ccg]
    engaged = len(sub.ccgs) - len(below)
    return judge(
        passed=not below,
        measures=[
            measure(
                "fewest engagement events with a CCG",
                min(c.engagement_events for c in sub.ccgs),
                Unit.COUNT,
                at_least("min_events_per_ccg", p.min_events_per_ccg),
            )
        ],
        actual=f"{engaged} of {len(sub.ccgs)}",
        expected=f"every CCG with ≥ {p.min_events_per_ccg} engagement event(s)",
        finding=f"{engaged} of {len(sub.ccgs)} prospective CCGs have at least {p.min_events_per_ccg} recorded "
        f"engagement event(s), the least engaged {min(c.engagement_events for c in sub.ccgs)}"
        + (f"; not engaged: {', '.join(c.ccg_id for c in below)}." if below else "."),
        evidence=[
            row(ccg_id=c.ccg_id, ccg_name=c.ccg_name, engagement_events=c.engagement_events) for c in below
        ],
    )
