"""Too few CCGs intend to take most of their support from this CSS."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_least,
    check,
    fmt,
    judge,
    measure,
    not_evidenced,
    pct,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.results import Judgement
from csu_assure.submission import CcgRow, Submission


class Params(CheckParams):
    min_share_from_css: Decimal = Field(
        description="A CCG 'commits' if it intends to take at least this % of its support from the CSS."
    )
    pass_at: float = Field(
        ge=0, le=1, description="Share of the footprint population that must be in committed CCGs."
    )
    critical_below: float = Field(ge=0, le=1, description="Below this share the failure is critical.")


@check(
    id="CP2-CUS-03",
    name="Too few CCGs intend to take most of their support from this CSS",
    checkpoint=2,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Agree with each uncommitted CCG what it needs to take most of its support from the CSS.",
    evidence_required="Updated CCG intentions, signed off by each CCG's accountable officer.",
)
def ccg_commitment(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The share of the footprint's registered population (every CCG in `ccgs.csv`) that lives in CCGs intending
    to take at least `min_share_from_css`% of their commissioning support from this CSS. A CCG not interviewed,
    or interviewed without a stated intention, is not counted as committed: its population stays in the
    denominator. At least `pass_at` passes; below `critical_below` the failure is critical.

    ## Why it matters
    A CSS is only viable if its customers intend to buy from it; "just over half" of CCGs nationally planned
    to take 50% or more of their support from a CSS. Counting CCGs would weigh a CCG of 100,000 people like
    one of 600,000: losing the CCG with half the footprint's population would count as one CCG in six, while
    it takes half the CSS's income (the price is per head).

    ## Severity
    High when less than `pass_at` (half) of the population is in CCGs that intend to take most of their
    support from this CSS: the customer base is not yet secure, which needs rapid management. Critical below
    `critical_below` (a quarter): the CSS has no committed core of customers, and the customer-focus domain
    fails.

    ## Evidence used
    `ccgs.csv`: `population`; `ccg_interviews.csv`: `interviewed`, `pct_from_css`. Evidence rows name each
    CCG not counted as committed, with its population and why.

    ## Source
    [D] BRIEF.md reference figures ("just over half" of CCGs planned to take ≥ 50% of their support from a
    CSS: the pass line at half, weighted by population because income is per head); critical threshold [A].
    """
    interviewed = {r.ccg_id: r.pct_from_css for r in sub.ccg_interviews or () if r.interviewed}
    if all(share is None for share in interviewed.values()):
        return not_evidenced("CCG intentions (ccg_interviews.csv, pct_from_css)")
    total = sub.population
    outside: list[tuple[CcgRow, Decimal | None, str]] = []
    for c in sub.ccgs:
        share = interviewed.get(c.ccg_id)
        if share is None:
            why = "no stated intention" if c.ccg_id in interviewed else "not interviewed"
            outside.append((c, None, why))
        elif share < p.min_share_from_css:
            outside.append((c, share, f"below {p.min_share_from_css}%"))
    committed = total - sum(c.population for c, _, _ in outside)
    share_committed = committed / total
    return judge(
        passed=share_committed >= p.pass_at,
        measures=[
            measure(
                "share of the footprint population in committed CCGs",
                share_committed,
                Unit.SHARE,
                at_least("pass_at", p.pass_at),
                at_least("critical_below", p.critical_below, grade=Severity.CRITICAL),
            )
        ],
        critical=share_committed < p.critical_below,
        actual=pct(share_committed),
        expected=f"≥ {pct(p.pass_at)} of the population in CCGs taking ≥ {p.min_share_from_css}% "
        f"(critical below {pct(p.critical_below)})",
        finding=f"{len(sub.ccgs) - len(outside)} of {len(sub.ccgs)} footprint CCGs, with {fmt(committed)} of "
        f"{fmt(total)} people ({share_committed:.1%}), intend to take at least {p.min_share_from_css}% of "
        "their support from the CSS.",
        evidence=[
            row(ccg_id=c.ccg_id, population=c.population, pct_from_css=share, reason=reason)
            for c, share, reason in outside
        ],
    )
