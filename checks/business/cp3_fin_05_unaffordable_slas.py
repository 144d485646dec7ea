"""Signed SLA prices are unaffordable for some CCGs within their running-cost allowance."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_most,
    check,
    gbp,
    judge,
    measure,
    not_evidenced,
    pct,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import Submission

_CENT = Decimal("0.01")


class Params(CheckParams):
    max_share_of_rca: Decimal = Field(
        gt=0, le=1, description="The SLA price per head may be at most this share of the CCG's RCA per head."
    )
    critical_total_per_head: Decimal = Field(
        gt=0, description="SLA + in-house cost per head above this (£) is critical."
    )


@check(
    id="CP3-FIN-05",
    name="Signed SLA prices are unaffordable for some CCGs within their running-cost allowance",
    checkpoint=3,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Re-price the SLAs, or agree with each affected CCG how it will fit its support within its "
    "running-cost allowance.",
    evidence_required="Per-CCG affordability statements signed by each affected CCG's chief finance officer.",
)
def sla_affordability(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    For each CCG with a signed SLA: the SLA's annual value per head of the CCG's population, which must be at
    most `max_share_of_rca` (50%) of the CCG's running-cost allowance (RCA) per head; and that SLA price plus
    the CCG's planned in-house cost per head, which must fit within its RCA per head. Either failure is high;
    a total above `critical_total_per_head` (£35, the top of the 2011 envelope) is critical. CCGs without a
    stated in-house cost are tested on the first rule only.

    ## Why it matters
    Checkpoint 1 tested affordability on indicative prices; by checkpoint 3 real prices are signed. A CCG that
    cannot pay for its CSS and its own staff out of its £25 a head will cut the SLA or fail its own
    authorisation, and either way the CSS loses income.

    ## Severity
    High when a signed SLA costs a CCG more than half its allowance, or the SLA and in-house costs exceed
    the allowance: the price needs rapid management. Critical above `critical_total_per_head` (£35): no CCG
    could afford it.

    ## Evidence used
    `slas.csv`: `ccg_id`, `signed_on`, `annual_value`; `ccgs.csv`: `population`, `rca_per_head`,
    `in_house_cost_per_head`.

    ## Source
    [D] BRIEF.md CP3-FIN-05, re-using CP1-FIN-02/03: aim "below 50% of the CCG running-cost allocation" (seed
    `000`), RCA £25 per head (2013/14) and £25–£35 envelope (2011). Testing against each CCG's own RCA rather
    than a flat £25 is our refinement [D]: RCAs differed between CCGs.
    """
    ccgs = {c.ccg_id: c for c in sub.ccgs}
    signed = [s for s in sub.slas or () if s.signed_on is not None]
    if not signed:
        return not_evidenced("signed SLAs (slas.csv: signed_on, annual_value)")
    max_share = p.max_share_of_rca
    failing: list[EvidenceRow] = []
    critical = False
    untested = 0  # CCGs without a stated in-house cost
    # Each SLA's price per head as a share of its CCG's RCA per head: the figure the share line reads. The check
    # compares the price with the ceiling rounded to the penny, so a price within a penny of it may read a hair
    # to the other side of the line; a margin that small is a hinge either way.
    shares: list[Decimal] = []
    excess: list[Decimal] = []  # SLA + in-house cost per head less the RCA per head, where in-house is known
    over_rca: list[Decimal] = []  # SLA + in-house cost per head, where it exceeds the RCA
    for s in signed:
        ccg = ccgs[s.ccg_id]
        rca, in_house = ccg.rca_per_head, ccg.in_house_cost_per_head
        price = (s.annual_value / ccg.population).quantize(_CENT)
        cap = (rca * max_share).quantize(_CENT)
        total = price + in_house if in_house is not None else None
        shares.append(price / rca)
        if total is not None:
            excess.append(total - rca)
            if total > rca:
                over_rca.append(total)
        if in_house is None:
            untested += 1
        issues = []
        if price > cap:
            issues.append(f"price {gbp(price)} > {gbp(cap)} ({pct(max_share)} of RCA)")
        if total is not None and total > rca:
            issues.append(f"with in-house costs {gbp(total)} > RCA {gbp(rca)}")
            critical = critical or total > p.critical_total_per_head
        if issues:
            failing.append(
                row(
                    ccg_id=s.ccg_id,
                    sla_per_head=gbp(price),
                    in_house_per_head=gbp(in_house) if in_house else None,
                    rca_per_head=gbp(rca),
                    issues="; ".join(issues),
                )
            )
    note = f" ({untested} without an in-house cost, tested on price only)" if untested else ""
    measures = [
        measure(
            "highest share of a CCG's RCA per head an SLA takes",
            max(shares),
            Unit.SHARE,
            at_most("max_share_of_rca", max_share),
        )
    ]
    if excess:
        measures.append(
            measure(
                "highest SLA plus in-house cost above the CCG's RCA per head",
                max(excess),
                Unit.POUNDS_PER_HEAD,
                at_most(None, 0),
            )
        )
    if over_rca:
        measures.append(
            measure(
                "highest SLA plus in-house cost per head above the RCA",
                max(over_rca),
                Unit.POUNDS_PER_HEAD,
                at_most("critical_total_per_head", p.critical_total_per_head, grade=Severity.CRITICAL),
            )
        )
    return judge(
        measures=measures,
        passed=not failing,
        critical=critical,
        actual=f"{len(failing)} of {len(signed)} CCGs unaffordable",
        expected=f"SLA ≤ {pct(p.max_share_of_rca)} of RCA per head and SLA + in-house ≤ RCA per head "
        f"(critical above {gbp(p.critical_total_per_head)})",
        finding=f"{len(failing)} of {len(signed)} CCGs with signed SLAs cannot afford them within their "
        f"running-cost allowance{note}.",
        evidence=failing,
    )
