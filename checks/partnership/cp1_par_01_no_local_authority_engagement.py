"""No engagement with local authorities is recorded."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_engagements: int = Field(ge=1, description="Recorded engagements with local authorities expected.")


@check(
    id="CP1-PAR-01",
    name="No recorded engagement with local authorities",
    checkpoint=1,
    domain=Domain.CUSTOMER,
    group=CheckGroup.PARTNERSHIP,
    params=Params,
    action="Meet the local authorities in the footprint to explore joint commissioning support and public "
    "health work.",
    evidence_required="Notes of the meetings held with each local authority and the options agreed.",
)
def no_local_authority_engagement(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The number of recorded engagements with local authorities in the CSS's footprint, against
    `min_engagements`.

    ## Why it matters
    CCGs were forming integrated health and social care commissioning with their councils, public health was
    moving to local authorities, and councils could be partners, customers or competitors; the 2011 stocktake
    found that in some clusters "there was no evidence of any discussion".

    ## Severity
    Low, advice. Local-authority engagement "was variable" and mattered for joint commissioning, but it was
    never a pass mark.

    ## Evidence used
    `business_plan.yaml`: `local_authority_engagements`.

    ## Source
    [S problem] seed `004` (engagement with local government "variable"), seed `002` (joint working with
    local authorities), seed `001` (Kingston's collaborative with its council); the threshold [A].
    """
    count = sub.plan.local_authority_engagements
    if count is None:
        return not_evidenced("local-authority engagements (business_plan.yaml, local_authority_engagements)")
    return judge(
        passed=count >= p.min_engagements,
        measures=[
            measure(
                "local-authority engagements",
                count,
                Unit.COUNT,
                at_least("min_engagements", p.min_engagements),
            )
        ],
        actual=count,
        expected=f"≥ {p.min_engagements}",
        finding=f"{count} engagement(s) with local authorities recorded (at least {p.min_engagements} expected).",
    )
