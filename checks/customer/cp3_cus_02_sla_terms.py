"""SLA terms fall short of what CCGs were advised to insist on."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, judge, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain
from csu_assure.figures import plan_totals
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    max_notice_months: int = Field(ge=0, le=240, description="Longest acceptable notice period (months).")
    min_outcome_kpis_per_service_line: int = Field(
        ge=0, le=50, description="Outcome-based KPIs the SLA needs for each service line the CCG buys."
    )
    satisfaction_measure_required: bool = Field(description="Whether each SLA must measure CCG satisfaction.")


@check(
    id="CP3-CUS-02",
    name="SLA terms fall short of what CCGs were advised to insist on",
    checkpoint=3,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Revise the SLAs: notice periods of at most six months, outcome KPIs for every service line and a "
    "CCG satisfaction measure.",
    evidence_required="The revised SLA schedules (KPIs per service line, notice clause, satisfaction measure).",
)
def sla_terms(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Every submitted SLA (signed or draft) against three terms: a stated notice period of at most
    `max_notice_months`; at least `min_outcome_kpis_per_service_line` outcome-based KPIs for each service line
    the CCG buys (the service lines with year-1 income from that CCG in the financial plan; at least one line
    when the plan shows none); and, if `satisfaction_measure_required`, a measure of CCG satisfaction.

    ## Why it matters
    CCGs were advised not to accept notice periods over six months (some CSSs pushed for twelve), to base the
    specification on outcome KPIs (timeliness, quality) rather than on how the CSS operates, and to make CCG
    satisfaction a key SLA measure. SLAs that fail these invite the adversarial, transactional relationships
    that undermined CSSs later.

    ## Severity
    Low, advice. The SLA terms CCGs were urged to insist on (notice, outcome KPIs, satisfaction) are
    improvements to negotiate, not a test of the CSS.

    ## Evidence used
    `slas.csv`: `ccg_id`, `notice_months`, `outcome_kpis`, `satisfaction_measured`; `financial_plan.csv`:
    year-1 service lines per CCG.

    ## Source
    [A, from seed `003`] ("6 month notice periods are the maximum", "outcome-based KPIs", "client
    satisfaction … a key measure"); BRIEF.md CP3-CUS-02. Scaling the KPI count by the service lines bought is
    our reading of "outcome KPIs per service line" [A]: the SLA table holds a count, not the KPIs themselves.
    """
    if not sub.slas:
        return not_evidenced("service level agreements (slas.csv)")
    year1 = plan_totals(sub).year(1)
    lines_bought = year1.earning_line_counts if year1 else {}
    kpis_per_line, max_notice = p.min_outcome_kpis_per_service_line, p.max_notice_months
    failing: list[EvidenceRow] = []
    for s in sub.slas:
        bought = lines_bought.get(s.ccg_id, 0)
        needed = kpis_per_line * max(1, bought)
        issues = []
        if s.notice_months is None:
            issues.append("notice period not stated")
        elif s.notice_months > max_notice:
            issues.append(f"notice {s.notice_months} months > {max_notice}")
        if s.outcome_kpis < needed:
            issues.append(f"{s.outcome_kpis} outcome KPIs for {bought} service lines (< {needed})")
        if p.satisfaction_measure_required and not s.satisfaction_measured:
            issues.append("no satisfaction measure")
        if issues:
            failing.append(
                row(
                    ccg_id=s.ccg_id,
                    notice_months=s.notice_months,
                    outcome_kpis=s.outcome_kpis,
                    satisfaction_measured=s.satisfaction_measured,
                    issues="; ".join(issues),
                )
            )
    return judge(
        passed=not failing,
        actual=f"{len(sub.slas) - len(failing)} of {len(sub.slas)} SLAs",
        expected=f"every SLA: notice ≤ {p.max_notice_months} months, ≥ {p.min_outcome_kpis_per_service_line} "
        "outcome KPI(s) per service line"
        + (", satisfaction measured" if p.satisfaction_measure_required else ""),
        finding=f"{len(failing)} of {len(sub.slas)} SLAs fall short on notice period, outcome KPIs or "
        "satisfaction measurement.",
        evidence=failing,
    )
