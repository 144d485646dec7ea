"""Reading the agreed remedies a submission shows, once for every check they soften.

BRIEF.md ("context changes severity" [A]): a fact that is a serious issue on its own weighs one step less when the
plan shows an agreed remedy: a shortfall in scale or size with an agreed merger or collaboration route, a leadership
gap with an appointment made. A check passes what these return as `judge(remedy=...)`; the engine lowers the
failure one step. Every function is pure and reads the assessment date from its caller, never the clock.
"""

from __future__ import annotations

import datetime as dt

from csu_assure.domain import Domain
from csu_assure.results import PlanItem
from csu_assure.submission import AppointmentStatus, MergerStatus, Role, SeniorRow, Submission

_AGREED = (MergerStatus.AGREED, MergerStatus.COMPLETED)
_CARETAKERS = (AppointmentStatus.INTERIM, AppointmentStatus.ACTING)


def agreed_merger_route(sub: Submission, as_of: dt.date) -> str | None:
    """The agreed merger or collaboration route, described for a finding ("a merger or collaboration route with
    X was agreed on 2012-04-20"), or None. A route counts when its status is agreed or completed and, if dated,
    it was agreed on or before `as_of`; the older `merger_route_agreed: true` counts as agreed, with no partner
    named."""
    plan = sub.plan
    route = plan.merger_route
    if route is not None:
        if route.status not in _AGREED or (route.agreed_on is not None and route.agreed_on > as_of):
            return None
        what = f"a merger or collaboration route with {route.partner}"
        done = " and is completed" if route.status is MergerStatus.COMPLETED else ""
        if route.agreed_on is not None:
            return f"{what} was agreed on {route.agreed_on.isoformat()}{done}"
        return f"{what} is {'completed' if done else 'agreed'}"
    if plan.merger_route_agreed is True:
        return "a merger or collaboration route is agreed (no partner named)"
    return None


def merger_route_short_of_agreed(sub: Submission, as_of: dt.date) -> str | None:
    """Why a stated merger or collaboration route is not (yet) a remedy on `as_of`, for a finding ("a merger or
    collaboration route with X is only proposed"), or None when none is stated or it is agreed."""
    route = sub.plan.merger_route
    if route is None or agreed_merger_route(sub, as_of) is not None:
        return None
    what = f"a merger or collaboration route with {route.partner}"
    if route.status is MergerStatus.PROPOSED:
        return f"{what} is only proposed, not agreed"
    when = route.agreed_on.isoformat() if route.agreed_on else "?"
    return f"{what} is dated {when}, after the assessment date ({as_of.isoformat()})"


def managing_directors_in_post(sub: Submission, as_of: dt.date) -> tuple[SeniorRow, ...]:
    """Named managing directors holding the post on `as_of` on any terms (substantive, interim or acting): not
    vacant, and taking it up on or before `as_of` (an undated row counts as in post)."""
    return tuple(
        [
            r
            for r in sub.senior_team or ()
            if r.role is Role.MANAGING_DIRECTOR
            and r.name
            and r.status is not AppointmentStatus.VACANT
            and (r.appointed_on is None or r.appointed_on <= as_of)
        ]
    )


def leader_in_post(sub: Submission, as_of: dt.date) -> SeniorRow | None:
    """The substantive managing director in post on `as_of`, if any."""
    return next(
        (r for r in managing_directors_in_post(sub, as_of) if r.status is AppointmentStatus.SUBSTANTIVE), None
    )


def caretaker_leader(sub: Submission, as_of: dt.date) -> SeniorRow | None:
    """An interim or acting managing director in post on `as_of`, if any."""
    return next((r for r in managing_directors_in_post(sub, as_of) if r.status in _CARETAKERS), None)


def appointment_made(sub: Submission, as_of: dt.date) -> SeniorRow | None:
    """A named substantive managing director appointed to take up the post after `as_of`: an appointment made,
    not yet in post."""
    return next(
        (
            r
            for r in sub.senior_team or ()
            if r.role is Role.MANAGING_DIRECTOR
            and r.name
            and r.status is AppointmentStatus.SUBSTANTIVE
            and r.appointed_on is not None
            and r.appointed_on > as_of
        ),
        None,
    )


def describe_appointment(person: SeniorRow) -> str:
    """'X is appointed substantive managing director from 2012-07-02' (for `appointment_made`'s row)."""
    when = f" from {person.appointed_on.isoformat()}" if person.appointed_on else ""
    return f"{person.name} is appointed substantive managing director{when}"


# ------------------------------------------------------------------------------------- checkpoint 2 escalations

# The engine names a checkpoint 2 escalation `ESCALATION-<domain>@2` (`engine._escalation_item`); a test holds
# the two in step.
_ESCALATION_PREFIX = "ESCALATION-"
_DOMAINS = {d.value: d for d in Domain}


def escalated_domain(item: PlanItem) -> Domain | None:
    """The decision domain an escalation item escalated (read back from its id), or None for any other item."""
    if item.kind != "escalation" or not item.item_id.startswith(_ESCALATION_PREFIX):
        return None
    return _DOMAINS.get(item.item_id[len(_ESCALATION_PREFIX) :].partition("@")[0])


__all__ = [
    "agreed_merger_route",
    "appointment_made",
    "caretaker_leader",
    "describe_appointment",
    "escalated_domain",
    "leader_in_post",
    "managing_directors_in_post",
    "merger_route_short_of_agreed",
]
