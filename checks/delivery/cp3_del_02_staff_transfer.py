"""The staff-transfer plan is incomplete or does not reconcile with planned staffing."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_most, check, judge, measure, not_evidenced, pct, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    tolerance: Decimal = Field(
        ge=0,
        le=1,
        description="Total transfer WTE may differ from total planned WTE by this share (0.05 = ±5%).",
    )


@check(
    id="CP3-DEL-02",
    name="The staff-transfer plan is incomplete or does not reconcile with planned staffing",
    checkpoint=3,
    domain=Domain.DELIVERY,
    group=CheckGroup.DELIVERY,
    params=Params,
    action="Complete the October staff-transfer plan for every service line and reconcile it with the "
    "planned workforce.",
    evidence_required="The staff-transfer schedule by service line, reconciled to the workforce plan.",
)
def staff_transfer(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That every service line in the workforce plan states the WTE transferring from PCTs (`transfer_wte`), and
    that the total transferring WTE is within ±`tolerance` (5%) of the total planned WTE. When the totals do
    not reconcile, the lines that differ by more than the tolerance are listed.

    ## Why it matters
    Staff transferred from PCTs to the CSSs from October 2012. A transfer plan that does not add up to the
    planned workforce means either staff the CSS cannot pay for, or gaps it has not planned to fill.

    ## Severity
    Medium. A staff-transfer plan that does not reconcile is a binding item to put right before the October
    transfers.

    ## Evidence used
    `workforce.csv`: `service_line`, `planned_wte`, `transfer_wte`.

    ## Source
    [A] BRIEF.md CP3-DEL-02; the October 2012 transfer date is sourced in seed `002` ("staff transferred to
    final CSS from PCTs").
    """
    if not sub.workforce:
        return not_evidenced("the workforce plan (workforce.csv)")
    gaps: list[EvidenceRow] = [
        row(
            service_line=w.service_line.value,
            planned_wte=w.planned_wte,
            transfer_wte=None,
            problem="not stated",
        )
        for w in sub.workforce
        if w.transfer_wte is None
    ]
    planned = sum((w.planned_wte for w in sub.workforce), Decimal(0))
    transfer = sum((w.transfer_wte or Decimal(0) for w in sub.workforce), Decimal(0))
    variance = (transfer - planned) / planned if planned else Decimal(0)
    reconciles = abs(variance) <= p.tolerance
    if not reconciles:
        gaps.extend(
            row(
                service_line=w.service_line.value,
                planned_wte=w.planned_wte,
                transfer_wte=w.transfer_wte,
                problem=f"differs by {pct((w.transfer_wte - w.planned_wte) / w.planned_wte)}",
            )
            for w in sub.workforce
            if w.transfer_wte is not None
            and w.planned_wte
            and abs(w.transfer_wte - w.planned_wte) > w.planned_wte * p.tolerance
        )
    missing = sum(1 for w in sub.workforce if w.transfer_wte is None)
    return judge(
        passed=missing == 0 and reconciles,
        measures=[
            measure(
                "transfer WTE's difference from planned WTE",
                abs(variance),
                Unit.SHARE,
                at_most("tolerance", p.tolerance),
            )
        ]
        if missing == 0
        else [],
        actual=f"{variance * 100:+.1f}%",
        expected=f"transfer WTE for every line, total within ±{pct(p.tolerance)} of planned WTE",
        finding=f"{transfer} WTE transfer against {planned} WTE planned ({variance * 100:+.1f}%); "
        f"{missing} of {len(sub.workforce)} service lines do not state a transfer.",
        evidence=gaps,
    )
