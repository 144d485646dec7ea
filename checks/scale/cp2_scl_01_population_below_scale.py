"""The CSS's footprint is below the economic scale and no merger or collaboration route is agreed."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, fmt, judge
from csu_assure.domain import Domain
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_population: int = Field(ge=0, le=60_000_000, description="Smallest economic footprint population.")


@check(
    id="CP2-SCL-01",
    name="Footprint below economic scale with no merger route",
    checkpoint=2,
    domain=Domain.SCALE,
    params=Params,
    action="Agree a merger or collaboration route with a neighbouring CSS, or win CCG customers beyond the "
    "current footprint, to reach the economic scale.",
    evidence_required="A signed memorandum of understanding on the merger or collaboration, or CCG "
    "intentions lifting the footprint population to the required scale.",
)
def population_below_scale(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    The registered population of the CCGs in the footprint must be at least `min_population`, unless a
    merger or collaboration route with another CSS is agreed (`merger_route_agreed`).

    ## Why it matters
    Commissioning support was judged "not economic below ~1 million population", and the number of
    prospectuses fell from about 35 to 20–25 "to reflect the need to keep costs down by providing services at
    scale"; checkpoint 2 steered small CSSs to merge. Major, not critical: a small CSS with a credible
    route to scale may still proceed.

    ## Evidence used
    `ccgs.csv`: `population`; `business_plan.yaml`: `merger_route_agreed`.

    ## Source
    [S] seed `000` (services at scale; merger as the alternative at checkpoint 2); BRIEF.md reference figures
    (not economic below ~1 million) [S regional].
    """
    population = sub.population
    merger = sub.plan.merger_route_agreed is True
    if population >= p.min_population:
        finding = f"The {len(sub.ccgs)} footprint CCGs serve {fmt(population)} people."
    elif merger:
        finding = (
            f"The {len(sub.ccgs)} footprint CCGs serve {fmt(population)} people, below {fmt(p.min_population)}, "
            "but a merger or collaboration route is agreed."
        )
    else:
        finding = (
            f"The {len(sub.ccgs)} footprint CCGs serve {fmt(population)} people, below {fmt(p.min_population)}, "
            "and no merger or collaboration route is agreed."
        )
    return judge(
        passed=population >= p.min_population or merger,
        actual=population,
        expected=f"population ≥ {fmt(p.min_population)} or a merger route agreed",
        finding=finding,
    )
