"""Too few of the senior roles a CSS needs are designated."""

from __future__ import annotations

from pydantic import Field

from csu_assure.checking import CheckParams, Context, at_least, check, judge, measure, not_evidenced, row
from csu_assure.domain import CheckGroup, Domain, Unit
from csu_assure.results import Judgement
from csu_assure.submission import AppointmentStatus, Role, SeniorRow, Submission

SENIOR_ROLES: tuple[Role, ...] = (
    Role.MANAGING_DIRECTOR,
    Role.FINANCE_DIRECTOR,
    Role.OPERATIONS_DIRECTOR,
    Role.BUSINESS_DEVELOPMENT_DIRECTOR,
)


class Params(CheckParams):
    min_designated: int = Field(
        ge=0, le=4, description="Of the four senior roles, how many must be designated."
    )
    finance_needs_commercial_skills: bool = Field(
        description="Count the finance director only if recorded as having commercial skills."
    )


def _why_not_designated(role: Role, people: list[SeniorRow], p: Params) -> str | None:
    """None if some row designates the role; otherwise the reason it is not designated."""
    if not people:
        return "no row in senior_team"
    reasons = []
    for person in people:
        if person.status is AppointmentStatus.VACANT:
            reasons.append("vacant")
        elif not person.name:
            reasons.append("no one named")
        elif (
            role is Role.FINANCE_DIRECTOR
            and p.finance_needs_commercial_skills
            and not person.commercial_skills
        ):
            reasons.append("commercial skills not shown")
        else:
            return None
    return "; ".join(dict.fromkeys(reasons))


@check(
    id="CP2-LEA-02",
    name="Too few senior roles designated",
    checkpoint=2,
    domain=Domain.LEADERSHIP,
    group=CheckGroup.LEADERSHIP,
    params=Params,
    action="Designate the missing senior roles (managing director, finance director with commercial skills, "
    "operations, business development), interim if need be, and set recruitment dates.",
    evidence_required="Updated senior team list naming each post holder, with appointment letters.",
)
def senior_roles(sub: Submission, p: Params, ctx: Context) -> Judgement:
    """## What it checks
    How many of the four senior roles — managing director, finance director (with commercial skills),
    operations director, business-development director — are designated: a `senior_team` row with a named
    person who is substantive or interim (not vacant). At least `min_designated` must be.

    ## Why it matters
    A CSS must become a commercial, customer-driven business; the BDU looked for a senior team able to run
    one, and for chief finance officers with "commercial backgrounds" in particular.

    ## Severity
    Medium. Senior appointments were due by the end of June 2012, after checkpoint 2; missing designations
    at checkpoint 2 are development-plan items, and checkpoint 3 judges the managing director in post.

    ## Evidence used
    `senior_team.csv`: `role`, `name`, `status`, `commercial_skills`. Evidence rows name each role not
    designated and why.

    ## Source
    [S] seed `000` (finance leads with commercial and marketing skills; CSS leaders to develop "confident,
    customer-driven entities"); the four roles and `min_designated` of 3 of 4 [A] from BRIEF.md CP2-LEA-02.
    """
    if sub.senior_team is None:
        return not_evidenced(
            "the senior team (senior_team.csv)", f"≥ {p.min_designated} of 4 roles designated"
        )
    missing: list[tuple[Role, str]] = []
    for role in SENIOR_ROLES:
        why = _why_not_designated(role, [s for s in sub.senior_team if s.role is role], p)
        if why is not None:
            missing.append((role, why))
    designated = len(SENIOR_ROLES) - len(missing)
    gaps = ", ".join(f"{role.value.replace('_', ' ')} ({why})" for role, why in missing)
    return judge(
        passed=designated >= p.min_designated,
        measures=[
            measure(
                "senior roles designated (of 4)",
                designated,
                Unit.COUNT,
                at_least("min_designated", p.min_designated),
            )
        ],
        actual=f"{designated} of {len(SENIOR_ROLES)}",
        expected=f"≥ {p.min_designated} of {len(SENIOR_ROLES)} senior roles designated",
        finding=f"{designated} of {len(SENIOR_ROLES)} senior roles are designated"
        + (f"; not designated: {gaps}." if missing else "."),
        evidence=[row(role=role.value, reason=why) for role, why in missing],
    )
