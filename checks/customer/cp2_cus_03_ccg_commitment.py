"""Too few CCGs intend to take most of their support from this CSS."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, judge, not_evidenced, pct, row
from csu_assure.domain import CheckGroup, Domain
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_share_from_css: Decimal = Field(
        description="A CCG 'commits' if it intends to take at least this % of its support from the CSS."
    )
    pass_at: float = Field(ge=0, le=1, description="Share of interviewed CCGs that must commit.")
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
    The share of interviewed CCGs that intend to take at least `min_share_from_css`% of their commissioning
    support from this CSS.

    ## Why it matters
    A CSS is only viable if its customers intend to buy from it; "just over half" of CCGs nationally planned
    to take 50% or more of their support from a CSS.

    ## Severity
    High when less than half the population is in CCGs that intend to take most of their support from this
    CSS: the customer base is not yet secure. Critical below `critical_below`: the CSS has no committed core
    of customers. Weighted by population, because losing a CCG with half the population matters more than
    losing a small one.

    ## Evidence used
    `ccg_interviews.csv`: `interviewed`, `pct_from_css`.

    ## Source
    [D] BRIEF.md reference figures ("just over half of CCGs"); critical threshold [A].
    """
    rows = [r for r in sub.ccg_interviews or () if r.interviewed and r.pct_from_css is not None]
    if not rows:
        return not_evidenced("CCG intentions (ccg_interviews.csv, pct_from_css)")
    below = [r for r in rows if r.pct_from_css is not None and r.pct_from_css < p.min_share_from_css]
    share = (len(rows) - len(below)) / len(rows)
    return judge(
        passed=share >= p.pass_at,
        critical=share < p.critical_below,
        actual=pct(share),
        expected=f"≥ {pct(p.pass_at)} of CCGs taking ≥ {p.min_share_from_css}% (critical below "
        f"{pct(p.critical_below)})",
        finding=f"{len(rows) - len(below)} of {len(rows)} interviewed CCGs intend to take at least "
        f"{p.min_share_from_css}% of their support from the CSS.",
        evidence=[row(ccg_id=r.ccg_id, pct_from_css=r.pct_from_css) for r in below],
    )
