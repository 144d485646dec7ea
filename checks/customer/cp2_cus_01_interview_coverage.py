"""The BDU has not interviewed every CCG the CSS names as a customer."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced, pct, row
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    pass_at: float = Field(ge=0, le=1, description="Share of named CCGs that must have been interviewed.")
    medium_below: float = Field(ge=0, le=1, description="Below this share the failure is medium, not low.")


@check(
    id="CP2-CUS-01",
    name="Not every customer CCG has been interviewed about the CSS offer",
    checkpoint=2,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Ask each customer CCG not yet interviewed to take part in a BDU interview, and give the BDU its contact "
    "and its intentions.",
    evidence_required="A BDU interview record for every named customer CCG.",
)
def interview_coverage(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The share of the CCGs named in `ccgs.csv` that the BDU has interviewed about the CSS offer
    (`interviewed` true in `ccg_interviews.csv`). Full coverage (`pass_at`) passes; a shortfall is low, and
    medium when coverage falls below `medium_below`.

    ## Why it matters
    The customer-focus judgement at checkpoint 2 rests on what the CCGs say; a CCG not interviewed is a
    customer whose view and intentions are unknown, so every customer measure is weaker for it.

    ## Severity
    Low (advice), medium below `medium_below`. A missed interview is a gap in the BDU's evidence, not evidence
    that the CSS is failing its customers: the customer measures that read the interviews (confidence,
    commitment, reconciliation) carry the weight of what the CCGs said. Below 80% so much of the customer view
    is missing that it becomes a development-plan item in its own right.

    ## Evidence used
    `ccgs.csv` (the named customers) and `ccg_interviews.csv`: `ccg_id`, `interviewed`. Evidence rows name
    each CCG not interviewed.

    ## Source
    [S] seed `002` ("BDU interviews CCGs about offer from the local CSS"); thresholds [A] from BRIEF.md
    CP2-CUS-01 (100%; worse below 80%).
    """
    if sub.ccg_interviews is None:
        return not_evidenced("the BDU's CCG interviews (ccg_interviews.csv)", f"{pct(p.pass_at)} of CCGs")
    held = {r.ccg_id: r.interviewed for r in sub.ccg_interviews}
    missing = [c for c in sub.ccgs if not held.get(c.ccg_id, False)]
    covered = len(sub.ccgs) - len(missing)
    coverage = covered / len(sub.ccgs)
    passed = coverage >= p.pass_at
    return judge(
        passed=passed,
        severity=Severity.MEDIUM if coverage < p.medium_below else None,
        measures=[
            measure(
                "share of named CCGs interviewed",
                coverage,
                Unit.SHARE,
                at_least("pass_at", p.pass_at),
                at_least("medium_below", p.medium_below, grade=Severity.MEDIUM),
            )
        ],
        actual=pct(coverage),
        expected=f"≥ {pct(p.pass_at)} of named CCGs interviewed (medium below {pct(p.medium_below)})",
        finding=f"The BDU interviewed {covered} of the {len(sub.ccgs)} CCGs named as customers.",
        evidence=[
            row(
                ccg_id=c.ccg_id,
                ccg_name=c.ccg_name,
                reason="no interview row" if c.ccg_id not in held else "interview not held",
            )
            for c in missing
        ],
    )
