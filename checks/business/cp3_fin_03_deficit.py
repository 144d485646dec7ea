"""The plan runs a deficit in at least one year, or a thin year-1 surplus."""

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
from csu_assure.figures import year_totals
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_surplus: Decimal = Field(description="Lowest acceptable surplus (£) in any year; 0 = break-even.")
    critical_deficit_share: Decimal = Field(
        ge=0, le=1, description="A deficit larger than this share of its year's income is critical."
    )
    year1_margin_flag_below: Decimal = Field(
        ge=-1, le=1, description="Year-1 surplus ÷ income below this is flagged (0.05 = 5%)."
    )
    flag_severity: Severity = Field(description="Severity of the thin year-1 margin flag alone.")


@check(
    id="CP3-FIN-03",
    name="The plan runs a deficit in at least one year, or a thin year-1 surplus",
    checkpoint=3,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Rebalance income and costs so that every year breaks even, with a year-1 margin of at least 5%.",
    evidence_required="A revised 4-year financial model signed off by the finance director.",
)
def surplus_every_year(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The surplus (income − costs) of each plan year, which must be at least `min_surplus` (break-even): any
    year below fails at the rule set's severity, and critically when a year's deficit exceeds
    `critical_deficit_share` of that year's income. If every year breaks even but the year-1 margin
    (surplus ÷ income) is below `year1_margin_flag_below` (5%), the check fails at `flag_severity` (low) as a
    flag.

    ## Why it matters
    A hosted CSS has no reserves of its own: a deficit in any year falls on the NHS Commissioning Board as
    host. Commissioning support units were expected to make a surplus: in 2013/14 the sector made 5.6%
    against a 5% requirement.

    ## Severity
    High for a deficit in any year: the full business plan must break even, and a year that does not needs
    rapid management (a condition on hosting). Critical when a year's deficit is deeper than
    `critical_deficit_share` (5%, the surplus the sector was held to): the host would be funding a business
    that is not commercially viable. A thin year-1 margin with no deficit is low, advice: it is the 5%
    requirement of 2013/14, which came after checkpoint 3.

    ## Evidence used
    `financial_plan.csv`: `year`, `income`, `costs` (totals per year).

    ## Source
    [S] BRIEF.md reference figures (surplus 5.6% against a 5% requirement, 2013/14), seed `003` (CSSs want "to
    be able to demonstrate an operating surplus"); BRIEF.md CP3-FIN-03.
    """
    years = year_totals(sub)
    if not years:
        return not_evidenced("the financial model (financial_plan.csv)")
    min_surplus = p.min_surplus
    deficits = [y for y in years if y.surplus < min_surplus]
    y1 = next((y for y in years if y.year == 1), None)
    margin = y1.surplus / y1.income if y1 is not None and y1.income else None
    thin = margin is not None and margin < p.year1_margin_flag_below
    worst = min(years, key=lambda y: y.surplus)
    margin_text = pct(margin) if margin is not None else "n/a"
    lowest = gbp(worst.surplus)
    measures = [
        measure(
            "lowest surplus in a plan year", worst.surplus, Unit.POUNDS, at_least("min_surplus", min_surplus)
        )
    ]
    if deficits:
        shortfalls = [y.surplus / y.income if y.income else Decimal(-1) for y in deficits]
        measures.append(
            measure(
                "deepest shortfall as a share of its year's income",
                min(shortfalls),
                Unit.SHARE,
                at_least("critical_deficit_share", -p.critical_deficit_share, grade=Severity.CRITICAL),
            )
        )
    if margin is not None:
        measures.append(
            measure(
                "year-1 surplus as a share of income",
                margin,
                Unit.SHARE,
                at_least("year1_margin_flag_below", p.year1_margin_flag_below, weighs=p.flag_severity),
            )
        )
    return judge(
        measures=measures,
        passed=not deficits and not thin,
        severity=None if deficits else p.flag_severity,  # a deficit fails at the rule set's severity
        critical=any(y.surplus < -p.critical_deficit_share * y.income for y in deficits),
        actual=f"lowest surplus {lowest} (year {worst.year}); year-1 margin {margin_text}",
        expected=f"surplus ≥ {gbp(min_surplus)} every year (critical for a deficit over "
        f"{pct(p.critical_deficit_share)} of income); year-1 margin ≥ {pct(p.year1_margin_flag_below)}",
        finding=f"{len(deficits)} of {len(years)} plan years fall below break-even (lowest: year {worst.year}, "
        f"{lowest}); the year-1 margin is {margin_text}.",
        evidence=[
            row(year=y.year, income=gbp(y.income), costs=gbp(y.costs), surplus=gbp(y.surplus))
            for y in (deficits or ([y1] if thin and y1 is not None else []))
        ],
    )
