"""The decision model (BRIEF.md, "The decision model", revised): domain statuses from check results, then the
checkpoint's outcome, each with the reason a BDU assessor would give.

A domain **fails** on any critical failure; it is **marginal** on any high failure, or on enough medium failures
that together need rapid management (`medium_issues_for_marginal` in the rule set); otherwise it **passes**,
its medium and low issues going into the development plan. Then:

- checkpoint 1 [A]: any failed domain → proceed, but consolidate (merge or collaborate); otherwise proceed;
- checkpoint 2 [A, from the published pattern]: two or three failed domains, or no agreed development plan → C;
  one failed domain → B with an escalation of that domain; any marginal domain → B; otherwise A;
- checkpoint 3 [A for the rule, S for the tests]: any failed test → not recommended; any marginal test →
  recommend with conditions; otherwise recommend hosting (medium issues still bind).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from csu_assure.domain import DECISION_DOMAINS, Checkpoint, Domain, DomainStatus, Outcome, Severity

_CRITICAL, _HIGH, _MEDIUM = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM


class Weighed(Protocol):
    """What the decision reads of a check result (a `CheckResult`, or a result as it would be)."""

    @property
    def check_id(self) -> str: ...

    @property
    def domain(self) -> Domain: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def failed(self) -> bool: ...


FailureCounts = dict[tuple[Domain, Severity], int]  # failed results, by decision domain and severity


def failure_counts(results: Iterable[Weighed]) -> FailureCounts:
    """How many results failed in each domain at each severity: all the domains' statuses depend on."""
    counts: FailureCounts = {}
    for r in results:
        if r.failed:
            key = (r.domain, r.severity)
            counts[key] = counts.get(key, 0) + 1
    return counts


def statuses_from_counts(
    counts: FailureCounts, checkpoint: Checkpoint, medium_issues_for_marginal: int
) -> dict[Domain, DomainStatus]:
    """Each decision domain of `checkpoint`: fail on a critical failure; marginal on a high failure or on
    `medium_issues_for_marginal` medium failures; pass otherwise."""
    statuses = {}
    for domain in DECISION_DOMAINS[checkpoint]:
        if counts.get((domain, _CRITICAL)):
            statuses[domain] = DomainStatus.FAIL
        elif counts.get((domain, _HIGH)) or counts.get((domain, _MEDIUM), 0) >= medium_issues_for_marginal:
            statuses[domain] = DomainStatus.MARGINAL
        else:
            statuses[domain] = DomainStatus.PASS
    return statuses


def domain_statuses(
    results: Iterable[Weighed], checkpoint: Checkpoint, medium_issues_for_marginal: int
) -> dict[Domain, DomainStatus]:
    """Each decision domain of `checkpoint`, from its results (`statuses_from_counts`)."""
    return statuses_from_counts(failure_counts(results), checkpoint, medium_issues_for_marginal)


def development_plan_agreed(results: Iterable[Weighed], development_plan_check: str | None) -> bool:
    """No failure of `development_plan_check` (the check whose failure means no agreed plan), if there is one."""
    if development_plan_check is None:
        return True
    return next((not r.failed for r in results if r.check_id == development_plan_check), True)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    escalation: Domain | None = None  # checkpoint 2: the one failed domain a B goes on with
    reasons: tuple[str, ...] = ()


def _named(domains: list[Domain], checkpoint: Checkpoint) -> str:
    labels = [d.label(checkpoint).lower() for d in domains]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def decide(
    checkpoint: Checkpoint, statuses: Mapping[Domain, DomainStatus], *, development_plan_agreed: bool = True
) -> Decision:
    """The checkpoint's outcome from its domains' statuses, with the rule that gave it."""
    failed = [d for d, s in statuses.items() if s is DomainStatus.FAIL]
    marginal = [d for d, s in statuses.items() if s is DomainStatus.MARGINAL]
    what = "test" if checkpoint is Checkpoint.FULL_BUSINESS_PLAN else "domain"
    failed_phrase = (
        f"{what}{'s' if len(failed) > 1 else ''} failed: {_named(failed, checkpoint)}" if failed else ""
    )
    marginal_phrase = f"passed only marginally: {_named(marginal, checkpoint)}" if marginal else ""
    if checkpoint is Checkpoint.OUTLINE_PLAN:
        if failed:
            return Decision(
                Outcome.PROCEED_CONSOLIDATE, reasons=(f"{failed_phrase}; advised to consolidate",)
            )
        return Decision(Outcome.PROCEED, reasons=(f"no {what} failed",))
    if checkpoint is Checkpoint.VIABILITY:
        if not development_plan_agreed:
            return Decision(Outcome.C, reasons=("no development plan agreed", *filter(None, [failed_phrase])))
        if len(failed) >= 2:
            return Decision(Outcome.C, reasons=(failed_phrase,))
        if len(failed) == 1:
            return Decision(
                Outcome.B,
                escalation=failed[0],
                reasons=(
                    f"{failed_phrase}: escalated for a leadership intervention or merger",
                    *filter(None, [marginal_phrase]),
                ),
            )
        if marginal:
            return Decision(Outcome.B, reasons=(marginal_phrase,))
        return Decision(Outcome.A, reasons=("good progress in every domain",))
    if failed:
        return Decision(Outcome.NOT_RECOMMENDED, reasons=(failed_phrase,))
    if marginal:
        return Decision(Outcome.RECOMMEND_WITH_CONDITIONS, reasons=(marginal_phrase,))
    return Decision(Outcome.RECOMMEND, reasons=("every test passed",))


def decide_results(
    results: Sequence[Weighed],
    checkpoint: Checkpoint,
    *,
    medium_issues_for_marginal: int,
    development_plan_check: str | None,
) -> tuple[dict[Domain, DomainStatus], Decision]:
    """The domains' statuses and the outcome from a checkpoint's results: what the engine records, and what a
    margin re-decides with one result as it would be across a line. At checkpoint 2 a failed
    `development_plan_check` means no agreed development plan."""
    domains = domain_statuses(results, checkpoint, medium_issues_for_marginal)
    plan_agreed = checkpoint is not Checkpoint.VIABILITY or development_plan_agreed(
        results, development_plan_check
    )
    return domains, decide(checkpoint, domains, development_plan_agreed=plan_agreed)
