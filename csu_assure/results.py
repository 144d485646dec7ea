"""The one result model: an `Assessment` record that every renderer (Word, Prefect artifacts, CLI, JSON) reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from csu_assure.domain import Checkpoint, Domain, Outcome, Rag, Severity, Status
from csu_assure.submission import InputFile

SCHEMA_VERSION = 1

EvidenceRow = dict[str, str]

# The statuses that count as a failure, and the colour a failure gives its domain by severity (a minor
# failure is advisory only): built once, not per result (`rag` is read twice for every result; even looking
# an enum member up on its class costs ~1k instructions, through the enum metaclass's attribute hook).
_FAILING = frozenset(s for s in Status if s.counts_as_failure)
_FAILURE_RAG = {Severity.CRITICAL: Rag.RED, Severity.MAJOR: Rag.AMBER, Severity.MINOR: Rag.GREEN}
_GREEN = Rag.GREEN


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
        if self.status not in _FAILING:  # `status.counts_as_failure`, without a second property call
            return _GREEN
        return _FAILURE_RAG[self.severity]


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


class ChartThresholds(_Record):
    """The rule set's thresholds that a record's charts draw as reference lines, kept with the record so that a
    report re-issued later, or under another rule set, draws the lines the CSU was judged against."""

    min_population: int = Field(description="Scale floor (CP1-SCL-01 at checkpoint 1, CP2-SCL-01 after).")
    score_pass_mean: float = Field(description="Mean CCG score that passes (CP2-CUS-02).")
    capture_pass: float = Field(description="Share of the footprint's RCA that passes (CP2-CUS-04).")
    min_price: Decimal = Field(description="Lowest plausible price per head (CP2-BUS-04).")
    max_price: Decimal = Field(description="Highest plausible price per head (CP2-BUS-04).")
    max_share_of_rca: Decimal = Field(
        description="Price aim as a share of the RCA per head (CP1-FIN-02, CP2-BUS-04, CP3-FIN-05)."
    )
    min_surplus_share: Decimal = Field(
        description="Year-1 surplus as a share of income that passes (CP2-BUS-01)."
    )


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
    thresholds: ChartThresholds | None = Field(
        None, description="Absent on records made before thresholds were kept: charts then draw BDU 2012's."
    )


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


# --------------------------------------------------------------------------------------------- validators

# For the records built by the thousand: a judgement and a result per check of every assessment, and the
# figures' rows. `TypeAdapter(M).validate_python(data)` runs `M`'s own validator, so it makes exactly the record
# `M.model_validate(data)` makes, without reading `model_validate` and `__pydantic_validator__` off the class
# on every call: pydantic's model metaclass hooks class attribute access, which makes each read ~0.2 µs, about a
# tenth of validating a small record.
JUDGEMENT = TypeAdapter(Judgement)
CHECK_RESULT = TypeAdapter(CheckResult)
YEAR_FIGURES = TypeAdapter(tuple[YearFigures, ...])
QUESTION_SCORES = TypeAdapter(tuple[QuestionScore, ...])
