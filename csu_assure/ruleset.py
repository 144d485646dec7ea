"""The versioned rule-set file: every check's severity and thresholds, validated against its `Params` model, and the
plausible ranges outside which a submitted figure is a data-quality issue rather than evidence."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from csu_assure.catalogue import Catalogue
from csu_assure.checking import CheckParams
from csu_assure.domain import Checkpoint, Severity
from csu_assure.loading.problems import Problem, problems_from_validation
from csu_assure.results import ChartThresholds

DEFAULT_RULESET = "ruleset-2012.yaml"


class RuleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity
    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict)


class DevelopmentPlanRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_due_days: int = Field(90, ge=1, le=730, description="Due date when there is no next deadline.")
    default_owner: str = "CSS managing director"
    escalation_owner: str = Field(
        "SHA cluster and BDU, with the CSS chair",
        description="Who owns a checkpoint 2 escalation (a leadership intervention or a merger).",
    )
    escalation_due_days: int = Field(
        90,
        ge=1,
        le=730,
        description="An escalation's due date when the calendar has no `escalation_resolved_by` milestone.",
    )


class DecisionRules(BaseModel):
    """The thresholds of the decision model itself (the outcome rules are the brief's, in `decision.py`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    medium_issues_for_marginal: int = Field(
        ge=1,
        le=100,
        description="Medium issues in one domain that together make it marginal (need rapid management).",
    )


class RobustnessRules(BaseModel):
    """How firm a decision must be not to be called borderline (`csu_assure.margins`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    borderline_tolerance: float = Field(
        0.05,
        ge=0,
        le=1,
        description="A decision is borderline when moving one threshold by at most this share of itself would "
        "change the outcome (0.05: a line of 30% moving between 28.5% and 31.5%).",
    )


# ------------------------------------------------------------------------------------------- plausibility

Bound = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
_CENT = Decimal("0.01")
_MAX_MONEY_DIGITS = 10  # submitted money is at most £10bn (`submission.Pounds`)


class PlausibleRange(BaseModel):
    """What a real 2012 CSS could have: a value outside [min, max] is a data-quality issue, not evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: Bound = Field(Decimal(0), description="Lowest plausible value (default 0).")
    max: Bound = Field(description="Highest plausible value.")

    @model_validator(mode="after")
    def _ordered(self) -> PlausibleRange:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def __contains__(self, value: Decimal) -> bool:
        return self.min <= value <= self.max


class _Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BusinessPlanLimits(_Limits):
    """Optional business-plan figures: one outside its range is treated as not given."""

    price_per_head: PlausibleRange = Field(description="Indicative CSS price to CCGs, £ per head.")
    baseline_running_cost_per_head: PlausibleRange = Field(
        description="PCT cluster running cost at baseline, £ per head."
    )
    hosting_charge_per_head: PlausibleRange = Field(description="Hosting charge provided for, £ per head.")


class CcgLimits(_Limits):
    """The required CCG table cannot be set aside: a value outside its range is judged and reported."""

    rca_per_head: PlausibleRange = Field(description="A CCG's running-cost allowance, £ per head.")


class FinancialPlanLimits(_Limits):
    """The financial plan: one implausible row makes its totals meaningless, so the whole plan is set aside."""

    row_income: PlausibleRange = Field(description="Income on one row (service line × customer × year), £.")
    row_costs: PlausibleRange = Field(description="Costs on one row (service line × customer × year), £.")
    year_income: PlausibleRange = Field(
        description="A year's total income, £; a year with no income at all is an unfilled year, not tested."
    )
    year_costs: PlausibleRange = Field(
        description="A year's total costs, £; a year with no costs at all is an unfilled year, not tested."
    )
    costs_to_income: PlausibleRange = Field(
        description="A year's total costs ÷ its total income (tested when both are above zero)."
    )


class WorkforceLimits(_Limits):
    line_wte: PlausibleRange = Field(
        description="Baseline, planned or transfer WTE on one service line of workforce.csv."
    )
    total_wte: PlausibleRange = Field(description="Total baseline, planned or transfer WTE over all lines.")


class SlaLimits(_Limits):
    annual_value: PlausibleRange = Field(description="Annual value of one SLA, £.")


class PlaceholderRules(_Limits):
    """Fill values: money typed in to fill a cell, not a figure anyone worked out."""

    nines_from_digits: int = Field(
        ge=3,
        le=10,
        description="A money value made only of 9s (with .00 or .99 pence) is a placeholder from this many "
        "digits before the decimal point: 6 catches £999,999, £9,999,999.00, £99,999,999.99 and longer.",
    )
    values: tuple[Bound, ...] = Field((), description="Other money values taken as fill values.")

    # Worked out once per rule set (pydantic keeps a frozen model's cached properties out of its fields).
    @cached_property
    def fill_values(self) -> frozenset[Decimal]:
        """Every money value taken as a placeholder (a Decimal equals, and hashes as, its value at any scale)."""
        digits = range(self.nines_from_digits, _MAX_MONEY_DIGITS + 1)
        nines = [Decimal(10**n - 1) for n in digits] + [Decimal(10**n) - _CENT for n in digits]
        return frozenset((*nines, *self.values))

    @cached_property
    def smallest(self) -> Decimal | None:
        """The smallest placeholder: a column whose values are all below it holds none."""
        return min(self.fill_values, default=None)


class PlausibilityRules(_Limits):
    """Plausible ranges and placeholder patterns (BRIEF.md: "implausible data is not evidence"). What falls
    outside is reported as a data-quality issue for the assessor to resolve; where the data is optional the
    engine sets it aside before the checks run, so no check judges it."""

    business_plan: BusinessPlanLimits
    ccgs: CcgLimits
    financial_plan: FinancialPlanLimits
    workforce: WorkforceLimits
    slas: SlaLimits
    placeholders: PlaceholderRules = Field(
        description="Fill values in money columns (financial_plan income and costs, SLA annual values)."
    )


class RuleSetFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    description: str = ""
    decision: DecisionRules
    development_plan: DevelopmentPlanRules = DevelopmentPlanRules()
    # Optional: a rule set written before margins were kept gets the default tolerance.
    robustness: RobustnessRules = RobustnessRules()
    # Optional in the model only so that a file without it is reported with the other problems (below) rather
    # than alone; a rule set without plausible ranges is refused.
    plausibility: PlausibilityRules | None = None
    checks: dict[str, RuleEntry]


class RuleSetInvalid(Exception):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    sha256: str
    source: str
    decision: DecisionRules
    development_plan: DevelopmentPlanRules
    plausibility: PlausibilityRules
    severity: Mapping[str, Severity]
    enabled: Mapping[str, bool]
    params: Mapping[str, CheckParams]
    # What each checkpoint's records draw as chart reference lines (read once, when the rule set is loaded).
    chart_thresholds: Mapping[Checkpoint, ChartThresholds | None]
    robustness: RobustnessRules = field(default_factory=RobustnessRules)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as plain dicts (a read-only mapping cannot be pickled): what a sweep's worker processes get."""
        fields = {
            name: dict(value) if isinstance(value, MappingProxyType) else value
            for name, value in self.__dict__.items()
        }
        return (_rebuild, (fields,))


def _rebuild(fields: dict[str, Any]) -> RuleSet:
    rebuilt: dict[str, Any] = {
        name: MappingProxyType(value) if isinstance(value, dict) else value for name, value in fields.items()
    }
    return RuleSet(**rebuilt)


def default_ruleset_path() -> Path:
    return Path(str(resources.files("csu_assure") / "defaults" / DEFAULT_RULESET))


def shipped_plausibility() -> PlausibilityRules:
    """The shipped rule set's plausible ranges alone, read without the catalogue: what `validate` needs when no
    other rule set is given, without importing every check (the whole shipped rule set is validated against the
    catalogue when it is loaded, and by the tests)."""
    raw = yaml.safe_load(default_ruleset_path().read_bytes())
    return PlausibilityRules.model_validate(raw["plausibility"])


def load_ruleset(catalogue: Catalogue, path: Path | None = None) -> RuleSet:
    """Load and validate a rule set; raise RuleSetInvalid listing every problem."""
    path = Path(path) if path is not None else default_ruleset_path()
    label = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RuleSetInvalid(
            label, [Problem(label, "", f"cannot be read ({error.strerror or error})")]
        ) from None
    try:
        raw = yaml.safe_load(data)
        spec = RuleSetFile.model_validate(raw)
    except yaml.YAMLError as error:
        raise RuleSetInvalid(label, [Problem(label, "", f"is not valid YAML: {error}")]) from None
    except ValidationError as error:
        raise RuleSetInvalid(label, list(problems_from_validation(error, label))) from None
    problems: list[Problem] = []
    if spec.plausibility is None:
        problems.append(
            Problem(
                label,
                "plausibility",
                "missing: every rule set needs plausible ranges (copy the section of the shipped rule set)",
            )
        )
    params: dict[str, CheckParams] = {}
    for check_id in spec.checks:
        if check_id not in catalogue.checks:
            problems.append(Problem(label, f"checks.{check_id}", "no such check in the catalogue"))
    for item in catalogue:
        entry = spec.checks.get(item.id)
        if entry is None:
            problems.append(
                Problem(label, f"checks.{item.id}", "missing: every check needs a severity and params")
            )
            continue
        try:
            params[item.id] = item.params.model_validate(entry.params)
        except ValidationError as error:
            problems.extend(problems_from_validation(error, label, prefix=f"checks.{item.id}.params"))
    if problems or spec.plausibility is None:
        raise RuleSetInvalid(label, problems)
    return RuleSet(
        name=spec.name,
        version=spec.version,
        sha256=hashlib.sha256(data).hexdigest(),
        source=label,
        decision=spec.decision,
        development_plan=spec.development_plan,
        robustness=spec.robustness,
        plausibility=spec.plausibility,
        severity=MappingProxyType({k: v.severity for k, v in spec.checks.items()}),
        enabled=MappingProxyType({k: v.enabled for k, v in spec.checks.items()}),
        params=MappingProxyType(params),
        chart_thresholds=MappingProxyType({cp: catalogue.chart_thresholds(params, cp) for cp in Checkpoint}),
    )
