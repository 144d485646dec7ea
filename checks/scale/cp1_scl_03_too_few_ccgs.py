"""Too few CCGs to spread the CSS's fixed costs and customer risk."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_ccgs: int = Field(ge=1, description="Fewest prospective CCG customers expected.")


@check(
    id="CP1-SCL-03",
    name="Too few prospective CCG customers to spread fixed costs and risk",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.SCALE,
    params=Params,
    action="Widen the customer base, or set out how the CSS survives one CCG taking its support elsewhere.",
    evidence_required="Named further prospective CCGs, or a sensitivity analysis of losing the largest CCG.",
)
def too_few_ccgs(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The number of CCGs listed as prospective customers, against `min_ccgs`.

    ## Why it matters
    With very few customers one CCG taking its support in house, or to another provider, removes a large
    share of income; CCGs were expected to exercise real choice. CSSs in 2012 served between 3 and 24 CCGs,
    so fewer than 3 is outside anything observed.

    ## Severity
    Medium. Real CSSs served 3 to 24 CCGs; fewer than three makes the income fragile, which the development
    plan should answer by checkpoint 2.

    ## Evidence used
    `ccgs.csv`: one row per prospective CCG.

    ## Source
    [D] BRIEF.md reference figures (CSSs covered "3–24 CCGs"); seed `001` (CCGs will "demand real choice").
    Added to the catalogue beyond BRIEF.md's list, advisory only.
    """
    count = len(sub.ccgs)
    return judge(
        passed=count >= p.min_ccgs,
        measures=[measure("prospective CCG customers", count, Unit.COUNT, at_least("min_ccgs", p.min_ccgs))],
        actual=count,
        expected=f"≥ {p.min_ccgs} CCGs",
        finding=f"The plan names {count} prospective CCG customer(s) (at least {p.min_ccgs} expected).",
    )
