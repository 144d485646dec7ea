"""The check machinery: how a check is declared (`@check`), what it receives (`Context`, typed `Params`) and
how it states its conclusion (`judge`, `not_evidenced`, `not_applicable`).

A check is a pure function `(Submission, Params, Context) -> Judgement`: no I/O, no clock, no settings. The
engine owns everything around it: severity from the rule set, overrides, waivers, and turning an exception
into an ERROR result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from csu_assure.domain import CheckGroup, Checkpoint, Domain, Severity, Status, Unit
from csu_assure.results import (
    JUDGEMENT,
    MEASURE,
    EvidenceRow,
    Judgement,
    Measure,
    MetWhen,
    PlanItem,
    Threshold,
)
from csu_assure.submission import Submission

DOC_SECTIONS: tuple[str, ...] = ("What it checks", "Why it matters", "Severity", "Evidence used", "Source")


class CheckParams(BaseModel):
    """Base for each check's thresholds; values come from the rule-set file, never from code."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(CheckParams):
    """For checks with no threshold."""


P = TypeVar("P", bound=CheckParams)


@dataclass(frozen=True)
class Context:
    """Everything a check may know besides the submission: supplied by the caller, never looked up."""

    as_of: dt.date
    deadline: dt.date | None = None  # this checkpoint's submission deadline
    milestone_dates: Mapping[str, dt.date] = field(default_factory=dict)  # e.g. md_in_post_by
    prior_plan: tuple[PlanItem, ...] = ()  # development plan carried from the previous checkpoint


CheckFunction = Callable[[Submission, Any, Context], Judgement]


@dataclass(frozen=True)
class Check(Generic[P]):
    id: str
    name: str  # names the problem, e.g. "Too few CCGs intend to take most of their support from this CSS"
    checkpoint: Checkpoint
    domain: Domain  # the decision domain a failure counts towards
    group: CheckGroup  # how it is grouped for reading: its id's three letters and its folder
    params: type[P]
    action: str  # the development-plan action when this check fails
    evidence_required: str  # what closes that action
    function: Callable[[Submission, P, Context], Judgement]
    doc: Mapping[str, str]
    module: str
    remedy: str | None = None  # the agreed remedy in a submission that lowers this check's failure one step

    def run(self, submission: Submission, params: P, ctx: Context) -> Judgement:
        return self.function(submission, params, ctx)

    @cached_property
    def summary(self) -> str:
        return self.doc.get("What it checks", "").split("\n\n")[0].strip()

    # Cached: the engine copies it into every result. Safe on a frozen dataclass: `dataclasses.replace`
    # builds a new instance (no stale cache), and `doc` itself never changes.
    @cached_property
    def source(self) -> str:
        return " ".join(self.doc.get("Source", "").split())


def parse_doc_sections(doc: str | None) -> dict[str, str]:
    """Split a docstring into its `## Heading` sections."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for raw in (doc or "").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = line[3:].strip(), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return sections


def check(
    *,
    id: str,
    name: str,
    checkpoint: int,
    domain: Domain,
    group: CheckGroup,
    params: type[P],
    action: str,
    evidence_required: str,
    remedy: str | None = None,
) -> Callable[[Callable[[Submission, P, Context], Judgement]], Check[P]]:
    """Declare a check. Returns a `Check` value; the catalogue collects it explicitly (no global registry).
    `remedy` names the agreed remedy the check reads from a submission to lower its failure one step (the
    decision-model page lists them; a meta-test holds it to its cases)."""

    def wrap(function: Callable[[Submission, P, Context], Judgement]) -> Check[P]:
        return Check(
            id=id,
            name=name,
            checkpoint=Checkpoint(checkpoint),
            domain=domain,
            group=group,
            params=params,
            action=action,
            evidence_required=evidence_required,
            function=function,
            doc=parse_doc_sections(function.__doc__),
            module=function.__module__,
            remedy=remedy,
        )

    return wrap


# ------------------------------------------------------------------------------------------ judging helpers


def fmt(value: object) -> str:
    """Render a value for a finding: money with thousands separators, shares as percentages."""
    if type(value) is str:  # the commonest cell: rendered as itself, without the isinstance tests below
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def pct(share: float | Decimal) -> str:
    return f"{float(share) * 100:.0f}%"


def gbp(amount: Decimal | float | int) -> str:
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


# Looked up once: an enum member looked up on its class costs ~1k instructions (the enum metaclass's
# attribute hook), and every check ends here.
_PASS, _FAIL = Status.PASS, Status.FAIL


def judge(
    *,
    passed: bool,
    actual: object,
    expected: str,
    finding: str,
    critical: bool = False,
    severity: Severity | None = None,
    remedy: str | None = None,
    evidence: Iterable[EvidenceRow] = (),
    measures: Iterable[Measure] = (),
) -> Judgement:
    """PASS or FAIL. A failure weighs the rule set's severity for the check unless `critical=True` (a failure
    past the check's critical threshold) or `severity` says otherwise; `remedy` names an agreed remedy in the
    submission (a merger route, an appointment made) that lowers the failure's weight one step. `measures` are
    the figures compared with thresholds, when those lines alone decide the result (`measure`); a meta-test
    holds them to `passed`, `critical` and `severity` on every case."""
    escalated = Severity.CRITICAL if (critical and not passed) else (severity if not passed else None)
    return JUDGEMENT.validate_python(  # `Judgement(...)`, through its adapter: every check ends here
        {
            "status": _PASS if passed else _FAIL,
            "severity": escalated,
            "remedy": remedy if not passed else None,
            "actual": fmt(actual) if actual is not None else None,
            "expected": expected,
            "finding": finding,
            "evidence": tuple(evidence),
            "measures": tuple(measures),
        }
    )


# ------------------------------------------------------------------------------------------ measures


def measure(name: str, value: float | Decimal | int, unit: Unit, *lines: Threshold) -> Measure:
    """A figure the check judged against `lines` (`at_least`, `at_most`, `above`, `below`)."""
    return MEASURE.validate_python({"name": name, "value": float(value), "unit": unit, "lines": lines})


# A rule set's lines are the same for every submission it judges: each is built once. Keyed by the value's type
# too, since an int 1 and a Decimal 1 are equal but only the first is a whole-number line.
_LINES: dict[tuple[Any, ...], Threshold] = {}
_MAX_LINES = 10_000  # a sweep builds a few hundred rule sets; a long-lived process never grows without bound


def _line(
    met_when: MetWhen,
    param: str | None,
    at: float | Decimal | int,
    grade: Severity | None,
    weighs: Severity | None,
) -> Threshold:
    key = (met_when, param, at, type(at), grade, weighs)
    found = _LINES.get(key)
    if found is not None:
        return found
    if grade is not None and weighs is not None:
        raise ValueError("a line either grades a failure or weighs its own failure, not both")
    line = Threshold(
        param=param,
        at=float(at),
        met_when=met_when,
        role="grade" if grade is not None else "pass",
        severity=grade or weighs,
        whole=isinstance(at, int) and param is not None,
    )
    if len(_LINES) >= _MAX_LINES:
        _LINES.clear()
    _LINES[key] = line
    return line


def at_least(
    param: str | None,
    at: float | Decimal | int,
    *,
    grade: Severity | None = None,
    weighs: Severity | None = None,
) -> Threshold:
    """Met when the figure is at least `at` (the rule-set parameter `param`). With `grade`, a failure weighs that
    when the line is not met (a critical threshold); with `weighs`, this line's failure alone weighs that."""
    return _line("at_least", param, at, grade, weighs)


def above(
    param: str | None,
    at: float | Decimal | int,
    *,
    grade: Severity | None = None,
    weighs: Severity | None = None,
) -> Threshold:
    """Met when the figure is above `at`."""
    return _line("above", param, at, grade, weighs)


def at_most(
    param: str | None,
    at: float | Decimal | int,
    *,
    grade: Severity | None = None,
    weighs: Severity | None = None,
) -> Threshold:
    """Met when the figure is at most `at`."""
    return _line("at_most", param, at, grade, weighs)


def below(
    param: str | None,
    at: float | Decimal | int,
    *,
    grade: Severity | None = None,
    weighs: Severity | None = None,
) -> Threshold:
    """Met when the figure is below `at`."""
    return _line("below", param, at, grade, weighs)


def not_evidenced(missing: str, expected: str = "") -> Judgement:
    """The data the check needs was not submitted: scored as a failure, labelled insufficient evidence."""
    return Judgement(
        status=Status.NOT_EVIDENCED,
        expected=expected,
        finding=f"Insufficient evidence: {missing} not submitted.",
    )


def not_applicable(why: str) -> Judgement:
    return Judgement(status=Status.NOT_APPLICABLE, finding=f"Not applicable: {why}.")


def row(**cells: object) -> EvidenceRow:
    """An evidence row with every cell rendered as text."""
    return {k: fmt(v) if v is not None else "" for k, v in cells.items()}
