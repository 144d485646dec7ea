"""CCGs interviewed by the BDU have little confidence in the CSS offer."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_least,
    at_most,
    check,
    judge,
    measure,
    not_evidenced,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.figures import interview_scores
from csu_assure.results import Judgement
from csu_assure.submission import QUESTION_LABELS, Submission


class Params(CheckParams):
    pass_mean: float = Field(ge=1, le=5, description="Lowest mean score (1–5) over all answers that passes.")
    critical_mean_below: float = Field(ge=1, le=5, description="Below this mean the failure is critical.")
    max_ccgs_scoring_one: int = Field(
        ge=0, description="How many CCGs may give a score of 1 to any question before the check fails."
    )


@check(
    id="CP2-CUS-02",
    name="CCGs interviewed have low confidence in the CSS offer",
    checkpoint=2,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Meet each dissatisfied CCG, agree what must change in the offer, and report back to the BDU.",
    evidence_required="Each dissatisfied CCG's confidence score at a BDU follow-up interview or in the September "
    "CCG survey, with the changes agreed with it.",
)
def ccg_confidence(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The CCGs' confidence in the CSS offer from the BDU interviews: the mean of every answered item (1–5,
    "don't know" excluded) must be at least `pass_mean`, and no more than `max_ccgs_scoring_one` CCGs may
    score any item 1. A mean below `critical_mean_below` is a critical failure.

    ## Why it matters
    Customer focus was one of the three checkpoint 2 domains, and CCG dissatisfaction was widespread (71%
    of one survey's respondents were unhappy with the support offered). A single CCG scoring an item 1 is a
    customer close to walking away, which an average can hide.

    ## Severity
    High when the mean is below `pass_mean` or a CCG scores 1: customers with doubts need rapid management
    of the relationship. Critical below `critical_mean_below`: the CCGs as a whole lack confidence in the
    offer, so customer focus fails.

    ## Evidence used
    `ccg_interviews.csv`: `interviewed` and the seven scored items (`understanding` … `recommend`).
    Evidence rows name each CCG that gave a 1 or whose own mean is below `pass_mean`.

    ## Source
    [S] seed `000` (CCG dissatisfaction survey, 2012); BRIEF.md interview items and 5-point scale.
    Thresholds (mean ≥ 3.0, no CCG at 1, critical below 2.5) [A] from BRIEF.md CP2-CUS-02.
    """
    rows = [r for r in sub.ccg_interviews or () if r.interviewed]
    scored = [(r.ccg_id, {q: s for q, s in r.scores().items() if s is not None}) for r in rows]
    answers = [s for _, scores in scored for s in scores.values()]
    expected = (
        f"mean ≥ {p.pass_mean:.1f} and ≤ {p.max_ccgs_scoring_one} CCG(s) scoring 1 "
        f"(critical below {p.critical_mean_below:.1f})"
    )
    if not answers:
        return not_evidenced("scored CCG interview answers (ccg_interviews.csv)", expected)
    mean = sum(answers) / len(answers)
    flagged = []
    for ccg_id, scores in scored:
        if not scores:
            continue
        own_mean = sum(scores.values()) / len(scores)
        ones = [QUESTION_LABELS[q] for q, s in scores.items() if s == 1]
        if ones or own_mean < p.pass_mean:
            flagged.append((ccg_id, own_mean, ones))
    scoring_one = sum(1 for _, _, ones in flagged if ones)
    # `rows` are the interviewed CCGs, whose scores are shared with the record's key figures.
    weakest = min((q for q in interview_scores(sub) if q.mean is not None), key=lambda q: q.mean or 0)
    return judge(
        passed=mean >= p.pass_mean and scoring_one <= p.max_ccgs_scoring_one,
        measures=[
            measure(
                "mean interview score (of 5)",
                mean,
                Unit.SCORE,
                at_least("pass_mean", p.pass_mean),
                at_least("critical_mean_below", p.critical_mean_below, grade=Severity.CRITICAL),
            ),
            measure(
                "CCGs scoring an item 1",
                scoring_one,
                Unit.COUNT,
                at_most("max_ccgs_scoring_one", p.max_ccgs_scoring_one),
            ),
        ],
        critical=mean < p.critical_mean_below,
        actual=f"{mean:.2f}",
        expected=expected,
        finding=f"Mean confidence is {mean:.2f} of 5 over {len(answers)} answers from {len(rows)} interviewed "
        f"CCGs; {scoring_one} CCG(s) scored an item 1; weakest item: {weakest.label} ({weakest.mean:.2f}).",
        evidence=[
            row(ccg_id=ccg_id, mean=f"{own_mean:.2f}", scored_1=", ".join(ones) or "none")
            for ccg_id, own_mean, ones in flagged
        ],
    )
