"""The one result model: an `Assessment` record that every renderer (Word, Prefect artifacts, CLI, JSON) reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from csu_assure.domain import Checkpoint, Domain, Outcome, Rag, Severity, Status
from csu_assure.submission import InputFile

SCHEMA_VERSION = 1

EvidenceRow = dict[str, str]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Judgement(_Record):
    """What a check concludes; the engine turns it into a `CheckResult` (severity, overrides, waivers)."""

    status: Literal[Status.PASS, Status.FAIL, Status.NOT_EVIDENCED, Status.NOT_APPLICABLE]
    severity: Severity | None = Field(None, description="Set only when a failure escalates past the default.")
    actual: str | None = None
    expected: str = ""
    finding: str
    evidence: tuple[EvidenceRow, ...] = ()


class Adjustment(_Record):
    """An assessor's override (a different result) or waiver (the check does not count until `expires`)."""

    kind: Literal["override", "waiver"]
    check_id: str = Field(pattern=r"^CP[123]-[A-Z]{3}-\d{2}$")
    assessor: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)
    status: Literal[Status.PASS, Status.FAIL] | None = Field(
        None, description="Overrides only: the final result."
    )
    expires: dt.date | None = Field(None, description="Waivers only: last day the waiver applies.")
    recorded_on: dt.date | None = None


class CheckResult(_Record):
    check_id: str
    name: str
    domain: Domain
    severity: Severity
    computed_status: Status = Field(description="What the check itself concluded.")
    status: Status = Field(description="The final result after any override or waiver.")
    actual: str | None = None
    expected: str = ""
    finding: str
    evidence: tuple[EvidenceRow, ...] = ()
    source: str = Field(
        "", description="Where the threshold comes from ([S] sourced, [D] derived, [A] assumed)."
    )
    adjustment: Adjustment | None = None
    note: str | None = Field(None, description="Framework notes, e.g. an expired waiver or a check error.")

    @property
    def rag(self) -> Rag:
        """The colour this result contributes to its domain."""
        if not self.status.counts_as_failure:
            return Rag.GREEN
        return {Severity.CRITICAL: Rag.RED, Severity.MAJOR: Rag.AMBER, Severity.MINOR: Rag.GREEN}[
            self.severity
        ]


class PlanItem(_Record):
    """One development-plan item: binding on a CSS that proceeds, checked at the next checkpoint."""

    item_id: str = Field(
        description="Stable id, e.g. 'CP2-CUS-03@2': the check and the checkpoint it came from."
    )
    check_id: str
    finding: str
    action: str
    owner: str
    due: dt.date
    evidence_required: str
    binding: bool = True
    severity: Severity


class Moderation(_Record):
    status: Literal["draft", "moderated", "not_moderated"]
    assessor: str | None = None
    note: str | None = None
    moderated_on: dt.date | None = None


class Provenance(_Record):
    inputs: tuple[InputFile, ...] = ()
    ruleset_name: str
    ruleset_version: str
    ruleset_sha256: str
    engine_version: str
    as_of: dt.date
    assessor: str
    flow_run_id: str | None = None


class YearFigures(_Record):
    year: int
    income: Decimal
    costs: Decimal

    @property
    def surplus(self) -> Decimal:
        return self.income - self.costs


class QuestionScore(_Record):
    question: str
    label: str
    mean: float | None
    top2_share: float | None = Field(None, description="Share of answers scoring 4 or 5.")
    answers: int


class KeyFigures(_Record):
    """Figures the reports chart and the cohort summary compares, computed once when the record is made."""

    population: int
    ccg_count: int
    price_per_head: Decimal | None = None
    rca_per_head_mean: Decimal | None = None
    total_rca: Decimal | None = None
    planned_ccg_income_y1: Decimal | None = None
    capture: float | None = Field(None, description="Year-1 CCG income ÷ total RCA of the footprint CCGs.")
    surplus_y1_pct: float | None = None
    years: tuple[YearFigures, ...] = ()
    scores: tuple[QuestionScore, ...] = ()
    scores_source: Literal["ccg_interviews", "ccg_survey"] | None = None
    signed_sla_value: Decimal | None = None


class Assessment(_Record):
    schema_version: int = SCHEMA_VERSION
    assessment_id: str
    csu_id: str
    csu_name: str
    checkpoint: Checkpoint
    outcome: Outcome
    escalation: bool = Field(
        False, description="Checkpoint 2 B with one RED domain: leadership intervention or merger needed."
    )
    domains: dict[Domain, Rag]
    results: tuple[CheckResult, ...]
    development_plan: tuple[PlanItem, ...] = ()
    figures: KeyFigures | None = None
    moderation: Moderation
    provenance: Provenance
    report_path: str | None = None

    def result(self, check_id: str) -> CheckResult:
        for r in self.results:
            if r.check_id == check_id:
                return r
        raise KeyError(check_id)

    @property
    def conditions(self) -> tuple[CheckResult, ...]:
        """AMBER/RED results: conditions, or reasons for stopping."""
        return tuple(r for r in self.results if r.rag is not Rag.GREEN)
