"""The plan does not deliver the required 4% efficiency every year."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, gbp, judge, measure, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.figures import plan_totals
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_efficiency_pct: Decimal = Field(
        ge=0, le=100, description="Cost-weighted efficiency needed each year (%)."
    )


@check(
    id="CP3-FIN-02",
    name="The plan does not deliver the required 4% efficiency every year",
    checkpoint=3,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Identify further cost improvements so that every plan year delivers at least the required efficiency.",
    evidence_required="A revised financial model with efficiency by service line and the schemes behind it.",
)
def efficiency(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    For each plan year, the cost-weighted mean of the rows' `efficiency_pct` (planned cost improvement, %),
    which must be at least `min_efficiency_pct` (4%). A row that states no efficiency counts as 0%: an unstated
    saving is not a planned one.

    ## Why it matters
    Delivering efficiency and value for money is why commissioning support was moved to scale; the NHSCB's
    financial planning guidance for checkpoint 3 told CSSs to include 4%, and CCGs were advised to treat it as
    an absolute minimum.

    ## Severity
    Medium. The 4% a year was the Board's planning assumption; a plan below it is a binding obligation to
    find the savings, not a failure of the business.

    ## Evidence used
    `financial_plan.csv`: `year`, `costs`, `efficiency_pct`.

    ## Source
    [S] seed `003` ("in the financial planning guidance for Checkpoint 3 CSS are told to include a 4% figure …
    use the 4% figure as an absolute minimum"); BRIEF.md CP3-FIN-02. Weighting by cost and counting a blank as
    0% is our reading [A]: a 10% saving on a small line must not mask no saving on a large one.
    """
    totals = plan_totals(sub)
    if not totals.any_efficiency:
        return not_evidenced("planned efficiency (financial_plan.csv: efficiency_pct)")
    years = totals.years  # ascending
    mean = {y: t.efficiency_mean for y, t in years.items()}
    short = [y for y in mean if mean[y] < p.min_efficiency_pct]
    lowest = min(mean, key=lambda y: mean[y])
    return judge(
        passed=not short,
        measures=[
            measure(
                "lowest year's cost-weighted efficiency",
                mean[lowest],
                Unit.PERCENT,
                at_least("min_efficiency_pct", p.min_efficiency_pct),
            )
        ],
        actual=f"lowest {mean[lowest]}% (year {lowest})",
        expected=f"≥ {p.min_efficiency_pct}% cost-weighted efficiency in every year",
        finding=f"{len(short)} of {len(mean)} plan years fall below {p.min_efficiency_pct}% efficiency; the "
        f"lowest is year {lowest} at {mean[lowest]}%.",
        evidence=[
            row(
                year=y,
                efficiency_pct=mean[y],
                costs=gbp(years[y].costs),
                rows_without_efficiency=years[y].rows_without_efficiency,
            )
            for y in short
        ],
    )
