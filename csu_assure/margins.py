"""How close a CSU stands to the line: the margin of every measured figure, and how firm a decision is.

A check that compares a figure with thresholds gives it as a `Measure` (the figure, its unit and the lines it is
judged against); the engine keeps it on the check's result. From those alone, with no submission at hand:

- `margins(assessment)`: for every line of every measured figure, the distance between the figure and the line in
  the check's own unit, and as a share of the line. Zero exactly at a line.
- `firmness(assessment, ruleset)`: the lines that a move within the rule set's tolerance (`robustness.
  borderline_tolerance`, a share of each line) would carry across the figure, and whose crossing would change the
  outcome. Each such line is re-decided with the pure decision functions, the check's result taken as it would be
  on the other side (`implied`): nothing is re-run. A decision with none is firm; with any, the CSU is
  *borderline*, and each `Hinge` names the line, the figure and the outcome across it.

A line moves within the tolerance as its parameter can: a whole-number parameter (a count, a population) only to
whole numbers, so a count threshold of 3 never moves at 5%; a line at zero (break even, no milestone missed) not
at all. A result an assessor overrode or waived is not moved: the assessor's word stands. When a passing check
would fail across a line, its failure is weighed without a remedy (a passing check does not read one), so a
remedy that would soften that failure is not counted; the hinge is then on the cautious side.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from csu_assure.decision import decide, development_plan_agreed, failure_counts, statuses_from_counts
from csu_assure.domain import Checkpoint, Disposition, Outcome, Severity, Status
from csu_assure.results import Assessment, CheckResult, Firmness, Hinge, Margin, Measure, Threshold
from csu_assure.ruleset import RuleSet

_JUDGED = (Status.PASS, Status.FAIL)
_ONE_STEP_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.LOW,
}


def implied(
    measures: Iterable[Measure], rule_severity: Severity, *, crossed: Threshold | None = None
) -> tuple[bool, Severity | None]:
    """(passed, what a failure weighs) as the lines say, with `crossed` (one of them, by identity) taken as on its
    other side: the check passes when every pass line is met; a failure weighs the most serious grade line not
    met, else `rule_severity` when a pass line of the rule set's weight fails, else the most serious weight of
    the pass lines that fail. A meta-test holds every check's measures to its own judgement on every case."""
    passed, grades, weights = True, [], []
    for m in measures:
        for line in m.lines:
            met = line.met(m.value)
            if line is crossed:
                met = not met
            if met:
                continue
            if line.role == "grade":
                grades.append(line.severity or rule_severity)
            else:
                passed = False
                weights.append(line.severity)
    if passed:
        return True, None
    if grades:
        return False, max(grades, key=lambda s: s.rank)
    if any(w is None for w in weights):
        return False, rule_severity
    return False, max((w for w in weights if w is not None), key=lambda s: s.rank)


def _margin(check_id: str, m: Measure, line: Threshold) -> Margin:
    distance = m.value - line.at
    return Margin(
        check_id=check_id,
        measure=m.name,
        unit=m.unit,
        value=m.value,
        param=line.param,
        threshold=line.at,
        met_when=line.met_when,
        role=line.role,
        met=line.met(m.value),
        distance=distance,
        share=distance / abs(line.at) if line.at else None,
    )


def result_margins(results: Iterable[CheckResult]) -> tuple[Margin, ...]:
    return tuple(_margin(r.check_id, m, line) for r in results for m in r.measures for line in m.lines)


def margins(assessment: Assessment) -> tuple[Margin, ...]:
    """Every measured figure's distance from each of its lines, check by check (empty for a record made before
    measures were kept, or one with no submission to measure)."""
    return result_margins(assessment.results)


def crossable(value: float, line: Threshold, tolerance: float) -> bool:
    """Whether some line within `tolerance` × |line| of `line` (a whole number, for a whole-number parameter)
    falls on the other side of `value`: i.e. moving the threshold that little would change whether it is met."""
    at = line.at
    band = tolerance * abs(at)
    low, high = at - band, at + band
    if not low <= value <= high:
        return False  # every line within the band is on the same side of the figure as this one
    if line.whole:
        # Whole-number lines only: the nearest ones inside the band (none may be there).
        low, high = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        if low > high:
            return False
    met, side = line.met(value), line.met_when
    # A line t' met on the other side of `value`: for "at least", t' > value (met now) or t' ≤ value (not met).
    if side == "at_least":
        return high > value if met else low <= value
    if side == "above":
        return high >= value if met else low < value
    if side == "at_most":
        return low < value if met else high >= value
    return low <= value if met else high > value  # below


def _moved(result: CheckResult) -> bool:
    """An assessor's override (even one that agrees with the check) or unexpired waiver set the result: no line
    moves it. An expired waiver leaves the check's own result, which a line does move."""
    adjustment = result.adjustment
    return adjustment is not None and (adjustment.kind == "override" or result.status is Status.WAIVED)


def decision_firmness(
    results: Sequence[CheckResult],
    checkpoint: Checkpoint,
    outcome: Outcome,
    ruleset: RuleSet,
    *,
    development_plan_check: str | None,
) -> Firmness:
    """The hinges of the decision `outcome` reached on `results` under `ruleset` (see the module docstring)."""
    tolerance = ruleset.robustness.borderline_tolerance
    medium_for_marginal = ruleset.decision.medium_issues_for_marginal
    counts = failure_counts(results)
    plan_agreed = checkpoint is not Checkpoint.VIABILITY or development_plan_agreed(
        results, development_plan_check
    )
    hinges: list[Hinge] = []
    for r in results:
        if not r.measures or r.status not in _JUDGED or _moved(r):
            continue
        failed = r.failed
        for m in r.measures:
            for line in m.lines:
                if not crossable(m.value, line, tolerance):
                    continue
                rule_severity = ruleset.severity.get(r.check_id, r.severity)
                passed, weight = implied(r.measures, rule_severity, crossed=line)
                if weight is not None and r.remedy is not None:
                    weight = _ONE_STEP_LOWER[weight]
                if (not passed) == failed and (passed or weight is r.severity):
                    continue  # the same result on both sides of this line
                # The decision with this one result as it would be across the line: its failure taken out of
                # the counts, and put back as it would weigh.
                crossed = dict(counts)
                if failed:
                    crossed[(r.domain, r.severity)] -= 1
                if not passed:
                    key = (r.domain, weight or r.severity)
                    crossed[key] = crossed.get(key, 0) + 1
                agreed = plan_agreed if r.check_id != development_plan_check else passed
                decision = decide(
                    checkpoint,
                    statuses_from_counts(crossed, checkpoint, medium_for_marginal),
                    development_plan_agreed=agreed or checkpoint is not Checkpoint.VIABILITY,
                )
                if decision.outcome is outcome:
                    continue
                hinges.append(
                    Hinge(
                        margin=_margin(r.check_id, m, line),
                        check_name=r.name,
                        status=r.status,
                        status_if_crossed=Status.PASS if passed else Status.FAIL,
                        severity_if_crossed=weight,
                        outcome=outcome,
                        outcome_if_crossed=decision.outcome,
                    )
                )
    hinges.sort(key=lambda h: abs(h.margin.share) if h.margin.share is not None else math.inf)
    return Firmness(tolerance=tolerance, hinges=tuple(hinges))


def firmness(
    assessment: Assessment, ruleset: RuleSet, *, development_plan_check: str | None = None
) -> Firmness | None:
    """How firm `assessment`'s decision is under `ruleset` (its tolerance, severities and decision rules; pass
    the catalogue's `development_plan_check` for checkpoint 2). None when the outcome was not decided on the
    domains (nothing submitted, or nothing readable). The engine keeps this on every record it makes
    (`Assessment.firmness`); this works it out for a record made before, or under another tolerance."""
    if (
        assessment.firmness is not None
        and assessment.firmness.tolerance == (ruleset.robustness.borderline_tolerance)
        and assessment.provenance.ruleset_sha256 == ruleset.sha256
    ):
        return assessment.firmness
    if assessment.disposition is not Disposition.ASSESSED:
        return None
    return decision_firmness(
        assessment.results,
        assessment.checkpoint,
        assessment.outcome,
        ruleset,
        development_plan_check=development_plan_check,
    )


def borderline(
    assessment: Assessment, ruleset: RuleSet, *, development_plan_check: str | None = None
) -> Firmness | None:
    """The decision's hinges when the CSU is borderline under `ruleset`; None when its decision is firm."""
    found = firmness(assessment, ruleset, development_plan_check=development_plan_check)
    return found if found is not None and found.borderline else None


__all__ = [
    "borderline",
    "crossable",
    "decision_firmness",
    "firmness",
    "implied",
    "margins",
    "result_margins",
]
