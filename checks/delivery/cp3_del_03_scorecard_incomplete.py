"""The balanced scorecard lacks baselines or targets, or leaves out a perspective."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced, pct, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import EvidenceRow, Judgement
from csu_assure.submission import ScorecardPerspective, Submission


class Params(CheckParams):
    min_complete_share: float = Field(
        ge=0, le=1, description="Share of KPIs that need a baseline and a target."
    )
    required_perspectives: tuple[ScorecardPerspective, ...] = Field(
        description="Perspectives the scorecard must include at least one KPI for."
    )


@check(
    id="CP3-DEL-03",
    name="The balanced scorecard lacks baselines or targets, or leaves out a perspective",
    checkpoint=3,
    domain=Domain.DELIVERY,
    group=CheckGroup.DELIVERY,
    params=Params,
    action="Complete the balanced scorecard: a baseline and a target for every KPI, across every perspective.",
    evidence_required="The completed balanced scorecard with the source of each baseline.",
)
def scorecard_complete(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That at least `min_complete_share` (100%) of the scorecard's KPIs have both a baseline and a target, and
    that each of the `required_perspectives` (customer, financial, internal, learning) has at least one KPI.

    ## Why it matters
    The scorecard is how the Board and CCGs will hold the hosted CSS to account; a KPI without a baseline
    cannot show improvement, and one without a target cannot show failure. CCGs were advised that the first
    satisfaction survey should be the baseline that later SLA improvements are measured against.

    ## Severity
    Low, advice. Baselines and targets make the scorecard usable; gaps are improvements, not failures.

    ## Evidence used
    `scorecard.csv`: `kpi`, `perspective`, `baseline`, `target`.

    ## Source
    [A] BRIEF.md CP3-DEL-03 (baseline and target per KPI, 100%); seed `003` (survey as a baseline, improvements
    against it). Requiring every perspective is our addition [A]: a "balanced" scorecard with only financial
    KPIs is not balanced.
    """
    if not sub.scorecard:
        return not_evidenced("the balanced scorecard (scorecard.csv)")
    incomplete: list[EvidenceRow] = [
        row(
            kpi=k.kpi,
            perspective=k.perspective.value,
            baseline=k.baseline,
            target=k.target,
            problem="no baseline" if k.baseline is None else "no target",
        )
        for k in sub.scorecard
        if k.baseline is None or k.target is None
    ]
    present = {k.perspective for k in sub.scorecard}
    absent = [q for q in p.required_perspectives if q not in present]
    incomplete.extend(row(kpi="", perspective=q.value, problem="no KPI for this perspective") for q in absent)
    complete = sum(1 for k in sub.scorecard if k.baseline is not None and k.target is not None)
    share = complete / len(sub.scorecard)
    missing_text = f"; no KPI for {', '.join(q.value for q in absent)}" if absent else ""
    return judge(
        passed=share >= p.min_complete_share and not absent,
        measures=[]
        if absent
        else [
            measure(
                "share of KPIs with a baseline and a target",
                share,
                Unit.SHARE,
                at_least("min_complete_share", p.min_complete_share),
            )
        ],
        actual=pct(share),
        expected=f"≥ {pct(p.min_complete_share)} of KPIs with baseline and target, every perspective covered",
        finding=f"{complete} of {len(sub.scorecard)} scorecard KPIs have both a baseline and a target"
        f"{missing_text}.",
        evidence=incomplete,
    )
