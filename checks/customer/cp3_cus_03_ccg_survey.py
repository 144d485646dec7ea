"""CCGs' September survey shows weak satisfaction with, or engagement in, the CSS."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced, pct, row
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.figures import survey_scores
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_response_rate: float = Field(ge=0, le=1, description="Share of the CSS's CCGs that must respond.")
    top2_pass_at: float = Field(ge=0, le=1, description="Share of answers scoring 4 or 5 needed to pass.")
    top2_critical_below: float = Field(ge=0, le=1, description="Below this top-2-box share: critical.")


@check(
    id="CP3-CUS-03",
    name="CCGs' September survey shows weak satisfaction with, or engagement in, the CSS",
    checkpoint=3,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Meet each dissatisfied or non-responding CCG, agree what must change, and re-survey them.",
    evidence_required="A repeat survey of every customer CCG, run with the BDU, giving its response rate and the "
    "share of scores of 4 or 5, and the actions agreed with each dissatisfied CCG.",
)
def ccg_survey(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Two figures from the BDU's September CCG survey. The response rate: CCGs that responded ÷ every CCG
    listed in the footprint (a CCG missing from the survey table counts as not responding). The top-2-box
    share: answers scoring 4 or 5 ÷ all scored answers, pooled over the seven questions ("don't know" left
    out). Passes when the response rate is ≥ `min_response_rate` and top-2-box ≥ `top2_pass_at`; critical
    when top-2-box < `top2_critical_below`.

    ## Why it matters
    The survey, with the meeting of CCG leads, is how checkpoint 3 tests the CSS's customer focus. Low
    response means the CSS's customers are not engaged with it; low top-2-box means they are not satisfied.

    ## Severity
    High when the top-2-box share is below `top2_pass_at`, or the response rate below `min_response_rate`:
    the customers' verdict is lukewarm or unclear. Critical when top-2-box falls below
    `top2_critical_below`: most CCGs rate the CSS poorly, so the customer test fails.

    ## Evidence used
    `ccg_survey.csv`: `ccg_id`, `responded` and the seven 1–5 scores; `ccgs.csv` for the denominator.

    ## Source
    [S] seed `003` (September CCG survey as part of checkpoint 3, to check on customer focus); thresholds [A]
    BRIEF.md CP3-CUS-03. Counting CCGs absent from the survey as non-responders is our refinement [A]: a survey
    table that simply omits unhappy CCGs must not raise the response rate.
    """
    if not sub.ccg_survey:
        return not_evidenced("the September CCG survey (ccg_survey.csv)")
    responders = tuple(r for r in sub.ccg_survey if r.responded)
    responded_ids = {r.ccg_id for r in responders}
    footprint = sub.ccg_ids
    responding = len(responded_ids & footprint)
    response_rate = responding / len(footprint)
    scores = survey_scores(sub)  # the responders' scores, shared with the record's key figures
    answers = sum([s.answers for s in scores])
    top2 = sum([(s.top2_share or 0.0) * s.answers for s in scores]) / answers if answers else None
    evidence: list[EvidenceRow] = [
        row(ccg_id=c, responded=False, top2_share=None) for c in sorted(footprint - responded_ids)
    ]
    pass_at = p.top2_pass_at
    for r in responders:
        given = [v for v in r.answers() if v is not None]
        own = len([v for v in given if v >= 4]) / len(given) if given else None
        if own is not None and own < pass_at:
            evidence.append(row(ccg_id=r.ccg_id, responded=True, top2_share=pct(own)))
    top2_text = pct(top2) if top2 is not None else "none"
    scored = (
        f"{top2_text} of {answers} scored answers were 4 or 5" if top2 is not None else "no CCG gave a score"
    )
    return judge(
        passed=response_rate >= p.min_response_rate and top2 is not None and top2 >= p.top2_pass_at,
        critical=top2 is not None and top2 < p.top2_critical_below,
        measures=[
            measure(
                "survey response rate",
                response_rate,
                Unit.SHARE,
                at_least("min_response_rate", p.min_response_rate),
            ),
            measure(
                "answers scoring 4 or 5 (top-2-box)",
                top2,
                Unit.SHARE,
                at_least("top2_pass_at", p.top2_pass_at),
                at_least("top2_critical_below", p.top2_critical_below, grade=Severity.CRITICAL),
            ),
        ]
        if top2 is not None
        else [],
        actual=f"response {pct(response_rate)}, top-2-box {top2_text}",
        expected=f"response ≥ {pct(p.min_response_rate)} and top-2-box ≥ {pct(p.top2_pass_at)} "
        f"(critical below {pct(p.top2_critical_below)})",
        finding=f"{responding} of {len(footprint)} CCGs responded to the survey "
        f"({pct(response_rate)}); {scored}.",
        evidence=evidence,
    )
