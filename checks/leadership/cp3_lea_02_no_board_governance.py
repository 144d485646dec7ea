"""The CSS has no board-equivalent governance with independent, non-executive-type members."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import AppointmentStatus, Role, Submission


class Params(CheckParams):
    min_non_executives: int = Field(ge=0, le=50, description="Non-executive-type members the board needs.")


@check(
    id="CP3-LEA-02",
    name="The CSS has no board-equivalent governance with non-executive-type members",
    checkpoint=3,
    domain=Domain.LEADERSHIP,
    group=CheckGroup.LEADERSHIP,
    params=Params,
    action="Establish a board-equivalent body with terms of reference and appoint non-executive-type members.",
    evidence_required="Board terms of reference, membership list and the minutes of its first meeting.",
)
def board_governance(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    That a board-equivalent governance body is established and has at least `min_non_executives`
    non-executive-type members. The count is the plan's `governance.non_executive_members`; when that is blank,
    the named non-executives in the senior team who are not vacant are counted instead.

    ## Why it matters
    A hosted CSS spends CCG money and carries commercial risk; non-executive-type members bring the
    independent challenge and commercial experience that a team carved out of PCT clusters usually lacks.

    ## Severity
    Medium. Board-equivalent governance with non-executive members is good practice for a hosted business,
    and its absence a binding plan item, but the leadership test turns on the managing director.

    ## Evidence used
    `business_plan.yaml`: `governance.board_established`, `governance.non_executive_members`;
    `senior_team.csv`: rows with `role` = non_executive (fallback count).

    ## Source
    [A] BRIEF.md CP3-LEA-02 (≥1 non-executive-type member); seed `000` on commercially minded CSSs bringing in
    external expertise.
    """
    governance = sub.plan.governance
    named = [
        r
        for r in sub.senior_team or ()
        if r.role is Role.NON_EXECUTIVE and r.name and r.status is not AppointmentStatus.VACANT
    ]
    count = governance.non_executive_members
    counted_from = "the business plan"
    if count is None and sub.senior_team is not None:
        count, counted_from = len(named), "the senior team"
    if governance.board_established is None or count is None:
        return not_evidenced(
            "board governance (business_plan.yaml: governance.board_established, non_executive_members)"
        )
    if governance.board_established:
        finding = (
            f"A board-equivalent body is established, with {count} non-executive-type member(s) according to "
            f"{counted_from}."
        )
    else:
        finding = f"No board-equivalent body is established ({counted_from} counts {count} non-executive(s))."
    return judge(
        passed=governance.board_established and count >= p.min_non_executives,
        measures=[
            measure(
                "non-executive-type members",
                count,
                Unit.COUNT,
                at_least("min_non_executives", p.min_non_executives),
            )
        ]
        if governance.board_established
        else [],
        actual=f"board {'yes' if governance.board_established else 'no'}, {count} non-executive(s)",
        expected=f"a board with ≥ {p.min_non_executives} non-executive-type member(s)",
        finding=finding,
    )
