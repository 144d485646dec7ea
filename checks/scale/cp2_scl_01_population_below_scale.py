"""The CSS's footprint is below the economic scale and no merger or collaboration route is agreed."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, fmt, judge, measure, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.figures import non_buyers
from csu_assure.remedies import agreed_merger_route, merger_route_short_of_agreed
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_population: int = Field(ge=0, le=60_000_000, description="Smallest economic population served.")
    buyer_min_share: int = Field(
        ge=0,
        le=100,
        description="A CCG interviewed as taking less than this % of its support from the CSS (and stating no "
        "spend with it) is not counted as served.",
    )


@check(
    id="CP2-SCL-01",
    name="Population served below the economic scale",
    checkpoint=2,
    domain=Domain.BUSINESS,
    group=CheckGroup.SCALE,
    params=Params,
    action="Agree a merger or collaboration route with a neighbouring CSS, or win CCG customers beyond the "
    "current footprint, to reach the economic scale.",
    evidence_required="A signed memorandum of understanding on the merger or collaboration, or CCG "
    "intentions lifting the footprint population to the required scale.",
    remedy="a merger or collaboration route agreed or completed",
)
def population_below_scale(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The registered population served: the footprint CCGs less those known not to buy, that is interviewed as
    taking less than `buyer_min_share`% of their support from this CSS and stating no spend with it (a CCG
    keeping its support in house). A CCG whose intention is unknown still counts. The population served
    must be at least `min_population`. An agreed merger or collaboration route (`merger_route` agreed or
    completed by the assessment date, or the older `merger_route_agreed: true`) does not make a small CSS
    pass; it lowers the failure one step.

    ## Why it matters
    Commissioning support was judged "not economic below ~1 million population", and the number of
    prospectuses fell from about 35 to 20–25 "to reflect the need to keep costs down by providing services at
    scale"; checkpoint 2 steered small CSSs to merge. A CCG that keeps its support in house adds nothing to
    the scale the CSS works at, so counting the footprint would overstate it.

    ## Severity
    High: a CSS below the economic scale is a business-plan issue that needs rapid management (a merger, or
    more customers), but "a small CSS with a credible route to scale may still proceed", so it is never
    critical. An agreed merger or collaboration route lowers it one step (medium): the route is the remedy,
    and the plan must carry it through. A route only proposed, or agreed after the assessment date, is not.

    ## Evidence used
    `ccgs.csv`: `population`; `ccg_interviews.csv`: `interviewed`, `pct_from_css`, `intended_spend`;
    `business_plan.yaml`: `merger_route` (`partner`, `status`, `agreed_on`) or `merger_route_agreed`. Evidence
    rows name the CCGs not counted.

    ## Source
    [S] seed `000` (services at scale; merger as the alternative at checkpoint 2); BRIEF.md reference figures
    (not economic below ~1 million) [S regional].
    """
    outside = non_buyers(sub, p.buyer_min_share)
    population = sub.population - sum(c.population for c in outside)
    served = (
        f"The {len(sub.ccgs) - len(outside)} CCGs that buy (of {len(sub.ccgs)} in the footprint) serve "
        f"{fmt(population)} people"
        if outside
        else f"The {len(sub.ccgs)} footprint CCGs serve {fmt(population)} people"
    )
    passed = population >= p.min_population
    route = None if passed else agreed_merger_route(sub, ctx.as_of)
    if passed:
        finding = f"{served}."
    else:
        finding = f"{served}, below {fmt(p.min_population)}" + (
            f"; {route}."
            if route
            else f", and {merger_route_short_of_agreed(sub, ctx.as_of) or 'no merger route is agreed'}."
        )
    return judge(
        passed=passed,
        remedy=route,
        measures=[
            measure(
                "population of the CCGs that buy",
                population,
                Unit.PEOPLE,
                at_least("min_population", p.min_population),
            )
        ],
        actual=population,
        expected=f"population served ≥ {fmt(p.min_population)}",
        finding=finding,
        evidence=[
            row(
                ccg_id=c.ccg_id,
                ccg_name=c.ccg_name,
                population=c.population,
                reason="keeps its support elsewhere",
            )
            for c in outside
        ],
    )
