"""The planned workforce copies the PCT cluster's staffing instead of redesigning it."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_most,
    check,
    fmt,
    judge,
    measure,
    not_evidenced,
    pct,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_planned_share: Decimal = Field(
        ge=0, le=2, description="Largest planned WTE ÷ baseline WTE that counts as a redesigned workforce."
    )


@check(
    id="CP2-BUS-03",
    name="Workforce not redesigned: planned staffing copies the cluster baseline",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Redesign the workforce by service line (shared and at-scale delivery, new skills mix) so that "
    "planned WTE falls to the required share of the cluster baseline.",
    evidence_required="A revised workforce plan by service line with the planned WTE and how it is reached.",
)
def workforce_not_redesigned(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Total planned WTE as a share of the PCT cluster baseline WTE: at most `max_planned_share` passes.

    ## Why it matters
    The Commissioning Board insisted that setting up a CSS "is not just a case of corralling services
    together and putting a new sign above the door"; a workforce the size of the cluster's cannot deliver
    the efficiencies CCGs' £25-a-head running-cost allowance requires.

    ## Severity
    Medium. Copying the PCT cluster's staffing was what the stock take warned against; a workforce not yet
    redesigned is a plan item, judged again at checkpoint 3 through the staff-transfer reconciliation.

    ## Evidence used
    `workforce.csv`: `service_line`, `baseline_wte`, `planned_wte`. Evidence rows name each service line
    whose own planned WTE exceeds `max_planned_share` of its baseline.

    ## Source
    [S] seed `000` (the problem: a CSS must be markedly different from the PCT model); threshold ≤ 90% of
    baseline [A] from BRIEF.md CP2-BUS-03.
    """
    expected = f"planned WTE ≤ {pct(p.max_planned_share)} of baseline"
    rows = sub.workforce or ()
    baseline = sum((r.baseline_wte for r in rows), Decimal(0))
    if baseline <= 0:
        return not_evidenced("baseline and planned WTE by service line (workforce.csv)", expected)
    planned = sum((r.planned_wte for r in rows), Decimal(0))
    share = planned / baseline
    unchanged = [r for r in rows if r.planned_wte > r.baseline_wte * p.max_planned_share]
    return judge(
        passed=share <= p.max_planned_share,
        measures=[
            measure(
                "planned WTE as a share of the cluster baseline",
                share,
                Unit.SHARE,
                at_most("max_planned_share", p.max_planned_share),
            )
        ],
        actual=pct(share),
        expected=expected,
        finding=f"Planned workforce of {fmt(planned)} WTE is {pct(share)} of the {fmt(baseline)} WTE "
        "cluster baseline.",
        evidence=[
            row(
                service_line=r.service_line.value,
                baseline_wte=r.baseline_wte,
                planned_wte=r.planned_wte,
                share=pct(r.planned_wte / r.baseline_wte) if r.baseline_wte else "new",
            )
            for r in unchanged
        ],
    )
