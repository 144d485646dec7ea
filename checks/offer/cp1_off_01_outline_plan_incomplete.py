"""The outline plan leaves out part of structure, services, products and costs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from csu_assure.checking import CheckParams, Context, check, judge, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain
from csu_assure.results import Judgement
from csu_assure.submission import Submission

Section = Literal["structure", "services", "products", "costs"]


class Params(CheckParams):
    required_sections: tuple[Section, ...] = Field(
        min_length=1, description="Parts the outline plan must cover (structure, services, products, costs)."
    )


@check(
    id="CP1-OFF-01",
    name="Outline plan does not cover structure, services, products and costs",
    checkpoint=1,
    domain=Domain.BUSINESS,
    group=CheckGroup.OFFER,
    params=Params,
    action="Complete the missing parts of the outline business plan.",
    evidence_required="A revised outline business plan with every required part completed.",
)
def outline_plan_incomplete(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That the outline business plan covers every part in `required_sections`: the organisational structure,
    the services offered to CCGs, the products and their pricing, and the cost base.

    ## Why it matters
    These four parts are what the BDU's desktop review of draft outline plans looks at; a plan without one of
    them cannot be reviewed, so the CSS cannot show it is a credible organisation.

    ## Severity
    High. The outline plan was to describe structure, services, products and costs; a missing part must be
    written quickly because checkpoint 2 judges the final version of the same plan. It is no reason to
    merge, so it never makes the CSS consolidate on its own.

    ## Evidence used
    `business_plan.yaml`: `outline.structure`, `outline.services`, `outline.products`, `outline.costs`. The cost
    base also counts as covered when `outline.costs` is false but the plan gives
    `baseline_running_cost_per_head`: the figures the checkpoint-1 finance checks judge are a cost base, and
    the report must not call the plan costless while judging its costs.

    ## Source
    [S] seed `002`: draft outline business plans "describe structure, services, products and costs that the
    CSS will provide"; BRIEF.md catalogue (all four).
    """
    outline = sub.plan.outline
    if outline is None:
        return not_evidenced("the outline-plan contents (business_plan.yaml, outline)")
    # The plan's own figures outrank its tick-box: a plan that gives its baseline running cost per head (what
    # CP1-FIN-01 judges) has a cost base, whatever `outline.costs` says. Judging it "no costs" while the finance
    # checks pass on those very costs would contradict the same report.
    costs_by_figures = not outline.costs and sub.plan.baseline_running_cost_per_head is not None
    missing = [
        name
        for name in p.required_sections
        if not getattr(outline, name) and not (name == "costs" and costs_by_figures)
    ]
    covered = len(p.required_sections) - len(missing)
    note = (
        " (costs are not ticked as covered, but the plan gives its baseline running cost per head: counted)"
        if costs_by_figures and "costs" in p.required_sections
        else ""
    )
    return judge(
        passed=not missing,
        actual=f"{covered} of {len(p.required_sections)}",
        expected=f"all of {', '.join(p.required_sections)}",
        finding=f"The outline plan covers {covered} of the {len(p.required_sections)} required parts"
        + (f"; missing: {', '.join(missing)}." if missing else ".")
        + note,
        evidence=[row(section=name, covered=False) for name in missing],
    )
