"""Closed vocabularies of the checkpoint process, each named once: checkpoints, decision domains and check
groups, severities, a check's status, a domain's status, a checkpoint's outcome, what became of a CSU in a run
(`Disposition`) and where a moderation stands.

A check result has a `Status` (PASS, FAIL...) and, when it fails, a `Severity`; a decision domain has a
`DomainStatus` (pass, marginal, fail); an assessment decides an `Outcome` (A, B, C...); a run ends each CSU with
a `Disposition` (assessed, not submitted, stopped earlier...); a record's moderation has a `ModerationStatus`.
These are different questions, so different words, and no other module invents another.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import StringConstraints

# A check's stable id: checkpoint, a three-letter code, a number (CP2-CUS-03). Written once, here.
CHECK_ID_PATTERN = r"^CP[123]-[A-Z]{3}-\d{2}$"
CheckId = Annotated[str, StringConstraints(pattern=CHECK_ID_PATTERN)]


class Checkpoint(IntEnum):
    OUTLINE_PLAN = 1
    VIABILITY = 2
    FULL_BUSINESS_PLAN = 3

    @property
    def title(self) -> str:
        return {
            1: "Checkpoint 1 — outline plan",
            2: "Checkpoint 2 — viability",
            3: "Checkpoint 3 — full business plan",
        }[self.value]


class Domain(StrEnum):
    """The decision domains: what the BDU judged. Checkpoint 2 had three (leadership, business plan, customer
    focus); checkpoint 3 four tests (leadership, customer, business, delivery). Every check counts towards one."""

    LEADERSHIP = "leadership"
    BUSINESS = "business"
    CUSTOMER = "customer"
    DELIVERY = "delivery"

    def label(self, checkpoint: Checkpoint) -> str:
        """The domain as the BDU named it at `checkpoint` ("Business plan" at 1 and 2, "Business" at 3)."""
        if checkpoint is Checkpoint.FULL_BUSINESS_PLAN:
            return self.value.capitalize()
        return _EARLY_LABELS[self]


_EARLY_LABELS = {
    Domain.LEADERSHIP: "Leadership",
    Domain.BUSINESS: "Business plan",
    Domain.CUSTOMER: "Customer focus",
    Domain.DELIVERY: "Delivery",
}

# The decision domains of each checkpoint, in the order the BDU listed them. Checkpoint 1 is judged on the
# checkpoint 2 domains [A]: the sources name none for it, and its outline plan is the first draft of the
# business plan checkpoint 2 judged.
DECISION_DOMAINS: dict[Checkpoint, tuple[Domain, ...]] = {
    Checkpoint.OUTLINE_PLAN: (Domain.LEADERSHIP, Domain.BUSINESS, Domain.CUSTOMER),
    Checkpoint.VIABILITY: (Domain.LEADERSHIP, Domain.BUSINESS, Domain.CUSTOMER),
    Checkpoint.FULL_BUSINESS_PLAN: (Domain.LEADERSHIP, Domain.CUSTOMER, Domain.BUSINESS, Domain.DELIVERY),
}


class CheckGroup(StrEnum):
    """How checks are grouped for reading (the three letters of a check id and its folder under `checks/`).
    A group is not a decision domain: scale and price checks, for instance, count towards the business plan."""

    EVIDENCE = "evidence"
    LEADERSHIP = "leadership"
    CUSTOMER = "customer"
    BUSINESS = "business"
    DELIVERY = "delivery"
    SCALE = "scale"
    OFFER = "offer"
    GOVERNANCE = "governance"
    PARTNERSHIP = "partnership"


class Severity(StrEnum):
    """How much a failed check weighs in its domain (BRIEF.md, "the decision model")."""

    CRITICAL = "critical"  # the domain fails
    HIGH = "high"  # the domain is marginal: the issue needs rapid management
    MEDIUM = "medium"  # a development-plan item; enough of them in one domain make it marginal
    LOW = "low"  # a development-plan item, advice only

    @property
    def rank(self) -> int:
        """0 for low … 3 for critical: for ordering, and for "at least as serious as"."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class DomainStatus(StrEnum):
    """A decision domain's result: passed, passed only marginally, or failed."""

    PASS = "pass"
    MARGINAL = "marginal"
    FAIL = "fail"

    @property
    def rag(self) -> Rag:
        """The colour a report shows it in."""
        return _STATUS_RAG[self]


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_EVIDENCED = "NOT_EVIDENCED"  # the data the check needs is missing: scored as a FAIL
    NOT_APPLICABLE = "NOT_APPLICABLE"
    ERROR = "ERROR"  # the check itself raised; scored as a FAIL so a bug can never pass a CSU
    WAIVED = "WAIVED"  # only the engine sets this, from an assessor's unexpired waiver

    @property
    def counts_as_failure(self) -> bool:
        return self in (Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR)


class Rag(StrEnum):
    """Red, amber, green: how a report colours a status."""

    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


_STATUS_RAG = {DomainStatus.PASS: Rag.GREEN, DomainStatus.MARGINAL: Rag.AMBER, DomainStatus.FAIL: Rag.RED}


class Outcome(StrEnum):
    PROCEED = "proceed"
    PROCEED_CONSOLIDATE = "proceed_consolidate"
    A = "A"
    B = "B"
    C = "C"
    RECOMMEND = "recommend"
    RECOMMEND_WITH_CONDITIONS = "recommend_with_conditions"
    NOT_RECOMMENDED = "not_recommended"
    NOT_SUBMITTED = "not_submitted"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def proceeds(self) -> bool:
        """Whether the CSS goes on to the next checkpoint (and so gets a development plan)."""
        return self not in (Outcome.C, Outcome.NOT_RECOMMENDED, Outcome.NOT_SUBMITTED)


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.PROCEED: "Proceed",
    Outcome.PROCEED_CONSOLIDATE: "Proceed, but consolidate",
    Outcome.A: "A — proceed",
    Outcome.B: "B — proceed, issues need rapid management",
    Outcome.C: "C — stop",
    Outcome.RECOMMEND: "Recommend hosting",
    Outcome.RECOMMEND_WITH_CONDITIONS: "Recommend hosting with conditions",
    Outcome.NOT_RECOMMENDED: "Not recommended for hosting",
    Outcome.NOT_SUBMITTED: "Fail — not submitted",
}


class Disposition(StrEnum):
    """What became of one CSU at one checkpoint in a run. The first three are recorded in the register; the
    others are not assessments: the CSU stopped at an earlier checkpoint, its deadline has not yet passed, or
    its assessment raised."""

    ASSESSED = "assessed"
    NOT_SUBMITTED = "not_submitted"
    INVALID_SUBMISSION = "invalid_submission"
    STOPPED = "stopped"
    PENDING = "pending"
    ERROR = "error"

    @property
    def recorded(self) -> bool:
        return self in _RECORDED


_RECORDED = frozenset({Disposition.ASSESSED, Disposition.NOT_SUBMITTED, Disposition.INVALID_SUBMISSION})


class ModerationStatus(StrEnum):
    DRAFT = "draft"  # awaiting an assessor's moderation
    MODERATED = "moderated"
    NOT_MODERATED = "not_moderated"  # an unattended run: the engine's decision stands


class Unit(StrEnum):
    """The units a check measures a figure in (a `Measure`), so a margin reads in the check's own terms."""

    SHARE = "share"  # a fraction, shown as a percentage: 0.3 is 30%
    PERCENT = "percent"  # already a percentage: 4.0 is 4%
    POUNDS = "pounds"
    POUNDS_PER_HEAD = "pounds_per_head"
    POUNDS_PER_WTE = "pounds_per_wte"
    PEOPLE = "people"
    COUNT = "count"
    SCORE = "score"  # a rating or a mean score on the scale the check names (1-4, 1-5)
    DAYS = "days"
    WORDS = "words"

    def show(self, value: float) -> str:
        """`value` in this unit, as a reader expects it: 30%, £12.50 a head, 1,000,000 people."""
        return _UNIT_SHOW[self](value)

    def show_distance(self, value: float) -> str:
        """A distance between two values in this unit (a share's in percentage points)."""
        if self in (Unit.SHARE, Unit.PERCENT):
            points = f"{abs(value) * (100 if self is Unit.SHARE else 1):.3g}"
            return f"{points} percentage point{'' if points == '1' else 's'}"
        return self.show(abs(value))


def _money(value: float) -> str:
    return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


def _whole(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


_UNIT_SHOW: dict[Unit, Callable[[float], str]] = {
    Unit.SHARE: lambda v: f"{v * 100:.3g}%",
    Unit.PERCENT: lambda v: f"{v:.3g}%",
    Unit.POUNDS: _money,
    Unit.POUNDS_PER_HEAD: lambda v: f"{_money(v)} a head",
    Unit.POUNDS_PER_WTE: lambda v: f"{_money(v)} per WTE",
    Unit.PEOPLE: lambda v: f"{_whole(v)} people",
    Unit.COUNT: _whole,
    Unit.SCORE: lambda v: f"{v:.2f}".rstrip("0").rstrip("."),
    Unit.DAYS: lambda v: f"{_whole(v)} day(s)",
    Unit.WORDS: lambda v: f"{_whole(v)} word(s)",
}
