"""The full business plan, financial model or balanced scorecard was not submitted on time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_most, check, judge, measure, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import Submission

DocumentName = Literal["full_business_plan", "financial_model", "balanced_scorecard"]

# A document flagged as submitted counts only if the table that carries it is there too: the flag is the
# CSS's own claim, the table is the evidence. The narrative plan has no table.
_CARRIED_BY: dict[str, str] = {"financial_model": "financial_plan", "balanced_scorecard": "scorecard"}


class Params(CheckParams):
    required: tuple[DocumentName, ...] = Field(
        min_length=1, description="Documents the checkpoint 3 submission must contain."
    )
    grace_days: int = Field(
        ge=0, le=31, description="Days after the deadline a submission still counts as on time."
    )


@check(
    id="CP3-EVD-01",
    name="The full business plan, financial model or balanced scorecard was not submitted on time",
    checkpoint=3,
    domain=Domain.BUSINESS,
    group=CheckGroup.EVIDENCE,
    params=Params,
    action="Submit the missing checkpoint 3 documents to the BDU at once and agree a revised assessment date.",
    evidence_required="The full business plan, 4-year financial model and balanced scorecard, as received by the BDU.",
)
def full_plan_submitted(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the checkpoint 3 submission contains each of the `required` documents (full business plan, financial
    model, balanced scorecard) and reached the BDU by the checkpoint deadline (31 August 2012) plus
    `grace_days`. The financial model counts only if `financial_plan` rows were submitted, and the balanced
    scorecard only if `scorecard` rows were: a `documents` flag without its table is a claim, not evidence.

    ## Why it matters
    Checkpoint 3 "comprehensively tests" the full business plan; without the plan, the four-year financial
    model and the scorecard the BDU has nothing to assess, and a checkpoint with no submission by its deadline
    fails.

    ## Severity
    Critical. The full business plan, the financial model and the balanced scorecard are the checkpoint 3
    submission; without them the business test cannot be passed.

    ## Evidence used
    `business_plan.yaml`: `documents`, `submitted_on`; presence of `financial_plan.csv` and `scorecard.csv`;
    the checkpoint 3 deadline from the calendar.

    ## Source
    [S] seed `003` ("SLAs signed and submitted by 31st August"; full business plans due 31 August), seed `002`
    (August 2012: full business plans submitted to BDU), BRIEF.md CP3-EVD-01. Cross-checking each flag against
    its table is our addition [A].
    """
    if sub.plan.documents is None:
        return not_evidenced("the list of checkpoint 3 documents (business_plan.yaml: documents)")
    if sub.plan.submitted_on is None:
        return not_evidenced("the submission date (business_plan.yaml: submitted_on)")
    tables = {"financial_plan": sub.financial_plan, "scorecard": sub.scorecard}
    missing: list[EvidenceRow] = []
    for name in p.required:
        declared = bool(getattr(sub.plan.documents, name))
        table = _CARRIED_BY.get(name)
        if not declared:
            missing.append(row(document=name, problem="not submitted"))
        elif table is not None and not tables[table]:
            missing.append(row(document=name, problem=f"declared, but {table} table not submitted"))
    late_by = 0
    if ctx.deadline is not None:
        late_by = (sub.plan.submitted_on - ctx.deadline).days
    late = late_by > p.grace_days
    if late:
        missing.append(row(document="submission", problem=f"received {late_by} day(s) after the deadline"))
    deadline = ctx.deadline.isoformat() if ctx.deadline else "the deadline"
    on_time = f"{'late' if late else 'on time'} ({sub.plan.submitted_on.isoformat()}, deadline {deadline})"
    documents_missing = any(m["document"] != "submission" for m in missing)
    measures = (
        []
        if documents_missing or ctx.deadline is None
        else [measure("days after the deadline", late_by, Unit.DAYS, at_most("grace_days", p.grace_days))]
    )
    documents_found = len(p.required) - sum(1 for m in missing if m["document"] != "submission")
    return judge(
        passed=not missing,
        measures=measures,
        actual=f"{documents_found} of {len(p.required)} documents, {on_time}",
        expected=f"all of {', '.join(p.required)} by {deadline}",
        finding=f"{documents_found} of {len(p.required)} required checkpoint 3 documents were submitted, "
        f"{on_time}.",
        evidence=missing,
    )
