"""The versioned rule-set file: every check's severity and thresholds, validated against its `Params` model."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class RuleSetFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    description: str = ""
    decision: DecisionRules
    development_plan: DevelopmentPlanRules = DevelopmentPlanRules()
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
    severity: Mapping[str, Severity]
    enabled: Mapping[str, bool]
    params: Mapping[str, CheckParams]
    # What each checkpoint's records draw as chart reference lines (read once, when the rule set is loaded).
    chart_thresholds: Mapping[Checkpoint, ChartThresholds | None]


def default_ruleset_path() -> Path:
    return Path(str(resources.files("csu_assure") / "defaults" / DEFAULT_RULESET))


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
    if problems:
        raise RuleSetInvalid(label, problems)
    return RuleSet(
        name=spec.name,
        version=spec.version,
        sha256=hashlib.sha256(data).hexdigest(),
        source=label,
        decision=spec.decision,
        development_plan=spec.development_plan,
        severity=MappingProxyType({k: v.severity for k, v in spec.checks.items()}),
        enabled=MappingProxyType({k: v.enabled for k, v in spec.checks.items()}),
        params=MappingProxyType(params),
        chart_thresholds=MappingProxyType({cp: catalogue.chart_thresholds(params, cp) for cp in Checkpoint}),
    )
