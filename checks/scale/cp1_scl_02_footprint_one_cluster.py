"""The CSS footprint is no wider than a single PCT cluster."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, fmt, judge, not_evidenced
from csu_assure.domain import CheckGroup, Domain
from csu_assure.results import Judgement
from csu_assure.submission import Submission


class Params(CheckParams):
    min_clusters: int = Field(ge=1, description="PCT clusters the footprint should span.")
    or_population: int = Field(
        ge=1, description="A footprint of one cluster is enough if it covers at least this population."
    )


@check(
    id="CP1-SCL-02",
    name="Footprint no wider than one PCT cluster",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.SCALE,
    params=Params,
    action="Explore collaboration with CSSs in neighbouring clusters to widen the footprint.",
    evidence_required="A note of the collaboration options considered and the footprint agreed.",
)
def footprint_one_cluster(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the CSS is carved out of at least `min_clusters` distinct PCT clusters, or that its prospective CCGs
    cover at least `or_population` people.

    ## Why it matters
    A CSS built on one cluster tends to copy the cluster's staffing and cost base; economies of scale come
    from working across several. The population alternative keeps a large single-cluster CSS, already well
    above the ~1 million economic minimum, from being flagged.

    ## Severity
    Low, advice. A single-cluster footprint is a hint that scale will be hard, not a finding on its own; the
    population checks carry the weight.

    ## Evidence used
    `business_plan.yaml`: `pct_clusters`; `ccgs.csv`: `population`.

    ## Source
    [D] BRIEF.md catalogue (1.7m, derived from the reference figures: CSSs covered ~0.8m–5m people, economies
    of scale up to ~5 million); seed `004` (clusters building their own functions); advisory only.
    """
    clusters = {c.casefold() for c in sub.plan.pct_clusters}
    population = sub.population
    if not clusters and population < p.or_population:
        return not_evidenced("the PCT clusters the CSS is carved out of (business_plan.yaml, pct_clusters)")
    return judge(
        passed=len(clusters) >= p.min_clusters or population >= p.or_population,
        actual=f"{len(clusters)} cluster(s), {fmt(population)} people",
        expected=f"≥ {p.min_clusters} PCT clusters or population ≥ {fmt(p.or_population)}",
        finding=f"The footprint spans {len(clusters)} PCT cluster(s) and {fmt(population)} people "
        f"({p.min_clusters} or more clusters, or at least {fmt(p.or_population)} people, expected).",
    )
