"""The submission data contract: what an emerging CSU hands in at a checkpoint, as typed, frozen models.

One `Submission` is one CSU at one checkpoint: a business plan (`business_plan.yaml`) plus tables (CSV files or
sheets of one workbook). Every table is optional at the model level; a check that needs a missing table
reports NOT_EVIDENCED rather than the loader refusing the submission, because "insufficient evidence" is a
finding the assessor must see. Money is `Decimal` pounds, never float.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from operator import itemgetter
from typing import Annotated, Any, TypeVar, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from csu_assure.domain import CheckId, Checkpoint

# ---------------------------------------------------------------------------------------------------- scalars


def _no_control_chars(value: str) -> str:
    bad = [c for c in value if (ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF]
    if bad:
        raise ValueError(f"contains control character {bad[0]!r}; remove it")
    return value


CsuId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$"),
    Field(
        description="Stable slug for the CSU: lower-case letters, digits and hyphens (e.g. 'north-central')."
    ),
]
CcgId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$"),
    Field(description="CCG code, e.g. '08H' (letters, digits, hyphens; no spaces or path characters)."),
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_no_control_chars),
]
ONE_LINE_KEY = "x-one-line"  # JSON Schema mark of a one-line text (the format page says "one line")


def _one_line(value: str) -> str:
    # A name, id or label is one line: a line break in one would start a line of its own wherever it is shown
    # (a report's title, header or footer), where it could pass for part of the report ("Decision: A").
    if "\n" in value or "\r" in value:
        raise ValueError("must be one line: it contains a line break; remove it")
    return value


ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_control_chars),
    AfterValidator(_one_line),
    Field(json_schema_extra={ONE_LINE_KEY: True}),
]
Pounds = Annotated[
    Decimal,
    Field(
        ge=0,
        le=Decimal("10000000000"),
        max_digits=14,
        decimal_places=2,
        allow_inf_nan=False,
        description="Pounds sterling, at most 2 decimals.",
    ),
]
PoundsPerHead = Annotated[
    Decimal,
    Field(
        ge=0,
        le=1000,
        max_digits=8,
        decimal_places=2,
        allow_inf_nan=False,
        description="Pounds per head of registered population.",
    ),
]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=2, allow_inf_nan=False)]
Wte = Annotated[
    Decimal,
    Field(
        ge=0,
        le=100000,
        max_digits=9,
        decimal_places=2,
        allow_inf_nan=False,
        description="Whole-time equivalent staff.",
    ),
]
Score5 = Annotated[int, Field(ge=1, le=5, description="1 (very poor) to 5 (very good); blank = don't know.")]
Rating4 = Annotated[
    int, Field(ge=1, le=4, description="BDU leader-interview rating, 1 (weak) to 4 (strong).")
]
Months = Annotated[int, Field(ge=0, le=240)]


def _plausible_date(value: dt.date) -> dt.date:
    if not dt.date(2000, 1, 1) <= value <= dt.date(2035, 12, 31):
        raise ValueError("date must fall between 2000-01-01 and 2035-12-31")
    return value


Day = Annotated[dt.date, AfterValidator(_plausible_date)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# ---------------------------------------------------------------------------------------------- closed sets


class ServiceFunction(StrEnum):
    HEALTH_NEEDS_ASSESSMENT = "health_needs_assessment"
    BUSINESS_INTELLIGENCE = "business_intelligence"
    SERVICE_REDESIGN = "service_redesign"
    COMMUNICATIONS_ENGAGEMENT = "communications_engagement"
    PROCUREMENT = "procurement"
    PROVIDER_MANAGEMENT = "provider_management"
    CONTRACTING = "contracting"
    FINANCE = "finance"
    HR = "hr"
    IT = "it"
    LEDGER_PAYROLL = "ledger_payroll"
    OTHER = "other"


CORE_FUNCTIONS: tuple[ServiceFunction, ...] = (
    ServiceFunction.HEALTH_NEEDS_ASSESSMENT,
    ServiceFunction.BUSINESS_INTELLIGENCE,
    ServiceFunction.SERVICE_REDESIGN,
    ServiceFunction.COMMUNICATIONS_ENGAGEMENT,
    ServiceFunction.PROCUREMENT,
    ServiceFunction.PROVIDER_MANAGEMENT,
)


class DeliveryModel(StrEnum):
    IN_HOUSE = "in_house"  # built by this CSS, locally
    SHARED = "shared"  # shared with other CSSs
    AT_SCALE = "at_scale"  # bought at scale, e.g. a national or regional provider
    PARTNER = "partner"  # delivered with a partner organisation
    OUTSOURCED = "outsourced"


class Role(StrEnum):
    MANAGING_DIRECTOR = "managing_director"
    FINANCE_DIRECTOR = "finance_director"
    OPERATIONS_DIRECTOR = "operations_director"
    BUSINESS_DEVELOPMENT_DIRECTOR = "business_development_director"
    NON_EXECUTIVE = "non_executive"
    OTHER = "other"


class AppointmentStatus(StrEnum):
    """On what terms a senior post is held: substantive; interim (appointed for a fixed period while the post is
    recruited to); acting (covered by someone acting up from another post); or vacant."""

    SUBSTANTIVE = "substantive"
    INTERIM = "interim"  # appointed for a fixed period, often from outside, while the post is recruited to
    ACTING = "acting"  # covered by someone acting up from another post while it is recruited to
    VACANT = "vacant"


class MergerStatus(StrEnum):
    """How far a merger or collaboration route with another CSS has got."""

    PROPOSED = "proposed"  # discussed or put forward, not yet agreed by both parties
    AGREED = "agreed"  # agreed by both parties (e.g. a signed memorandum of understanding)
    COMPLETED = "completed"  # carried out: the CSSs merged or the collaboration is operating


class ScorecardPerspective(StrEnum):
    CUSTOMER = "customer"
    FINANCIAL = "financial"
    INTERNAL = "internal"
    LEARNING = "learning"


QUESTIONS: tuple[str, ...] = (
    "understanding",
    "offer_clarity",
    "value_for_money",
    "leadership_confidence",
    "responsiveness",
    "capability",
    "recommend",
)
QUESTION_LABELS: dict[str, str] = {
    "understanding": "Understanding of our needs",
    "offer_clarity": "Quality and clarity of the offer",
    "value_for_money": "Value for money",
    "leadership_confidence": "Confidence in leadership",
    "responsiveness": "Responsiveness",
    "capability": "Capability to deliver BI and contracting from April 2013",
    "recommend": "Would recommend",
}

_ANSWERS = itemgetter(*QUESTIONS)

# ------------------------------------------------------------------------------------------ business plan


class OutlineSections(_Model):
    """Which parts the (outline) business plan covers: checkpoint 1 requires all four."""

    structure: bool = Field(description="Organisational structure and hosting.")
    services: bool = Field(description="Services offered to CCGs.")
    products: bool = Field(description="Products / packages and how they are priced.")
    costs: bool = Field(description="Cost base and its baseline.")


class Leadership(_Model):
    lead_name: ShortText | None = Field(None, description="The dedicated CSS lead (checkpoint 1).")
    lead_conflicting_role: bool | None = Field(
        None,
        description="True if the lead also holds a role that conflicts (e.g. a CCG accountable officer).",
    )
    leader_interviewed: bool | None = Field(None, description="BDU leader interview held (checkpoint 2).")
    leader_interview_rating: Rating4 | None = None


class Governance(_Model):
    board_established: bool | None = Field(None, description="A board-equivalent governance body exists.")
    non_executive_members: int | None = Field(None, ge=0, le=50)


class Documents(_Model):
    """Checkpoint 3 deliverables."""

    full_business_plan: bool = False
    financial_model: bool = False
    balanced_scorecard: bool = False


class SiteVisit(_Model):
    held: bool
    visited_on: Day | None = None
    unresolved_red_findings: int = Field(0, ge=0, le=1000)


class CcgLeadsMeeting(_Model):
    held: bool
    withdrawing_ccgs: tuple[CcgId, ...] = Field(
        (), description="CCGs that said they will not take the offer."
    )


class MergerRoute(_Model):
    """A merger or collaboration route with another CSS: the remedy the BDU looked for in a CSS too small to be
    economic on its own."""

    partner: ShortText = Field(description="The CSS (or CSSs) merging or collaborating with this one.")
    status: MergerStatus = Field(description="proposed, agreed (by both parties) or completed.")
    agreed_on: Day | None = Field(
        None,
        description="Date both parties agreed the route; blank = not stated. Only for agreed or completed.",
    )

    @model_validator(mode="after")
    def _dated_only_once_agreed(self) -> MergerRoute:
        if self.agreed_on is not None and self.status is MergerStatus.PROPOSED:
            raise ValueError(
                "agreed_on is given but status is proposed; set status to agreed, or remove the date"
            )
        return self


class BusinessPlan(_Model):
    csu_id: CsuId
    csu_name: ShortText
    checkpoint: Checkpoint
    submitted_on: Day | None = Field(None, description="Date the plan reached the BDU; blank = not stated.")
    pct_clusters: tuple[ShortText, ...] = Field((), description="PCT clusters the CSS is carved out of.")
    outline: OutlineSections | None = None
    back_office: DeliveryModel | None = Field(None, description="How ledger and payroll will be delivered.")
    baseline_running_cost_per_head: PoundsPerHead | None = Field(
        None, description="PCT cluster running cost per head at baseline (£)."
    )
    price_per_head: PoundsPerHead | None = Field(
        None, description="Indicative CSS price to CCGs per head (£)."
    )
    leadership: Leadership = Leadership()
    governance: Governance = Governance()
    local_authority_engagements: int | None = Field(None, ge=0, le=10000)
    merger_route: MergerRoute | None = Field(
        None,
        description="A merger or collaboration route with another CSS; an agreed or completed route softens the "
        "scale and business-size checks one step.",
    )
    merger_route_agreed: bool | None = Field(
        None,
        description="Older form of merger_route: true = a route is agreed (no partner named). Either may be "
        "given; when both are, they must agree.",
    )
    income_growth_rationale: Text | None = None
    surplus_retention_assumption: Text | None = None
    hosting_charge_per_head: PoundsPerHead | None = None
    development_plan_agreed: bool | None = Field(None, description="Checkpoint 2: development plan agreed.")
    documents: Documents | None = None
    site_visit: SiteVisit | None = None
    ccg_leads_meeting: CcgLeadsMeeting | None = None

    @model_validator(mode="after")
    def _merger_forms_agree(self) -> BusinessPlan:
        route, legacy = self.merger_route, self.merger_route_agreed
        if route is not None and legacy is not None:
            agreed = route.status is not MergerStatus.PROPOSED
            if agreed != legacy:
                raise ValueError(
                    f"merger_route_agreed is {str(legacy).lower()} but merger_route.status is "
                    f"{route.status.value}; give merger_route only"
                )
        return self


# ------------------------------------------------------------------------------------------------- tables


class CcgRow(_Model):
    ccg_id: CcgId
    ccg_name: ShortText
    population: int = Field(ge=10_000, le=2_000_000, description="Registered population.")
    rca_per_head: PoundsPerHead = Field(description="The CCG's running-cost allowance per head (£).")
    in_house_cost_per_head: PoundsPerHead | None = Field(
        None, description="What the CCG plans to spend per head on its own staff and in-house support (£)."
    )
    engagement_events: int = Field(0, ge=0, le=1000, description="Engagement events held with this CCG.")


class ServiceRow(_Model):
    function: ServiceFunction
    delivery_model: DeliveryModel
    description: Text | None = None


class FinanceRow(_Model):
    year: int = Field(ge=1, le=4, description="Plan year: 1 = 2013/14 … 4 = 2016/17.")
    service_line: ServiceFunction
    customer: CcgId = Field(description="CCG code, or OTHER for non-CCG income.")
    income: Pounds
    costs: Pounds
    efficiency_pct: Percent | None = Field(
        None, description="Planned cost improvement in this year, % of the line's previous-year cost base."
    )


class WorkforceRow(_Model):
    service_line: ServiceFunction
    baseline_wte: Wte
    planned_wte: Wte = Field(
        description="Whole-time equivalent staff planned for the line in year 1 (2013/14)."
    )
    transfer_wte: Wte | None = Field(None, description="WTE transferring from PCTs in October 2012.")
    pay_cost: Pounds | None = Field(
        None,
        description="Year-1 pay cost of the line's planned WTE (£, with employer's on-costs); blank = not stated.",
    )


class SeniorRow(_Model):
    role: Role
    name: ShortText | None = None
    status: AppointmentStatus
    appointed_on: Day | None = Field(
        None,
        description="Date the post holder took up (or takes up) the post. A substantive appointment dated after "
        "the assessment date is an appointment made, not yet in post.",
    )
    commercial_skills: bool | None = None


class SlaRow(_Model):
    ccg_id: CcgId
    signed_on: Day | None = Field(None, description="Blank = not signed.")
    annual_value: Pounds
    term_months: Months | None = None
    notice_months: Months | None = None
    outcome_kpis: int = Field(0, ge=0, le=500, description="Outcome-based KPIs in the SLA.")
    satisfaction_measured: bool = False


class MilestoneRow(_Model):
    milestone_id: ShortText
    check_id: CheckId | None = None
    action: Text
    owner: ShortText
    due: Day
    binding: bool = True
    met: bool | None = Field(None, description="Blank = not yet reported.")
    evidence_required: Text | None = None


class _ScoredRow(_Model):
    ccg_id: CcgId
    understanding: Score5 | None = None
    offer_clarity: Score5 | None = None
    value_for_money: Score5 | None = None
    leadership_confidence: Score5 | None = None
    responsiveness: Score5 | None = None
    capability: Score5 | None = None
    recommend: Score5 | None = None

    def scores(self) -> dict[str, int | None]:
        return dict(zip(QUESTIONS, self.answers(), strict=True))

    def answers(self) -> tuple[int | None, ...]:
        """The seven scores in `QUESTIONS` order (None = don't know)."""
        # From the field dict by one C-level getter: attribute access on a pydantic model goes through its
        # `__getattr__` hook, and the checks read every respondent's answers.
        answers: tuple[int | None, ...] = _ANSWERS(self.__dict__)
        return answers


class InterviewRow(_ScoredRow):
    """Checkpoint 2: the BDU's interview with one CCG about the CSS offer."""

    interviewed: bool
    pct_from_css: Percent | None = None
    pct_in_house: Percent | None = None
    pct_shared: Percent | None = None
    pct_other: Percent | None = None
    intended_spend: Pounds | None = Field(
        None, description="What the CCG intends to spend with this CSS (£/yr)."
    )

    @model_validator(mode="after")
    def _shares_add_up(self) -> InterviewRow:
        parts = [self.pct_from_css, self.pct_in_house, self.pct_shared, self.pct_other]
        if all(p is not None for p in parts):
            total = sum((p for p in parts if p is not None), Decimal(0))
            if abs(total - 100) > 1:
                raise ValueError(
                    f"pct_from_css + pct_in_house + pct_shared + pct_other = {total}, expected 100"
                )
        return self


class SurveyRow(_ScoredRow):
    """Checkpoint 3: one CCG's answer to the September survey."""

    responded: bool


class ScorecardRow(_Model):
    kpi: ShortText
    perspective: ScorecardPerspective
    baseline: Decimal | None = Field(None, allow_inf_nan=False)
    target: Decimal | None = Field(None, allow_inf_nan=False)


# ------------------------------------------------------------------------------------------------ submission

OTHER_CUSTOMER = "OTHER"

# Table name -> (file stem, row model). The file stem is the CSV file name and the workbook sheet name.
TABLES: dict[str, type[_Model]] = {
    "ccgs": CcgRow,
    "services": ServiceRow,
    "financial_plan": FinanceRow,
    "workforce": WorkforceRow,
    "senior_team": SeniorRow,
    "slas": SlaRow,
    "development_plan": MilestoneRow,
    "ccg_interviews": InterviewRow,
    "ccg_survey": SurveyRow,
    "scorecard": ScorecardRow,
}

# Tables the BDU expects at each checkpoint; a missing one is a warning from `validate` (the checks that need
# it report NOT_EVIDENCED), never a load failure.
EXPECTED_TABLES: dict[Checkpoint, tuple[str, ...]] = {
    Checkpoint.OUTLINE_PLAN: ("ccgs", "services"),
    Checkpoint.VIABILITY: (
        "ccgs",
        "services",
        "financial_plan",
        "workforce",
        "senior_team",
        "development_plan",
        "ccg_interviews",
    ),
    Checkpoint.FULL_BUSINESS_PLAN: (
        "ccgs",
        "services",
        "financial_plan",
        "workforce",
        "senior_team",
        "slas",
        "development_plan",
        "ccg_survey",
        "scorecard",
    ),
}


class InputFile(_Model):
    """Provenance of one input file: where it came from and its SHA-256."""

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


_S = TypeVar("_S")
_T = TypeVar("_T")


class Derived:
    """What has been computed from one submission's tables (see `Submission.derived`): for each function, the
    table it last read and the value it gave. A cache, not part of the submission's value: pydantic compares,
    hashes and serialises only the fields, and a deep copy or a pickle of it is empty (the values are
    recomputed, not shipped)."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: dict[Callable[[Any], object], tuple[object, object]] = {}

    def __deepcopy__(self, memo: dict[int, object]) -> Derived:
        return Derived()

    def __reduce__(self) -> tuple[type[Derived], tuple[()]]:
        return (Derived, ())


class Submission(_Model):
    plan: BusinessPlan
    ccgs: tuple[CcgRow, ...] = Field(min_length=1)
    services: tuple[ServiceRow, ...] | None = None
    financial_plan: tuple[FinanceRow, ...] | None = None
    workforce: tuple[WorkforceRow, ...] | None = None
    senior_team: tuple[SeniorRow, ...] | None = None
    slas: tuple[SlaRow, ...] | None = None
    development_plan: tuple[MilestoneRow, ...] | None = None
    ccg_interviews: tuple[InterviewRow, ...] | None = None
    ccg_survey: tuple[SurveyRow, ...] | None = None
    scorecard: tuple[ScorecardRow, ...] | None = None
    inputs: tuple[InputFile, ...] = Field((), description="Provenance of the files this was loaded from.")

    @cached_property
    def _derived(self) -> Derived:
        # A `cached_property` (pydantic supports them on frozen models and leaves them out of the fields) rather
        # than a private attribute: it is read from the instance's `__dict__` like a field, where a private
        # attribute is found only after a failed lookup, through pydantic's `__getattr__`, which costs more
        # than the rest of reading a kept figure.
        return Derived()

    def derived(self, compute: Callable[[_S], _T], source: _S) -> _T:
        """`compute(source)`, where `source` is one of this submission's tables (e.g. `figures.plan_totals`
        aggregating `financial_plan`), computed on first use and kept on this submission for the checks and key
        figures that read it again. `compute` (a module-level function or class: it is the key) must be a pure
        function of `source`, and its value immutable, since every reader shares it.

        The value is reused only while `source` is the very object it was computed from, so a copy made with
        another table (`model_copy(update={"financial_plan": ...})`, as test cases make variants) computes its
        own, never its original's. A shallow copy made after a value was computed shares its original's cache:
        still correct, since each entry is checked against the reader's own table, but the last of them to
        compute a value replaces the other's. Two threads racing compute a value twice at worst."""
        values = self._derived.values
        entry = values.get(compute)
        if entry is not None and entry[0] is source:
            return cast(_T, entry[1])
        value = compute(source)
        values[compute] = (source, value)
        return value

    @property
    def csu_id(self) -> str:
        return self.plan.csu_id

    @property
    def checkpoint(self) -> Checkpoint:
        return self.plan.checkpoint

    @property
    def ccg_ids(self) -> frozenset[str]:
        return frozenset(c.ccg_id for c in self.ccgs)

    @property
    def population(self) -> int:
        return sum(c.population for c in self.ccgs)

    @model_validator(mode="after")
    def _consistent(self) -> Submission:
        problems = find_inconsistencies(self)
        if problems:
            raise ValueError("; ".join(f"{where}: {what}" for where, what in problems))
        return self


def find_inconsistencies(sub: Submission) -> list[tuple[str, str]]:
    """Cross-table rules a row model cannot see: unique keys and references to known CCGs.

    Returns (location, message) pairs; location is `table row N` with N counted from 1 like a spreadsheet's
    data rows, so the loader can point at the line.
    """
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, ccg in enumerate(sub.ccgs, start=1):
        if ccg.ccg_id in seen:
            problems.append(
                (f"ccgs row {i}", f"duplicate ccg_id {ccg.ccg_id!r} (first in row {seen[ccg.ccg_id]})")
            )
        seen.setdefault(ccg.ccg_id, i)
    known = sub.ccg_ids

    def refs(
        table: str, rows: tuple[Any, ...] | None, field: str, unique: bool, allow: frozenset[str]
    ) -> None:
        first: dict[str, int] = {}
        for i, row in enumerate(rows or (), start=1):
            value = getattr(row, field)
            if value not in known and value not in allow:
                problems.append((f"{table} row {i}", f"{field} {value!r} is not a CCG listed in ccgs"))
            if unique and value in first:
                problems.append(
                    (f"{table} row {i}", f"duplicate {field} {value!r} (first in row {first[value]})")
                )
            first.setdefault(value, i)

    refs("slas", sub.slas, "ccg_id", True, frozenset())
    refs("ccg_interviews", sub.ccg_interviews, "ccg_id", True, frozenset())
    refs("ccg_survey", sub.ccg_survey, "ccg_id", True, frozenset())
    refs("financial_plan", sub.financial_plan, "customer", False, frozenset({OTHER_CUSTOMER}))
    finance_keys: dict[tuple[int, str, str], int] = {}
    for i, row in enumerate(sub.financial_plan or (), start=1):
        key = (row.year, row.service_line.value, row.customer)
        if key in finance_keys:
            problems.append(
                (
                    f"financial_plan row {i}",
                    f"duplicate year/service_line/customer {key} (first in row {finance_keys[key]})",
                )
            )
        finance_keys.setdefault(key, i)
    milestone_ids: dict[str, int] = {}
    for i, m in enumerate(sub.development_plan or (), start=1):
        if m.milestone_id in milestone_ids:
            problems.append((f"development_plan row {i}", f"duplicate milestone_id {m.milestone_id!r}"))
        milestone_ids.setdefault(m.milestone_id, i)
    if sub.plan is not None and sub.plan.ccg_leads_meeting:
        for ccg_id in sub.plan.ccg_leads_meeting.withdrawing_ccgs:
            if ccg_id not in known:
                problems.append(
                    (
                        "business_plan ccg_leads_meeting.withdrawing_ccgs",
                        f"{ccg_id!r} is not a CCG listed in ccgs",
                    )
                )
    return problems
