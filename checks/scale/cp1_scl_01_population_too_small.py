"""The prospective CCG customers cover too small a population for an economic CSS."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, fmt, judge, measure
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.remedies import agreed_merger_route, merger_route_short_of_agreed
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_population: int = Field(
        ge=1, description="Smallest registered population, across the prospective CCGs, thought economic."
    )


@check(
    id="CP1-SCL-01",
    name="Prospective CCG customers cover too small a population",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.SCALE,
    params=Params,
    action="Agree a route to scale: more CCG customers, or a merger or collaboration with a neighbouring CSS.",
    evidence_required="Letters of intent from further CCGs, or an agreed merger or collaboration plan.",
    remedy="a merger or collaboration route agreed or completed",
)
def population_too_small(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The total registered population of the CCGs listed as prospective customers, against `min_population`.
    An agreed merger or collaboration route (`merger_route` agreed or completed by the assessment date, or the
    older `merger_route_agreed: true`) does not make a small footprint pass; it lowers the failure one step.

    ## Why it matters
    Commissioning support was judged not economic below about one million people, with economies of scale up
    to about five million; the number of prospectuses fell as small CSSs were told to consolidate.

    ## Severity
    Critical: this is the reason the BDU advised CSSs to consolidate. Commissioning support was "not
    economic below ~1 million population", so a footprint below it makes the business domain fail at
    checkpoint 1, whose outcome is then "proceed, but consolidate". An agreed merger or collaboration route
    lowers it one step (high): the consolidation is already under way. A route only proposed, or agreed after
    the assessment date, is not a remedy.

    ## Evidence used
    `ccgs.csv`: `population`; `business_plan.yaml`: `merger_route` (`partner`, `status`, `agreed_on`) or
    `merger_route_agreed`.

    ## Source
    [S regional] BRIEF.md reference figures ("not economic below ~1 million population"); seed `000` (the
    number of prospectuses "falling to reflect the need to keep costs down by providing services at scale").
    """
    population = sub.population
    passed = population >= p.min_population
    route = None if passed else agreed_merger_route(sub, ctx.as_of)
    short = None if passed or route else merger_route_short_of_agreed(sub, ctx.as_of)
    return judge(
        passed=passed,
        remedy=route,
        measures=[
            measure(
                "population of the prospective CCGs",
                population,
                Unit.PEOPLE,
                at_least("min_population", p.min_population),
            )
        ],
        actual=population,
        expected=f"≥ {fmt(p.min_population)}",
        finding=f"The {len(sub.ccgs)} prospective CCGs cover a population of {fmt(population)} "
        f"(at least {fmt(p.min_population)} expected)"
        + (f"; {route}." if route else f"; {short}." if short else "."),
    )
