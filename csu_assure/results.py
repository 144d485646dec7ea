"""The one result model: an `Assessment` record that every renderer (Word, Prefect artifacts, CLI, JSON) reads.

Schema version 2 (the revised decision model): results carry a decision domain and a check group, severities
are critical / high / medium / low, domains have a status (pass / marginal / fail) and plan items say whether
they bind and how "done" is measured. Records of schema version 1 (three severities, nine domains coloured
red / amber / green) are read through `upgrade_v1`, so they stay readable and re-render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from csu_assure.domain import (
    CheckGroup,
    CheckId,
    Checkpoint,
    Disposition,
    Domain,
    DomainStatus,
    ModerationStatus,
    Outcome,
    Rag,
    Severity,
    Status,
    Unit,
)
from csu_assure.submission import InputFile

SCHEMA_VERSION = 2

EvidenceRow = dict[str, str]

# The statuses that count as a failure, and the colour a failed result is shown in by severity: built once, not
# per result (even looking an enum member up on its class costs ~1k instructions, through the enum metaclass's
# attribute hook).
_FAILING = frozenset(s for s in Status if s.counts_as_failure)
_FAILURE_RAG = {
    Severity.CRITICAL: Rag.RED,
    Severity.HIGH: Rag.AMBER,
    Severity.MEDIUM: Rag.AMBER,
    Severity.LOW: Rag.GREEN,
}
_GREEN = Rag.GREEN


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


MetWhen = Literal["at_least", "above", "at_most", "below"]


class Threshold(_Record):
    """One line a measured figure is judged against: where it lies, which side of it is met, and what not meeting
    it does to the check's result. A check's lines combine as the check judges: it passes only when every `pass`
    line is met; a failure weighs the most serious `grade` line not met, else the rule set's severity (or a pass
    line's own `severity`, when only such lines fail)."""

    param: str | None = Field(
        description="The rule-set parameter that sets the line (e.g. 'pass_at'); None when the submission's own "
        "figures set it (e.g. the CSS's cost per head, which its price must cover)."
    )
    at: float = Field(description="Where the line lies, in the measure's unit.")
    met_when: MetWhen = Field(description="Which side of the line is met: value ≥, >, ≤ or < the line.")
    role: Literal["pass", "grade"] = Field(
        "pass",
        description="pass: the check fails when it is not met; grade: it only sets how much a failure weighs.",
    )
    severity: Severity | None = Field(
        None,
        description="grade: what a failure weighs when this line is not met; pass: what its failure alone weighs "
        "(None: the rule set's severity for the check).",
    )
    whole: bool = Field(False, description="The parameter takes whole numbers only (a count, a population).")

    def met(self, value: float) -> bool:
        at, side = self.at, self.met_when
        if side == "at_least":
            return value >= at
        if side == "above":
            return value > at
        if side == "at_most":
            return value <= at
        return value < at


class Measure(_Record):
    """A figure a check compares with thresholds, with the lines it is judged against: what a margin, a what-if
    and a sweep read, where `actual` and `expected` are text for people. A check gives one only when its lines
    alone decide its result (not, say, when a meeting was not held at all)."""

    name: str = Field(description="What is measured, e.g. 'year-1 CCG income ÷ total RCA'.")
    value: float = Field(
        description="The figure, in `unit` (describes the judgement; the check judged exact values)."
    )
    unit: Unit
    lines: tuple[Threshold, ...] = Field(min_length=1)


class Margin(_Record):
    """How far a measured figure stands from one of its lines: `distance` is value − line in the measure's unit
    (zero exactly at the line), `share` that distance as a share of the line (None for a line at zero)."""

    check_id: str
    measure: str
    unit: Unit
    value: float
    param: str | None
    threshold: float
    met_when: MetWhen
    role: Literal["pass", "grade"]
    met: bool
    distance: float
    share: float | None

    @property
    def text(self) -> str:
        """E.g. "CP2-CUS-04 capture 29.5% against pass_at 30%: 0.5 percentage points (1.7% of the line)"."""
        line = f"{self.param} " if self.param else ""
        share = f" ({abs(self.share):.1%} of the line)" if self.share is not None else ""
        side = "met" if self.met else "not met"
        return (
            f"{self.check_id} {self.measure} {self.unit.show(self.value)} against {line}"
            f"{self.unit.show(self.threshold)} ({side}): {self.unit.show_distance(self.distance)} away{share}"
        )


class Hinge(_Record):
    """A line a decision hangs on: moving it by no more than the rule set's tolerance would change the outcome."""

    margin: Margin
    check_name: str
    status: Status = Field(description="The check's result now.")
    status_if_crossed: Status
    severity_if_crossed: Severity | None = Field(None, description="What the check's failure would weigh.")
    outcome: Outcome = Field(description="The outcome now.")
    outcome_if_crossed: Outcome


class Firmness(_Record):
    """How firm a decision is: the lines within `tolerance` (a share of each line) whose crossing would change the
    outcome. No hinge: the decision is firm at that tolerance; any: the CSU is borderline."""

    tolerance: float = Field(ge=0, le=1)
    hinges: tuple[Hinge, ...] = ()

    @property
    def borderline(self) -> bool:
        return bool(self.hinges)


class Judgement(_Record):
    """What a check concludes; the engine turns it into a `CheckResult` (severity, overrides, waivers)."""

    status: Literal[Status.PASS, Status.FAIL, Status.NOT_EVIDENCED, Status.NOT_APPLICABLE]
    severity: Severity | None = Field(
        None, description="Set when the check grades this failure, e.g. critical past its critical threshold."
    )
    remedy: str | None = Field(
        None, description="An agreed remedy in the submission that lowers the failure's weight one step."
    )
    actual: str | None = None
    expected: str = ""
    finding: str
    evidence: tuple[EvidenceRow, ...] = ()
    measures: tuple[Measure, ...] = Field(
        (),
        description="The figures the check compared with its thresholds, when they alone decide its result.",
    )


class Adjustment(_Record):
    """An assessor's override (a different result) or waiver (the check does not count until `expires`)."""

    kind: Literal["override", "waiver"]
    check_id: CheckId
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
    domain: Domain = Field(description="The decision domain the result counts towards.")
    group: CheckGroup = Field(description="The check's group, for reading (its id's three letters).")
    severity: Severity = Field(description="How much a failure weighs in its domain.")
    computed_status: Status = Field(description="What the check itself concluded.")
    status: Status = Field(description="The final result after any override or waiver.")
    actual: str | None = None
    expected: str = ""
    finding: str
    evidence: tuple[EvidenceRow, ...] = ()
    source: str = Field(
        "", description="Where the threshold comes from ([S] sourced, [D] derived, [A] assumed)."
    )
    remedy: str | None = Field(
        None, description="The agreed remedy that lowered this failure's weight one step, if any."
    )
    adjustment: Adjustment | None = None
    note: str | None = Field(None, description="Framework notes, e.g. an expired waiver or a check error.")
    measures: tuple[Measure, ...] = Field(
        (),
        description="The figures the check compared with its thresholds (empty on records made before measures "
        "were kept, and for checks that judge no figure).",
    )

    @property
    def failed(self) -> bool:
        """Counts as a failure of its severity (FAIL, insufficient evidence or a check error)."""
        return self.status in _FAILING  # `status.counts_as_failure`, without a second property call

    @property
    def rag(self) -> Rag:
        """The colour a report shows this result in: red for a critical failure, amber for a high or medium
        one, green otherwise (a low failure is advice)."""
        if self.status not in _FAILING:
            return _GREEN
        return _FAILURE_RAG[self.severity]


class PlanItem(_Record):
    """One development-plan item: what must be done, by whom, by when, and how "done" is measured. Items from
    checkpoint 2 on are binding (checked at the next checkpoint; a breach fails the CSS) unless they are low
    advice; checkpoint 1 items are advice to address by checkpoint 2."""

    item_id: str = Field(
        description="Stable id, e.g. 'CP2-CUS-03@2': the check and the checkpoint it came from; an escalation "
        "is 'ESCALATION-<domain>@2'."
    )
    check_id: str = Field(description="The check it answers (for an escalation, the failed domain's reason).")
    kind: Literal["finding", "escalation"] = Field(
        "finding", description="A failed check, or a checkpoint 2 escalation of a failed domain."
    )
    finding: str
    action: str
    owner: str
    due: dt.date
    measure: str = Field("", description="The measurable test of done: the check's own pass condition.")
    evidence_required: str
    binding: bool = True
    severity: Severity


class Moderation(_Record):
    status: ModerationStatus
    assessor: str | None = None
    note: str | None = None
    moderated_on: dt.date | None = None


class Amendment(_Record):
    """Why a record re-assesses one already issued from the same submission, e.g. a waiver that expired."""

    on: dt.date = Field(description="The day the record was re-assessed (the day waivers were judged on).")
    reason: str = Field(min_length=1, description="What changed, e.g. which waivers expired.")
    replaces: str = Field(description="The assessment id of the record this one amends.")


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


def row_ranges(rows: tuple[int, ...], offset: int = 0) -> str:
    """Row numbers as runs, e.g. (1, 2, 3, 7) → "1–3, 7"; `offset` is added to each (a file's line is its data
    row + 1, the header being line 1)."""
    runs: list[str] = []
    start = previous = None
    for n in (*sorted(rows), None):
        if n is not None and previous is not None and n == previous + 1:
            previous = n
            continue
        if start is not None and previous is not None:
            runs.append(f"{start + offset}" if start == previous else f"{start + offset}–{previous + offset}")
        start = previous = n
    return ", ".join(runs)


class DataIssue(_Record):
    """A submitted figure no real CSS could have (BRIEF.md: "implausible data is not evidence"): where it is, what
    it is and the plausible range the rule set gives. The assessor must resolve it with the CSU."""

    file: str = Field(
        description="The submission file, e.g. 'financial_plan.csv' (in a workbook, the sheet of that name)."
    )
    field: str = Field(description="The column or business-plan field, e.g. 'costs' or 'price_per_head'.")
    scope: str = Field(
        "", description="What was tested when it is not a single value, e.g. 'year 1 total'; blank otherwise."
    )
    rows: tuple[int, ...] = Field(
        (),
        description="Data rows, counted from 1 as the loaders count them (a CSV's line is the row + 1); "
        "empty for a business-plan field.",
    )
    values: tuple[str, ...] = Field(description="The implausible value(s) as shown; at most five distinct.")
    problem: str = Field(description="What is wrong, e.g. 'a placeholder, not a figure'.")
    expected: str = Field(description="The plausible range or rule, from the rule set.")
    set_aside: bool = Field(
        True,
        description="True: the engine treated the field or table as not submitted, so no check judged it; "
        "False: required data (the CCG table), judged as given and reported here.",
    )

    @property
    def where(self) -> str:
        """E.g. "financial_plan.csv rows 1–60, costs (year 1 total)"."""
        rows = f" rows {row_ranges(self.rows)}" if self.rows else ""
        scope = f" ({self.scope})" if self.scope else ""
        return f"{self.file}{rows}, {self.field}{scope}"

    def __str__(self) -> str:
        return f"{self.where}: {', '.join(self.values)} is {self.problem}; expected {self.expected}"


class Assessment(_Record):
    """One CSU at one checkpoint, as decided: every check's result, the domains' statuses, the outcome, the
    development plan, key figures and provenance."""

    schema_version: int = SCHEMA_VERSION
    assessment_id: str
    csu_id: str
    csu_name: str
    checkpoint: Checkpoint
    outcome: Outcome
    disposition: Disposition = Field(
        Disposition.ASSESSED,
        description="assessed, not_submitted (nothing by the deadline) or invalid_submission (sent but unreadable).",
    )
    escalation: Domain | None = Field(
        None,
        description="Checkpoint 2 B with one failed domain: that domain, escalated to a leadership intervention "
        "or a merger (a binding plan item, re-examined at checkpoint 3).",
    )
    domains: dict[Domain, DomainStatus] = Field(description="Each decision domain's status.")
    reasons: tuple[str, ...] = Field(
        (),
        description="The decision rule that gave the outcome, in the brief's words, e.g. 'two domains failed'.",
    )
    results: tuple[CheckResult, ...]
    development_plan: tuple[PlanItem, ...] = ()
    figures: KeyFigures | None = None
    data_quality: tuple[DataIssue, ...] = Field(
        (),
        description="Implausible figures in the submission: set aside before the checks ran (optional data) or "
        "judged as given (required data); each must be resolved by the assessor.",
    )
    moderation: Moderation
    provenance: Provenance
    amendment: Amendment | None = Field(
        None,
        description="Set when this record amends one issued earlier for the same submission (a waiver expired).",
    )
    report_path: str | None = None
    firmness: Firmness | None = Field(
        None,
        description="The lines within the rule set's tolerance that the outcome hangs on; None on records made "
        "before firmness was kept (`margins.firmness` works it out for them).",
    )

    @model_validator(mode="before")
    @classmethod
    def _read_older_schemas(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("schema_version", SCHEMA_VERSION) == 1:
            return upgrade_v1(data)
        return data

    def result(self, check_id: str) -> CheckResult:
        for r in self.results:
            if r.check_id == check_id:
                return r
        raise KeyError(check_id)

    @property
    def issues(self) -> tuple[CheckResult, ...]:
        """Every failed result, low advice included: what the development plan answers."""
        return tuple(r for r in self.results if r.failed)

    @property
    def conditions(self) -> tuple[CheckResult, ...]:
        """The failed results of medium severity or worse: the conditions (binding plan items) on a CSS that
        proceeds, the reasons for stopping one that does not."""
        return tuple(r for r in self.results if r.failed and r.severity is not Severity.LOW)


# ------------------------------------------------------------------------------------- schema version 1

# Version 1 had nine domains (now check groups: each counts towards one decision domain), three severities and
# red / amber / green domains. Its records are read as version 2: the group is kept, the decision domain is the
# one the group counts towards, major reads as high (it made a domain amber, as high makes it marginal) and minor
# as low (advice), a domain's colour as its status (the worst of the groups that now make it up). The outcome and
# the plan stay as they were decided: a record is evidence of what was decided, not re-decided on reading.
V1_GROUP_DOMAIN: dict[str, Domain] = {
    "evidence": Domain.BUSINESS,
    "leadership": Domain.LEADERSHIP,
    "customer": Domain.CUSTOMER,
    "business": Domain.BUSINESS,
    "delivery": Domain.DELIVERY,
    "scale": Domain.BUSINESS,
    "offer": Domain.BUSINESS,
    "governance": Domain.LEADERSHIP,
    "partnership": Domain.CUSTOMER,
}
_V1_SEVERITY = {"critical": "critical", "major": "high", "minor": "low"}
_V1_STATUS = {"GREEN": DomainStatus.PASS, "AMBER": DomainStatus.MARGINAL, "RED": DomainStatus.FAIL}
_STATUS_ORDER = {DomainStatus.PASS: 0, DomainStatus.MARGINAL: 1, DomainStatus.FAIL: 2}


def upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A schema-version-1 record (as a dict) in the version 2 shape."""
    data = dict(data)
    results = []
    for r in data.get("results", ()):
        r = dict(r)
        group = r.get("domain", "business")
        r["group"], r["domain"] = group, V1_GROUP_DOMAIN.get(group, Domain.BUSINESS)
        r["severity"] = _V1_SEVERITY.get(r.get("severity", ""), r.get("severity"))
        results.append(r)
    data["results"] = results
    domains: dict[Domain, DomainStatus] = {}
    for group, colour in dict(data.get("domains", {})).items():
        domain, status = (
            V1_GROUP_DOMAIN.get(group, Domain.BUSINESS),
            _V1_STATUS.get(colour, DomainStatus.PASS),
        )
        if _STATUS_ORDER[status] >= _STATUS_ORDER[domains.get(domain, DomainStatus.PASS)]:
            domains[domain] = status
    data["domains"] = domains
    if data.get("escalation") is True:
        failed = [d for d, s in domains.items() if s is DomainStatus.FAIL]
        data["escalation"] = failed[0] if failed else None
    elif data.get("escalation") is False:
        data["escalation"] = None
    data["development_plan"] = [
        {**dict(i), "severity": _V1_SEVERITY.get(dict(i).get("severity", ""), dict(i).get("severity"))}
        for i in data.get("development_plan", ())
    ]
    data["schema_version"] = SCHEMA_VERSION
    return data


# --------------------------------------------------------------------------------------------- validators

# For the records built by the thousand: a judgement and a result per check of every assessment, and the
# figures' rows. `TypeAdapter(M).validate_python(data)` runs `M`'s own validator, so it makes exactly the record
# `M.model_validate(data)` makes, without reading `model_validate` and `__pydantic_validator__` off the class
# on every call: pydantic's model metaclass hooks class attribute access, which makes each read ~0.2 µs, about a
# tenth of validating a small record.
JUDGEMENT = TypeAdapter(Judgement)
MEASURE = TypeAdapter(Measure)
CHECK_RESULT = TypeAdapter(CheckResult)
YEAR_FIGURES = TypeAdapter(tuple[YearFigures, ...])
QUESTION_SCORES = TypeAdapter(tuple[QuestionScore, ...])


@dataclass(frozen=True, slots=True)
class IssueBrief:
    """What a cohort summary keeps of one failed check: which, what it found wrong, how much it weighed."""

    check_id: str
    name: str
    domain: Domain
    severity: Severity
    status: Status


@dataclass(frozen=True, slots=True)
class AssessmentSummary:
    """What a cohort summary keeps of one assessment: its decision, domain colours, conditions (check ids), key
    figures, data-quality issues and provenance in brief. A cohort run folds each record into one of these as its
    CSU finishes and lets the full record (results, evidence, plan) go, so its memory does not grow with every
    finding of every CSU."""

    assessment_id: str
    csu_id: str
    csu_name: str
    checkpoint: Checkpoint
    outcome: Outcome
    disposition: Disposition
    escalation: Domain | None
    domains: Mapping[Domain, DomainStatus]
    conditions: tuple[str, ...]
    moderation: ModerationStatus
    moderated_by: str | None
    report_path: str | None
    figures: KeyFigures | None
    as_of: dt.date
    ruleset: str  # name and version
    engine_version: str
    data_quality: tuple[DataIssue, ...] = ()
    reasons: tuple[str, ...] = ()  # the decision rule that gave the outcome
    issues: tuple[IssueBrief, ...] = ()  # every failed check, low advice included
    plan: tuple[PlanItem, ...] = ()  # the development plan: conditions with owners, dates and tests
    firmness: Firmness | None = None  # the lines a borderline decision hangs on (None: not known)

    @property
    def borderline(self) -> bool:
        return self.firmness is not None and self.firmness.borderline

    @classmethod
    def of(cls, a: Assessment) -> AssessmentSummary:
        p = a.provenance
        return cls(
            assessment_id=a.assessment_id,
            csu_id=a.csu_id,
            csu_name=a.csu_name,
            checkpoint=a.checkpoint,
            outcome=a.outcome,
            disposition=a.disposition,
            escalation=a.escalation,
            domains=a.domains,
            conditions=tuple(c.check_id for c in a.conditions),
            moderation=a.moderation.status,
            moderated_by=a.moderation.assessor,
            report_path=a.report_path,
            figures=a.figures,
            as_of=p.as_of,
            ruleset=f"{p.ruleset_name} {p.ruleset_version}",
            engine_version=p.engine_version,
            data_quality=a.data_quality,
            reasons=a.reasons,
            issues=tuple(
                IssueBrief(r.check_id, r.name, r.domain, r.severity, r.status) for r in a.results if r.failed
            ),
            plan=a.development_plan,
            firmness=a.firmness,
        )


@dataclass(frozen=True, slots=True)
class CsuRow:
    """What a cohort summary, a table or a JSON line keeps of one `CsuRun`: no findings, no evidence."""

    csu_id: str
    csu_name: str
    checkpoint: Checkpoint
    disposition: Disposition
    summary: AssessmentSummary | None  # the assessment made at this checkpoint, in brief
    problems: tuple[str, ...] = ()
    message: str = ""
    pdf: str | None = None
    pdf_error: str = ""
    report_error: str = ""  # why the Word report of a recorded assessment could not be written

    @property
    def failed(self) -> bool:
        return self.disposition in (Disposition.ERROR, Disposition.INVALID_SUBMISSION)


@dataclass(frozen=True)
class CohortSummary:
    """A cohort at one checkpoint: a row per CSU in cohort order, counts by decision, the cohort report."""

    cohort: str
    checkpoint: Checkpoint
    rows: tuple[CsuRow, ...]
    counts: Mapping[str, int] = field(default_factory=dict)
    report_path: Path | None = None
    refused: tuple[str, ...] = ()  # entries of the cohort folder that are not CSU folders, each with why
    skipped: tuple[str, ...] = ()  # folders left out on purpose (the output folder inside the cohort)

    @property
    def failed(self) -> list[CsuRow]:
        return [r for r in self.rows if r.failed]

    @property
    def errors(self) -> list[CsuRow]:
        return [r for r in self.rows if r.disposition is Disposition.ERROR]


_NOT_DECIDED = {Disposition.STOPPED: "stopped earlier", Disposition.PENDING: "awaiting submission"}


def count_label(row: CsuRow) -> str:
    """How a CSU counts in a cohort: its decision label, or what happened instead of a decision."""
    if row.summary is not None and row.disposition.recorded:
        label = row.summary.outcome.label
        return f"{label} (invalid submission)" if row.disposition is Disposition.INVALID_SUBMISSION else label
    return _NOT_DECIDED.get(row.disposition, row.disposition.value)
