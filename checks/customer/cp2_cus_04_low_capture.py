"""The CSS plans to capture too small a share of its CCGs' running-cost allowances to be viable."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from pydantic import Field

from csu_assure.checking import (
    CheckParams,
    Context,
    at_least,
    check,
    gbp,
    judge,
    measure,
    not_evidenced,
    pct,
    row,
)
from csu_assure.domain import CheckGroup, Domain, Severity, Unit
from csu_assure.figures import ccg_income_by_ccg, total_rca
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    pass_at: Decimal = Field(ge=0, le=1, description="Year-1 CCG income ÷ total CCG RCA that passes.")
    high_below: Decimal = Field(ge=0, le=1, description="Below this capture the failure is high, not medium.")


@check(
    id="CP2-CUS-04",
    name="Planned CCG income captures too little of the footprint's running-cost allowances",
    checkpoint=2,
    domain=Domain.CUSTOMER,
    group=CheckGroup.CUSTOMER,
    params=Params,
    action="Rebuild the income plan with the CCGs: secure more of their commissioning-support spend or "
    "resize the cost base and footprint to the income that is realistic.",
    evidence_required="Revised income plan by CCG, backed by CCG intentions, showing capture at the "
    "required level.",
)
def low_capture(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    "Capture": year-1 planned income from the footprint's CCGs divided by those CCGs' total running-cost
    allowance (population × RCA per head). At least `pass_at` passes; between `high_below` and `pass_at` is a
    medium failure; below `high_below` a high one.

    ## Why it matters
    A CSS priced near the observed £8–£14 a head against a £25 RCA should capture roughly 30–50% of its
    CCGs' running costs; a plan far below that means the CCGs are buying elsewhere or keeping work in house,
    and the cost base inherited from the PCT clusters will not be covered.

    ## Severity
    Medium, high below `high_below`; never critical on its own. Capture measures how much of its CCGs'
    budgets the plan relies on, not whether the CSS is viable: a low capture is a warning that the CCGs buy
    elsewhere or keep work in house, which the business-size, price-against-cost and surplus checks then judge
    on the CSS's own figures. Below 20% the plan is so far from a £8–£14 price on a £25 allowance that the
    income plan needs rapid rework.

    ## Evidence used
    `financial_plan.csv` (year-1 income by CCG, `OTHER` excluded) and `ccgs.csv` (`population`,
    `rca_per_head`). Evidence rows name each CCG whose own capture is below `pass_at`.

    ## Source
    [D] BRIEF.md reference figures (RCA £25/head; prices £8–£14/head; aim below 50% of RCA, seed `000`).
    Bands (≥30%; 20–30% and <20% graded apart) [A] from BRIEF.md CP2-CUS-04.
    """
    expected = f"≥ {pct(p.pass_at)} of total CCG RCA (high below {pct(p.high_below)})"
    income_by_ccg = ccg_income_by_ccg(sub, 1)
    if income_by_ccg is None:
        return not_evidenced("year-1 income by CCG (financial_plan.csv)", expected)
    rca = total_rca(sub)
    if rca <= 0:
        return not_evidenced("the CCGs' running-cost allowances (ccgs.csv rca_per_head)", expected)
    by_ccg: dict[str, Decimal] = defaultdict(Decimal, income_by_ccg)
    income = sum(by_ccg.values(), Decimal(0))
    capture = income / rca
    low = []
    for c in sub.ccgs:
        allowance = c.rca_per_head * c.population
        if allowance > 0 and by_ccg[c.ccg_id] / allowance < p.pass_at:
            low.append((c, allowance))
    return judge(
        passed=capture >= p.pass_at,
        measures=[
            measure(
                "year-1 CCG income as a share of the footprint's RCA (capture)",
                capture,
                Unit.SHARE,
                at_least("pass_at", p.pass_at),
                at_least("high_below", p.high_below, grade=Severity.HIGH),
            )
        ],
        severity=Severity.HIGH if capture < p.high_below else None,
        actual=pct(capture),
        expected=expected,
        finding=f"Year-1 CCG income of {gbp(income)} is {pct(capture)} of the footprint CCGs' total "
        f"running-cost allowance of {gbp(rca)}.",
        evidence=[
            row(
                ccg_id=c.ccg_id,
                planned_income=gbp(by_ccg[c.ccg_id]),
                rca=gbp(allowance),
                capture=pct(by_ccg[c.ccg_id] / allowance),
            )
            for c, allowance in low
        ],
    )
