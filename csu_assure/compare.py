"""What changed for one CSU between two of its assessments: `compare(earlier, later)` → `Movement`.

Pure: it reads two `Assessment` records and nothing else, so the report's "Since the last checkpoint" section,
`csu-assure diff` and the cohort summary's movement all say the same thing. It finds

- **domains** that moved (each decision domain's status before and after);
- **failures** resolved, still failing and new. Checks differ between checkpoints, so a failure is followed by
  the later checks that test the same question on later evidence (`RETESTED_BY`: the checkpoint 2 interview
  confidence check CP2-CUS-02 is re-tested by the checkpoint 3 survey, CP3-CUS-03). An earlier failure whose
  re-tests all pass is resolved; one with a failing re-test is still failing. One that no later check re-tests
  is judged by its development-plan item (reported met, or missed); without one it is "not re-tested". A later
  failure that follows no earlier failure is new. Within one checkpoint (a re-assessment) a check re-tests itself;
- **development-plan items** of the earlier assessment, each met, missed, not yet due or not evidenced, with
  the evidence: the later checkpoint's plan checks (CP3-DEL-01 for binding milestones, CP2-GOV-02 for checkpoint
  1 advice) name every item missed;
- **escalations** of the earlier assessment and whether the later one found them resolved (CP3-DEL-05).

A later record that is not an assessment of a submission (nothing submitted, or nothing readable) resolves
nothing and adds no "new" failures: every one of its checks lacks evidence, which says nothing about change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from csu_assure.domain import (
    DECISION_DOMAINS,
    Checkpoint,
    Disposition,
    Domain,
    DomainStatus,
    Outcome,
    Severity,
    Status,
)
from csu_assure.language import pass_condition
from csu_assure.remedies import escalated_domain
from csu_assure.results import Assessment, CheckResult, EvidenceRow, PlanItem

# Each check, mapped to the checks of the *next* checkpoint that test the same question on later evidence. A
# check missing here is not re-tested at the next checkpoint (checkpoint 1's offer checks, for example, are
# followed up only as advice, by CP2-GOV-02).
RETESTED_BY: Mapping[str, tuple[str, ...]] = {
    # checkpoint 1 → 2
    "CP1-LEA-01": ("CP2-LEA-01",),
    "CP1-EVD-01": ("CP2-EVD-01",),
    "CP1-FIN-02": ("CP2-BUS-04",),
    "CP1-FIN-03": ("CP2-BUS-04",),
    "CP1-SCL-01": ("CP2-SCL-01",),
    "CP1-SCL-02": ("CP2-SCL-01",),
    "CP1-SCL-03": ("CP2-SCL-01",),
    "CP1-CUS-01": ("CP2-CUS-01",),
    # checkpoint 2 → 3
    "CP2-LEA-01": ("CP3-LEA-01",),
    "CP2-GOV-01": ("CP3-DEL-01",),
    "CP2-EVD-01": ("CP3-EVD-01",),
    "CP2-BUS-01": ("CP3-FIN-03",),
    "CP2-BUS-04": ("CP3-FIN-05",),
    "CP2-CUS-01": ("CP3-CUS-04",),
    "CP2-CUS-02": ("CP3-CUS-03",),
    "CP2-CUS-03": ("CP3-CUS-01",),
    "CP2-CUS-04": ("CP3-CUS-01",),
    "CP2-CUS-05": ("CP3-CUS-01",),
}

# The checks that report on an earlier plan: binding milestones, checkpoint 1 advice, checkpoint 2 escalations.
PLAN_CHECK = "CP3-DEL-01"
ADVICE_CHECK = "CP2-GOV-02"
ESCALATION_CHECK = "CP3-DEL-05"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemState(StrEnum):
    """Where an earlier development-plan item stands at the later assessment."""

    MET = "met"
    MISSED = "missed"
    NOT_DUE = "not yet due"
    NOT_EVIDENCED = "not evidenced"
    FOLLOWED_UP = "followed up"
    NOT_FOLLOWED_UP = "not followed up"
    ADVICE = "advice, not checked"


class EscalationState(StrEnum):
    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    NOT_EVIDENCED = "not evidenced"
    NOT_YET_EXAMINED = "not yet re-examined"


class Direction(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    NEW = "newly judged"
    UNJUDGED = "not judged"  # the later record judged no submission: its domains say nothing about change


class DomainMove(_Model):
    domain: Domain
    before: DomainStatus | None = Field(
        description="None: the domain was not judged at the earlier checkpoint."
    )
    after: DomainStatus | None
    direction: Direction


class Change(_Model):
    """A failure and what became of it: an earlier failure resolved or still failing, or a new one."""

    check_id: str = Field(
        description="The check that failed (for a new or still failing one: the later check)."
    )
    name: str
    severity: Severity
    domain: Domain
    follows: tuple[str, ...] = Field(
        (),
        description="Still failing: the earlier failures it re-tests. Resolved: the later checks that passed.",
    )
    evidence: str = Field("", description="What shows it: a re-test's result, or the plan item's state.")


class PlanProgress(_Model):
    item_id: str
    check_id: str
    kind: str
    action: str
    owner: str
    due: dt.date
    measure: str
    binding: bool
    state: ItemState
    evidence: str
    retest_fails: bool = Field(
        False, description="Reported met, but a later check re-testing the same question still fails."
    )


class EscalationProgress(_Model):
    item_id: str
    domain: Domain
    due: dt.date
    state: EscalationState
    evidence: str
    domain_now: DomainStatus | None = Field(
        None, description="The escalated domain's status at the later one."
    )


class Movement(_Model):
    """One CSU from an earlier assessment to a later one."""

    csu_id: str
    csu_name: str
    before_checkpoint: Checkpoint
    after_checkpoint: Checkpoint
    before_outcome: Outcome
    after_outcome: Outcome
    before_as_of: dt.date
    after_as_of: dt.date
    before_escalation: Domain | None = None
    after_disposition: Disposition = Disposition.ASSESSED
    domains: tuple[DomainMove, ...] = ()
    resolved: tuple[Change, ...] = ()
    still_failing: tuple[Change, ...] = ()
    new: tuple[Change, ...] = ()
    not_retested: tuple[Change, ...] = ()
    plan: tuple[PlanProgress, ...] = ()
    escalations: tuple[EscalationProgress, ...] = ()

    @property
    def assessed_after(self) -> bool:
        """The later record judged a submission (not nothing submitted, not an unreadable one)."""
        return self.after_disposition is Disposition.ASSESSED

    def items(self, *states: ItemState, binding: bool | None = None) -> tuple[PlanProgress, ...]:
        return tuple(p for p in self.plan if p.state in states and (binding is None or p.binding is binding))

    @property
    def improved(self) -> tuple[DomainMove, ...]:
        return tuple(d for d in self.domains if d.direction is Direction.BETTER)

    @property
    def worsened(self) -> tuple[DomainMove, ...]:
        return tuple(d for d in self.domains if d.direction is Direction.WORSE)

    def brief(self) -> MovementBrief:
        binding = [p for p in self.plan if p.binding]
        return MovementBrief(
            before_checkpoint=self.before_checkpoint,
            before_outcome=self.before_outcome,
            before_escalation=self.before_escalation,
            after_outcome=self.after_outcome,
            assessed_after=self.assessed_after,
            better=tuple(d.domain for d in self.improved),
            worse=tuple(d.domain for d in self.worsened),
            resolved=len(self.resolved),
            still_failing=len(self.still_failing),
            new=len(self.new),
            binding_items=len(binding),
            met=sum(1 for p in binding if p.state is ItemState.MET),
            missed=sum(1 for p in binding if p.state is ItemState.MISSED),
            not_evidenced=sum(1 for p in binding if p.state is ItemState.NOT_EVIDENCED),
            escalation=self.escalations[0].state if self.escalations else None,
        )


@dataclass(frozen=True, slots=True)
class MovementBrief:
    """What a cohort summary keeps of one CSU's movement: counts, not the items (see `Movement`)."""

    before_checkpoint: Checkpoint
    before_outcome: Outcome
    before_escalation: Domain | None
    after_outcome: Outcome
    assessed_after: bool
    better: tuple[Domain, ...]
    worse: tuple[Domain, ...]
    resolved: int
    still_failing: int
    new: int
    binding_items: int
    met: int
    missed: int
    not_evidenced: int
    escalation: EscalationState | None


class NotComparable(ValueError):
    """The two records are not of one CSU, or not in order."""


_RANK = {DomainStatus.FAIL: 0, DomainStatus.MARGINAL: 1, DomainStatus.PASS: 2}


def retests(check_id: str, target: Checkpoint) -> tuple[str, ...]:
    """The checks of checkpoint `target` that re-test `check_id`, following `RETESTED_BY` one checkpoint at a
    time (a checkpoint 1 check reaches checkpoint 3 through checkpoint 2); the check itself at its own
    checkpoint."""
    ids: tuple[str, ...] = (check_id,)
    checkpoint = int(check_id[2])
    while checkpoint < int(target):
        ids = tuple(dict.fromkeys(n for i in ids for n in RETESTED_BY.get(i, ())))
        checkpoint += 1
    return ids


def _result_text(r: CheckResult) -> str:
    """ "CP3-CUS-03 fails (found response 67%; standard response ≥ 75%)"."""
    test = pass_condition(r.expected) if r.expected else ""
    found = f"found {r.actual}" if r.actual else ""
    detail = "; ".join(p for p in (found, f"standard {test}" if test else "") if p)
    verdict = "passes" if not r.failed else "fails"
    return f"{r.check_id} {verdict}" + (f" ({detail})" if detail else "")


def _change(r: CheckResult, follows: Iterable[str] = (), evidence: str = "") -> Change:
    return Change(
        check_id=r.check_id,
        name=r.name,
        severity=r.severity,
        domain=r.domain,
        follows=tuple(follows),
        evidence=evidence,
    )


def _rows_for(result: CheckResult | None, item: PlanItem, *keys: str) -> list[EvidenceRow]:
    """The evidence rows of `result` naming `item` (by its id, or by its check for a milestone the CSU carried
    into its own plan)."""
    if result is None:
        return []
    found = []
    for row in result.evidence:
        if any(row.get(k) == item.item_id for k in keys) or (
            item.check_id and row.get("check_id") == item.check_id
        ):
            found.append(row)
    return found


def _find(a: Assessment, check_id: str) -> CheckResult | None:
    return next((r for r in a.results if r.check_id == check_id), None)


def _not_assessed_reason(a: Assessment) -> str:
    if a.disposition is Disposition.INVALID_SUBMISSION:
        return f"the checkpoint {int(a.checkpoint)} submission could not be read"
    return f"nothing was submitted at checkpoint {int(a.checkpoint)}"


def _plan_progress(item: PlanItem, before: Assessment, after: Assessment) -> PlanProgress:
    state, evidence = _item_state(item, before, after)
    retested = [r for i in retests(item.check_id, after.checkpoint) if (r := _find(after, i)) is not None]
    retest_fails = (
        state is ItemState.MET
        and item.kind == "finding"
        and item.check_id != PLAN_CHECK
        and any(r.failed for r in retested)
    )
    return PlanProgress(
        item_id=item.item_id,
        check_id=item.check_id,
        kind=item.kind,
        action=item.action,
        owner=item.owner,
        due=item.due,
        measure=item.measure,
        binding=item.binding,
        state=state,
        evidence=evidence,
        retest_fails=retest_fails,
    )


def _item_state(item: PlanItem, before: Assessment, after: Assessment) -> tuple[ItemState, str]:
    cp = int(after.checkpoint)
    if item.due > after.provenance.as_of:
        return ItemState.NOT_DUE, f"due {item.due.isoformat()}, after this assessment"
    if after.disposition is not Disposition.ASSESSED:
        return (ItemState.NOT_EVIDENCED if item.binding else ItemState.ADVICE), _not_assessed_reason(after)
    if not item.binding:
        advice = _find(after, ADVICE_CHECK) if item.item_id.endswith("@1") else None
        if advice is None or advice.status is Status.NOT_APPLICABLE:
            return ItemState.ADVICE, "advice: no later check reports on it"
        if advice.status is Status.NOT_EVIDENCED:
            return ItemState.NOT_EVIDENCED, f"no development plan was submitted at checkpoint {cp}"
        rows = _rows_for(advice, item, "item_id")
        if rows:
            return ItemState.NOT_FOLLOWED_UP, f"{rows[0].get('status', 'not followed up')} ({ADVICE_CHECK})"
        return ItemState.FOLLOWED_UP, f"answered in the checkpoint {cp} development plan ({ADVICE_CHECK})"
    plan = _find(after, PLAN_CHECK)
    if plan is None:
        return ItemState.NOT_EVIDENCED, f"checkpoint {cp} has no check of the development plan"
    if plan.status is Status.NOT_EVIDENCED:
        return ItemState.NOT_EVIDENCED, f"no development plan progress was submitted at checkpoint {cp}"
    missed = _rows_for(plan, item, "milestone")
    if missed:
        said = _REPORTED.get(missed[0].get("met", ""), "not shown met")
        return ItemState.MISSED, f"{said} in the checkpoint {cp} development plan ({PLAN_CHECK})"
    if item.kind == "escalation":
        unresolved = _rows_for(_find(after, ESCALATION_CHECK), item, "milestone")
        if unresolved:
            row = unresolved[0]
            return ItemState.MISSED, (
                f"{row.get('reported', 'not shown met')}; remedy: {row.get('remedy', 'none')} ({ESCALATION_CHECK})"
            )
    evidence = f"reported met in the checkpoint {cp} development plan ({PLAN_CHECK})"
    checks = [r for i in retests(item.check_id, after.checkpoint) if (r := _find(after, i)) is not None]
    if item.kind == "finding" and checks and item.check_id != PLAN_CHECK:
        evidence += "; " + "; ".join(_result_text(r) for r in checks)
    return ItemState.MET, evidence


_REPORTED = {"not reported": "not reported", "False": "reported not met", "false": "reported not met"}


def _escalation(item: PlanItem, after: Assessment) -> EscalationProgress:
    domain = escalated_domain(item) or Domain.LEADERSHIP
    now = after.domains.get(domain)
    check = _find(after, ESCALATION_CHECK)
    if after.disposition is not Disposition.ASSESSED:
        state, evidence = EscalationState.NOT_EVIDENCED, _not_assessed_reason(after)
    elif check is None:
        state, evidence = EscalationState.NOT_YET_EXAMINED, "not re-examined at this checkpoint"
    elif check.status is Status.NOT_EVIDENCED:
        state, evidence = EscalationState.NOT_EVIDENCED, check.finding
    elif check.failed:
        rows = _rows_for(check, item, "milestone")
        reason = "; ".join(f"{r.get('reported', '')}; remedy: {r.get('remedy', '')}" for r in rows)
        state, evidence = EscalationState.UNRESOLVED, reason or check.finding
    else:
        state, evidence = EscalationState.RESOLVED, check.finding
    return EscalationProgress(
        item_id=item.item_id, domain=domain, due=item.due, state=state, evidence=evidence, domain_now=now
    )


def _domain_moves(before: Assessment, after: Assessment) -> tuple[DomainMove, ...]:
    order = list(DECISION_DOMAINS[after.checkpoint]) + [
        d for d in DECISION_DOMAINS[before.checkpoint] if d not in DECISION_DOMAINS[after.checkpoint]
    ]
    moves = []
    for d in order:
        b, a = before.domains.get(d), after.domains.get(d)
        if b is None and a is None:
            continue
        if after.disposition is not Disposition.ASSESSED:
            direction = Direction.UNJUDGED
        elif b is None or a is None:
            direction = Direction.NEW
        elif _RANK[a] > _RANK[b]:
            direction = Direction.BETTER
        elif _RANK[a] < _RANK[b]:
            direction = Direction.WORSE
        else:
            direction = Direction.SAME
        moves.append(DomainMove(domain=d, before=b, after=a, direction=direction))
    return tuple(moves)


def compare(before: Assessment, after: Assessment) -> Movement:
    """What changed for one CSU from `before` to `after` (NotComparable when they are of different CSUs, or
    `after` is of an earlier checkpoint)."""
    if before.csu_id != after.csu_id:
        raise NotComparable(f"{before.csu_id} and {after.csu_id} are different CSUs")
    if after.checkpoint < before.checkpoint:
        raise NotComparable(
            f"checkpoint {int(after.checkpoint)} comes before checkpoint {int(before.checkpoint)}"
        )
    assessed = after.disposition is Disposition.ASSESSED and before.disposition is Disposition.ASSESSED
    later = {r.check_id: r for r in after.results}
    plan = tuple(_plan_progress(i, before, after) for i in before.development_plan)
    by_check = {p.check_id: p for p in plan if p.kind == "finding"}
    resolved: list[Change] = []
    not_retested: list[Change] = []
    still: dict[str, tuple[CheckResult, list[str]]] = {}
    for r in before.results:
        if not r.failed or not assessed:
            continue
        tests = [later[i] for i in retests(r.check_id, after.checkpoint) if i in later]
        judged = [t for t in tests if t.status is not Status.NOT_APPLICABLE]
        failing = [t for t in judged if t.failed]
        item = by_check.get(r.check_id)
        if failing:
            for t in failing:
                still.setdefault(t.check_id, (t, []))[1].append(r.check_id)
        elif judged:
            resolved.append(
                _change(r, (t.check_id for t in judged), "; ".join(_result_text(t) for t in judged))
            )
        elif item is not None and item.state in (ItemState.MET, ItemState.FOLLOWED_UP):
            resolved.append(_change(r, (), f"plan item {item.item_id} {item.state.value}"))
        elif item is not None and item.state in (ItemState.MISSED, ItemState.NOT_FOLLOWED_UP):
            plan_check = later.get(PLAN_CHECK) or later.get(ADVICE_CHECK)
            if plan_check is not None:
                still.setdefault(plan_check.check_id, (plan_check, []))[1].append(r.check_id)
            else:
                not_retested.append(_change(r, (), f"plan item {item.item_id} {item.state.value}"))
        else:
            why = (
                f"plan item {item.item_id}: {item.state.value}"
                if item is not None
                else "no later check re-tests it"
            )
            not_retested.append(_change(r, (), why))
    still_failing = tuple(
        _change(t, follows, _result_text(t))
        for t, follows in sorted(still.values(), key=lambda v: v[0].check_id)
    )
    followed = set(still)
    new = tuple(
        _change(r, (), _result_text(r))
        for r in sorted(after.results, key=lambda r: (-r.severity.rank, r.check_id))
        if assessed and r.failed and r.check_id not in followed
    )
    escalations = tuple(_escalation(i, after) for i in before.development_plan if i.kind == "escalation")
    return Movement(
        csu_id=after.csu_id,
        csu_name=after.csu_name,
        before_checkpoint=before.checkpoint,
        after_checkpoint=after.checkpoint,
        before_outcome=before.outcome,
        after_outcome=after.outcome,
        before_as_of=before.provenance.as_of,
        after_as_of=after.provenance.as_of,
        before_escalation=before.escalation,
        after_disposition=after.disposition,
        domains=_domain_moves(before, after),
        resolved=tuple(sorted(resolved, key=lambda c: (-c.severity.rank, c.check_id))),
        still_failing=still_failing,
        new=new,
        not_retested=tuple(not_retested),
        plan=plan,
        escalations=escalations,
    )


__all__ = [
    "RETESTED_BY",
    "Change",
    "Direction",
    "DomainMove",
    "EscalationProgress",
    "EscalationState",
    "ItemState",
    "Movement",
    "MovementBrief",
    "NotComparable",
    "PlanProgress",
    "compare",
    "retests",
]
