"""The service catalogue leaves out core commissioning-support functions."""

from __future__ import annotations

from pydantic import Field, model_validator

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import ServiceFunction, Submission


class Params(CheckParams):
    core_functions: tuple[ServiceFunction, ...] = Field(
        min_length=1, description="The functions every CSS should offer CCGs."
    )
    min_covered: int = Field(ge=1, description="How many of the core functions the catalogue must offer.")

    @model_validator(mode="after")
    def _reachable(self) -> Params:
        if self.min_covered > len(self.core_functions):
            raise ValueError(
                f"min_covered ({self.min_covered}) exceeds the {len(self.core_functions)} core functions listed"
            )
        return self


@check(
    id="CP1-OFF-02",
    name="Service catalogue leaves out core commissioning-support functions",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.OFFER,
    params=Params,
    action="Add the missing core functions to the service catalogue, or show which partner provides them.",
    evidence_required="A revised service catalogue naming how each core function is delivered.",
)
def core_functions_missing(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    How many of the `core_functions` (health-needs assessment, business intelligence, service redesign,
    communications and engagement, procurement, provider management) appear in the service catalogue; at
    least `min_covered` must.

    ## Why it matters
    CCGs are to be lean and will need external help with exactly these planning, contracting and engagement
    functions; a CSS that cannot offer most of them leaves its CCGs to find several other suppliers.

    ## Severity
    Medium. An offer without a core function can add it, or a partner for it, by checkpoint 2; the
    customers' view of the offer is judged there on their own words.

    ## Evidence used
    `services.csv`: `function`.

    ## Source
    [S] seed `002` (the commissioning cycle: health needs assessment, engagement, redesign, procurement,
    provider management) and BRIEF.md "who is who"; the "5 of 6" threshold [A].
    """
    if not sub.services:
        return not_evidenced("the service catalogue (services.csv)")
    offered = {s.function for s in sub.services}
    missing = [f for f in p.core_functions if f not in offered]
    covered = len(p.core_functions) - len(missing)
    return judge(
        passed=covered >= p.min_covered,
        measures=[
            measure("core functions offered", covered, Unit.COUNT, at_least("min_covered", p.min_covered))
        ],
        actual=f"{covered} of {len(p.core_functions)}",
        expected=f"≥ {p.min_covered} of {len(p.core_functions)} core functions",
        finding=f"The service catalogue offers {covered} of the {len(p.core_functions)} core functions"
        + (f"; missing: {', '.join(f.value.replace('_', ' ') for f in missing)}." if missing else "."),
        evidence=[row(function=f.value, offered=False) for f in missing],
    )
