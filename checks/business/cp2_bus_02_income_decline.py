"""Planned income falls from one year to the next and the plan does not explain why."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

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
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.figures import year_totals
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_growth: Decimal = Field(
        ge=-1,
        le=1,
        description="Lowest year-on-year change in total income that counts as growth (0 = flat).",
    )
    min_rationale_words: int = Field(
        ge=1, le=200, description="A rationale shorter than this many words does not count as one."
    )


@check(
    id="CP2-BUS-02",
    name="Income falls year on year without a stated rationale",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.BUSINESS,
    params=Params,
    action="Either show how income will be held or grown year on year, or state the rationale for the "
    "decline and how costs will fall with it.",
    evidence_required="A revised income plan, or an income rationale accepted by the BDU.",
)
def income_decline(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    Total planned income (CCG and other customers) year on year: each year must change by at least
    `min_growth` over the year before. If income falls, the plan must give an `income_growth_rationale` of
    at least `min_rationale_words` words explaining the trajectory; with one, the check passes and the
    finding records the decline.

    ## Why it matters
    CSSs faced "the prospect of losing business year on year as alternative providers develop"; a plan
    whose income shrinks without an explanation has not faced that risk.

    ## Severity
    Medium. A falling income line is plausible (CCGs taking work in house after 2013), but a plan must say
    why; without a rationale it is a development-plan item.

    ## Evidence used
    `financial_plan.csv`: `year`, `income`; `business_plan.yaml`: `income_growth_rationale`. Evidence rows
    name each year whose income falls short of growth. At least two plan years are needed.

    ## Source
    [S] seed `003` (the problem: business lost year on year); the test itself [A] from BRIEF.md CP2-BUS-02.
    The minimum rationale length [A] is ours: a one-word "rationale" explains nothing.
    """
    years = year_totals(sub)
    expected = (
        f"income change ≥ {pct(p.min_growth)} each year, or a rationale of ≥ {p.min_rationale_words} words"
    )
    if len(years) < 2:
        return not_evidenced("income for at least two plan years (financial_plan.csv)", expected)
    short = [(prev, year) for prev, year in pairwise(years) if year.income < prev.income * (1 + p.min_growth)]
    rationale = sub.plan.income_growth_rationale
    words = len(rationale.split()) if rationale else 0
    has_rationale = words >= p.min_rationale_words
    change = (years[-1].income - years[0].income) / years[0].income if years[0].income else Decimal(0)
    trend = f"Total income moves from {gbp(years[0].income)} in year {years[0].year} to {gbp(years[-1].income)} in "
    trend += f"year {years[-1].year} ({'+' if change >= 0 else ''}{pct(change)})"
    if not short:
        finding = f"{trend}, growing each year."
    elif has_rationale:
        finding = f"{trend}; income falls in {len(short)} year(s), with a stated rationale."
    else:
        stated = f"a {words}-word rationale is too short" if words else "no rationale is given"
        finding = f"{trend}; income falls in {len(short)} year(s) and {stated}."
    changes = [year.income / prev.income - 1 for prev, year in pairwise(years) if prev.income]
    measures = (
        [
            measure(
                "lowest year-on-year change in income",
                min(changes),
                Unit.SHARE,
                at_least("min_growth", p.min_growth),
            )
        ]
        if changes and not has_rationale
        else []
    )
    return judge(
        measures=measures,
        passed=not short or has_rationale,
        actual=f"{len(short)} year(s) below growth",
        expected=expected,
        finding=finding,
        evidence=[
            row(
                year=year.year,
                income=gbp(year.income),
                previous_year=gbp(prev.income),
                change=pct((year.income - prev.income) / prev.income) if prev.income else "n/a",
            )
            for prev, year in short
        ],
    )
