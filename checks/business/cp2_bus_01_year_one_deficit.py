"""The business plan does not break even in its first year."""

from __future__ import annotations

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
from csu_assure.figures import plan_totals
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_surplus_share: Decimal = Field(
        ge=-1, le=1, description="Lowest year-1 surplus as a share of income that passes (0 = break even)."
    )
    critical_deficit_share: Decimal = Field(
        ge=0, le=1, description="A year-1 deficit larger than this share of income is critical."
    )


@check(
    id="CP2-BUS-01",
    name="Year-one deficit in the business plan",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Revise the year-1 plan to break even: reduce the cost base or secure the missing income, "
    "service line by service line.",
    evidence_required="A revised financial plan showing a year-1 surplus of at least break-even.",
)
def year_one_deficit(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Year-1 (2013/14) surplus, total income minus total costs over every service line and customer, as a
    share of income: it must be at least `min_surplus_share` (0 = break even). A deficit deeper than
    `critical_deficit_share` of income is critical.

    ## Why it matters
    A CSS hosted by the NHS Commissioning Board from April 2013 has no reserves to fund a deficit; the
    sector was later held to a 5% surplus. A year-1 deficit at checkpoint 2 means the business does not yet
    stand up before it starts.

    ## Severity
    High: a small planned deficit (a price or a cost line a few per cent out) needs rapid management but can
    be put right before checkpoint 3. Critical beyond `critical_deficit_share` (5% of income, the size of the
    surplus the sector was held to): a plan that loses that much is "not ready to offer commercially viable
    services", the brief's reason for a C.

    ## Evidence used
    `financial_plan.csv`: `year`, `service_line`, `income`, `costs`. Evidence rows name each service line
    that runs a year-1 deficit.

    ## Source
    [A] BRIEF.md CP2-BUS-01 (surplus ≥ 0); context [S] BRIEF.md reference figures (sector surplus 5.6%
    against a 5% requirement).
    """
    expected = (
        f"year-1 surplus ≥ {pct(p.min_surplus_share)} of income "
        f"(critical for a deficit over {pct(p.critical_deficit_share)})"
    )
    year1 = plan_totals(sub).year(1)
    if year1 is None:
        return not_evidenced("year-1 income and costs (financial_plan.csv)", expected)
    income, costs, by_line = year1.income, year1.costs, year1.net_by_line
    surplus = income - costs
    share = surplus / income if income else Decimal(-1 if surplus < 0 else 0)
    result = "a surplus" if surplus >= 0 else "a deficit"
    return judge(
        passed=surplus >= p.min_surplus_share * income,
        measures=[
            measure(
                "year-1 surplus as a share of income",
                share,
                Unit.SHARE,
                at_least("min_surplus_share", p.min_surplus_share),
                at_least("critical_deficit_share", -p.critical_deficit_share, grade=Severity.CRITICAL),
            )
        ],
        critical=surplus < -p.critical_deficit_share * income,
        actual=pct(share),
        expected=expected,
        finding=f"Year-1 income of {gbp(income)} against costs of {gbp(costs)} gives {result} of "
        f"{gbp(abs(surplus))} ({share * 100:.1f}% of income).",
        evidence=[row(service_line=line, deficit=gbp(-v)) for line, v in sorted(by_line.items()) if v < 0],
    )
