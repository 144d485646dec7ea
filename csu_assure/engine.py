"""The assessment engine: every assessment policy, each a pure function from inputs to an `Assessment` record.

- `assess`: run a checkpoint's checks on a submission, apply assessor adjustments, decide, and build the
  development plan. Implausible figures are set aside first (`plausibility`): no check judges them, a check
  that needed them reports insufficient evidence, and the record lists them as data-quality issues.
- `assess_not_submitted`: nothing arrived by the deadline: FAIL — not submitted.
- `assess_invalid`: files arrived but could not be read: the not-submitted path, with every located problem as
  evidence and the digests of the bytes that were judged. Scoring it NOT_EVIDENCED across the board would
  mislabel a broken file as a weak CSU.
- `moderate`: an assessor's overrides and waivers applied to a draft, re-assessed from the same submission;
  a moderation that cannot be applied as given is refused whole (`ModerationRejected`), never half applied.
- `amend`: a record whose waivers have expired (`waivers.lapsed_waivers`), re-assessed from the same submission
  with the same adjustments, judged on the day of the amendment, saying why it replaces the record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from csu_assure import __version__
from csu_assure.calendar import Calendar
from csu_assure.catalogue import Catalogue
from csu_assure.checking import Check, Context
from csu_assure.decision import Decision, decide_results
from csu_assure.domain import (
    CheckGroup,
    CheckId,
    Checkpoint,
    Disposition,
    ModerationStatus,
    Outcome,
    Severity,
    Status,
)
from csu_assure.figures import key_figures
from csu_assure.loading.problems import Problem
from csu_assure.margins import decision_firmness
from csu_assure.plausibility import (
    figures_without,
    find_implausible,
    not_judged,
    part_of,
    parts_set_aside,
    set_aside,
)
from csu_assure.results import (
    CHECK_RESULT,
    Adjustment,
    Amendment,
    Assessment,
    CheckResult,
    DataIssue,
    Judgement,
    Moderation,
    PlanItem,
    Provenance,
)
from csu_assure.ruleset import RuleSet
from csu_assure.submission import InputFile, Role, Submission
from csu_assure.waivers import amendment_reason, lapsed_waivers

_DRAFT = Moderation(
    status=ModerationStatus.DRAFT
)  # immutable, so one shared default rather than one per record
_NOT_SUBMITTED_REASON = {
    Disposition.NOT_SUBMITTED: "no submission by the deadline",
    Disposition.INVALID_SUBMISSION: "the submission could not be read: no valid submission by the deadline",
}


def make_context(
    calendar: Calendar, checkpoint: Checkpoint, as_of: dt.date, prior_plan: Sequence[PlanItem] = ()
) -> Context:
    return Context(
        as_of=as_of,
        deadline=calendar.deadline(checkpoint),
        milestone_dates=dict(calendar.milestones),
        prior_plan=tuple(prior_plan),
    )


def input_digest(inputs: Iterable[InputFile]) -> str:
    """One hash over every input file's name and SHA-256: identical inputs give the identical digest."""
    text = "\n".join(sorted(f"{i.sha256}  {i.path}" for i in inputs))
    return hashlib.sha256(text.encode()).hexdigest()


_JUDGEMENT = itemgetter(
    "status", "severity", "remedy", "actual", "expected", "finding", "evidence", "measures"
)
_ONE_STEP_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.LOW,
}


def graded_severity(judgement: Judgement, default: Severity) -> Severity:
    """How much a failed judgement weighs: the check's own grade or the rule set's `default`, one step lower
    when the submission shows an agreed remedy (BRIEF.md: "context changes severity")."""
    severity = judgement.severity or default
    return _ONE_STEP_LOWER[severity] if judgement.remedy is not None else severity


# What `json.dumps(..., sort_keys=True)` builds on every call; an encoder keeps no state between calls.
_ID_JSON = json.JSONEncoder(sort_keys=True)


def _assessment_id(
    csu_id: str,
    checkpoint: Checkpoint,
    digest: str,
    ruleset: RuleSet,
    as_of: dt.date,
    adjustments: Sequence[Adjustment],
    amendment: Amendment | None = None,
) -> str:
    identity: list[Any] = [
        csu_id,
        int(checkpoint),
        digest,
        ruleset.sha256,
        as_of.isoformat(),
        [a.model_dump(mode="json") for a in adjustments],
    ]
    if (
        amendment is not None
    ):  # only then: the ids of records made before amendments existed stay as they were
        identity.append(amendment.model_dump(mode="json"))
    payload = _ID_JSON.encode(identity)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def run_check(
    item: Check[Any], sub: Submission, ruleset: RuleSet, ctx: Context
) -> tuple[Judgement | None, str]:
    """Run one check, turning any exception into (None, description): a buggy check never stops an assessment."""
    try:
        return item.run(sub, ruleset.params[item.id], ctx), ""
    except Exception as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return (
            None,
            f"{type(error).__name__}: {error} (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})",
        )


Conclusion = tuple[Judgement | None, str]  # what `run_check` gives: a judgement, or None and the error


@dataclass
class _SetAside:
    """A submission with its implausible optional figures set aside: what the checks judge (`judged`), and how
    to tell the checks that needed what was set aside from those that did not.

    A check needed them when its conclusion on the submission as given differs from its conclusion on `judged`.
    That conclusion on the figures as given is only compared, never recorded: the check's result is then
    insufficient evidence, naming the implausible figures. The extra runs happen only for submissions with
    something set aside, so a plausible submission costs no more than before."""

    given: Submission
    judged: Submission
    issues: tuple[DataIssue, ...]
    parts: tuple[str, ...]
    _alone: dict[str, Submission] = field(default_factory=dict)

    def screen(self, item: Check[Any], judged: Conclusion, ruleset: RuleSet, ctx: Context) -> Conclusion:
        given = run_check(item, self.given, ruleset, ctx)
        if given == judged:
            return judged  # the check reads none of the figures set aside
        if given[0] is not None and given[0].status is Status.NOT_EVIDENCED:
            return given  # it lacks other evidence, whatever those figures say
        expected = next((j.expected for j in (judged[0], given[0]) if j is not None), "")
        return not_judged(self._needed(item, given, ruleset, ctx), expected), ""

    def _needed(
        self, item: Check[Any], given: Conclusion, ruleset: RuleSet, ctx: Context
    ) -> tuple[DataIssue, ...]:
        """The issues behind the parts set aside that change the check's conclusion one at a time (all of them
        when only their combination does)."""
        parts = self.parts
        if len(parts) > 1:
            parts = (
                tuple(p for p in parts if run_check(item, self._without(p), ruleset, ctx) != given) or parts
            )
        return tuple(i for i in self.issues if i.set_aside and part_of(i) in parts)

    def _without(self, part: str) -> Submission:
        if part not in self._alone:
            self._alone[part] = set_aside(self.given, (part,))
        return self._alone[part]


def _apply(
    item: Check[Any],
    judgement: Judgement | None,
    error: str,
    ruleset: RuleSet,
    adjustments: dict[str, Adjustment],
    adjustments_on: dt.date,
) -> CheckResult:
    severity = ruleset.severity[item.id]
    if judgement is None:
        # An errored check has no values of its own: actual, expected and evidence stay at their defaults.
        computed, actual, expected, finding, evidence, note, measures = (
            Status.ERROR,
            None,
            "",
            "The check could not be completed; the assessor must judge it.",
            (),
            error,
            (),
        )
        remedy = None
    else:
        # One C-level read from the judgement's field dict: attribute access on a pydantic model goes
        # through its `__getattr__` hook, and this runs for every check.
        computed, escalated, remedy, actual, expected, finding, evidence, measures = _JUDGEMENT(
            judgement.__dict__
        )
        note = None
        severity = escalated or severity
        if remedy is not None:  # an agreed remedy lowers the failure's weight one step: `graded_severity`
            severity = _ONE_STEP_LOWER[severity]
    status = computed
    adjustment = adjustments.get(item.id)
    if adjustment is not None:
        if adjustment.kind == "override" and adjustment.status is not None:
            status = Status(adjustment.status)
        elif adjustment.expires is not None and adjustment.expires < adjustments_on:
            note = (
                f"Waiver by {adjustment.assessor} expired on {adjustment.expires.isoformat()}; not applied."
            )
        else:
            status = Status.WAIVED
    # Validated (`model_construct` would be slower: it loops over the fields in Python), through the
    # `CheckResult` adapter: this runs for every check of every assessment.
    return CHECK_RESULT.validate_python(
        {
            "check_id": item.id,
            "name": item.name,
            "domain": item.domain,
            "group": item.group,
            "severity": severity,
            "computed_status": computed,
            "status": status,
            "actual": actual,
            "expected": expected,
            "finding": finding,
            "evidence": evidence,
            "source": item.source,
            "remedy": remedy,
            "adjustment": adjustment,
            "note": note,
            "measures": measures,
        }
    )


def _measure(result: CheckResult, evidence_required: str) -> str:
    """The measurable test of done for a plan item: the check's own pass condition, on the evidence it reads."""
    if result.expected:
        return f"{result.check_id} passes: {result.expected} (evidence: {evidence_required})"
    return f"{result.check_id} passes on: {evidence_required}"


def _development_plan(
    results: Sequence[CheckResult],
    catalogue: Catalogue,
    owner: str,
    due: dt.date,
    checkpoint: Checkpoint,
) -> list[PlanItem]:
    """A plan item per failed result, the most serious first. From checkpoint 2 on, items of medium severity or
    worse bind (a breach at the next checkpoint fails the CSS); low items, and every checkpoint 1 item, are advice
    to act on."""
    items = []
    advice_only = checkpoint is Checkpoint.OUTLINE_PLAN
    for r in results:
        if not r.failed:
            continue
        item = catalogue[r.check_id]
        items.append(
            PlanItem(
                item_id=f"{r.check_id}@{int(item.checkpoint)}",
                check_id=r.check_id,
                finding=r.finding,
                action=item.action,
                owner=owner,
                due=due,
                measure=_measure(r, item.evidence_required),
                evidence_required=item.evidence_required,
                binding=not advice_only and r.severity is not Severity.LOW,
                severity=r.severity,
            )
        )
    # The most serious first, as a reader of the plan wants them; the catalogue's order among equals.
    return sorted(items, key=lambda i: -i.severity.rank)


def _escalation_item(
    decision: Decision,
    results: Sequence[CheckResult],
    checkpoint: Checkpoint,
    ruleset: RuleSet,
    calendar: Calendar,
    as_of: dt.date,
) -> PlanItem | None:
    """A checkpoint 2 B with one failed domain goes on only with that domain escalated: a binding item of its
    own, due when leaders were to be in post, that checkpoint 3 re-examines (BRIEF.md, "escalation")."""
    domain = decision.escalation
    if domain is None:
        return None
    reasons = [r for r in results if r.domain is domain and r.failed and r.severity is Severity.CRITICAL]
    label = domain.label(checkpoint).lower()
    due = calendar.milestones.get("escalation_resolved_by") or as_of + dt.timedelta(
        days=ruleset.development_plan.escalation_due_days
    )
    return PlanItem(
        item_id=f"ESCALATION-{domain.value}@{int(checkpoint)}",
        check_id=reasons[0].check_id if reasons else "",
        kind="escalation",
        finding=f"The {label} domain failed at checkpoint {int(checkpoint)}: "
        + "; ".join(f"{r.check_id} {r.name}" for r in reasons),
        action=f"Escalation: a leadership intervention or a merger that resolves the failed {label} domain.",
        owner=ruleset.development_plan.escalation_owner,
        due=due,
        measure=f"The {label} domain is no longer failed at the next checkpoint, and the intervention is "
        "evidenced: a substantive leader in post, or a merger or collaboration route agreed or completed.",
        evidence_required="The intervention or merger agreement, and the next checkpoint's submission "
        "reporting this item met in its development plan.",
        binding=True,
        severity=Severity.CRITICAL,
    )


def _plan_owner(sub: Submission | None, ruleset: RuleSet) -> str:
    for person in (sub.senior_team or ()) if sub else ():
        if person.role is Role.MANAGING_DIRECTOR and person.name:
            return f"{person.name} (managing director)"
    if sub and sub.plan.leadership.lead_name:
        return f"{sub.plan.leadership.lead_name} (CSS lead)"
    return ruleset.development_plan.default_owner


def assess(
    sub: Submission,
    *,
    catalogue: Catalogue,
    ruleset: RuleSet,
    calendar: Calendar,
    as_of: dt.date,
    assessor: str,
    prior_plan: Sequence[PlanItem] = (),
    adjustments: Sequence[Adjustment] = (),
    moderation: Moderation | None = None,
    flow_run_id: str | None = None,
    adjustments_on: dt.date | None = None,
    amendment: Amendment | None = None,
) -> Assessment:
    """Assess one submission at its checkpoint. Pure: same inputs, rule set and `as_of` → same record.

    `adjustments_on` is the day the assessor's waivers are judged on (a waiver applies up to and including its
    `expires`): by default `as_of`; a moderation judges them on the day it is made, an amendment on its own day.
    """
    waivers_on = adjustments_on or as_of
    checkpoint = sub.checkpoint
    ctx = make_context(calendar, checkpoint, as_of, prior_plan)
    by_check = {a.check_id: a for a in adjustments}
    issues = find_implausible(sub, ruleset.plausibility)
    parts = parts_set_aside(issues)
    screen = _SetAside(sub, set_aside(sub, parts), issues, parts) if parts else None
    judged = screen.judged if screen is not None else sub
    results = []
    for item in catalogue.for_checkpoint(checkpoint):
        if not ruleset.enabled.get(item.id, True):
            results.append(
                CheckResult(
                    check_id=item.id,
                    name=item.name,
                    domain=item.domain,
                    group=item.group,
                    severity=ruleset.severity[item.id],
                    computed_status=Status.NOT_APPLICABLE,
                    status=Status.NOT_APPLICABLE,
                    source=item.source,
                    finding=f"Not applicable: disabled in rule set {ruleset.name} {ruleset.version}.",
                )
            )
            continue
        judgement, error = run_check(item, judged, ruleset, ctx)
        if screen is not None:
            judgement, error = screen.screen(item, (judgement, error), ruleset, ctx)
        results.append(_apply(item, judgement, error, ruleset, by_check, waivers_on))
    return _record(
        csu_id=sub.csu_id,
        csu_name=sub.plan.csu_name,
        checkpoint=checkpoint,
        results=results,
        sub=judged,
        data_quality=issues,
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=as_of,
        assessor=assessor,
        adjustments=adjustments,
        moderation=moderation,
        flow_run_id=flow_run_id,
        inputs=sub.inputs,
        amendment=amendment,
    )


def assess_not_submitted(
    csu_id: str,
    csu_name: str,
    checkpoint: Checkpoint,
    *,
    catalogue: Catalogue,
    ruleset: RuleSet,
    calendar: Calendar,
    as_of: dt.date,
    assessor: str,
    flow_run_id: str | None = None,
    moderation: Moderation | None = None,
) -> Assessment:
    """The deadline passed with no submission: the evidence checks fail critically, the rest lack evidence."""
    deadline = calendar.deadline(checkpoint)
    results = []
    for item in catalogue.for_checkpoint(checkpoint):
        if item.group is CheckGroup.EVIDENCE:
            status, severity = Status.FAIL, Severity.CRITICAL
            finding = f"No submission was received by the deadline ({deadline:%d %B %Y})."
        else:
            status, severity = Status.NOT_EVIDENCED, ruleset.severity[item.id]
            finding = "Insufficient evidence: nothing was submitted."
        results.append(
            CheckResult(
                check_id=item.id,
                name=item.name,
                domain=item.domain,
                group=item.group,
                severity=severity,
                computed_status=status,
                status=status,
                finding=finding,
                source=item.source,
                actual="no submission",
                expected=f"submission by {deadline.isoformat()}",
            )
        )
    return _record(
        csu_id=csu_id,
        csu_name=csu_name,
        checkpoint=checkpoint,
        results=results,
        sub=None,
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=as_of,
        assessor=assessor,
        adjustments=(),
        moderation=moderation,
        flow_run_id=flow_run_id,
        inputs=(),
        outcome=Outcome.NOT_SUBMITTED,
        disposition=Disposition.NOT_SUBMITTED,
    )


def _problem_row(problem: Problem) -> dict[str, str]:
    return {
        "file": problem.file,
        "where": problem.where,
        "problem": problem.message,
        "value": problem.value or "",
    }


def assess_invalid(
    csu_id: str,
    csu_name: str,
    checkpoint: Checkpoint,
    problems: Sequence[Problem],
    inputs: Sequence[InputFile],
    *,
    catalogue: Catalogue,
    ruleset: RuleSet,
    calendar: Calendar,
    as_of: dt.date,
    assessor: str,
    flow_run_id: str | None = None,
    moderation: Moderation | None = None,
) -> Assessment:
    """A submission that was sent but could not be read: no valid submission reached the BDU by the deadline.

    Recorded on the not-submitted path with every located problem as the evidence checks' evidence, and with the
    digests of the files as they were read (`inputs`): fixing them gives a new assessment, not the old one."""
    missing = assess_not_submitted(
        csu_id,
        csu_name,
        checkpoint,
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=as_of,
        assessor=assessor,
        flow_run_id=flow_run_id,
        moderation=moderation,
    )
    count = len(problems)
    evidence = tuple(_problem_row(p) for p in problems)
    has_evidence_check = any(r.group is CheckGroup.EVIDENCE for r in missing.results)

    def explain(result: CheckResult) -> CheckResult:
        if result.group is CheckGroup.EVIDENCE or not has_evidence_check:
            return result.model_copy(
                update={
                    "finding": f"A submission was received but could not be read: {count} problem(s) "
                    "in its files; no valid submission reached the BDU by the deadline.",
                    "actual": "invalid submission",
                    "evidence": evidence,
                }
            )
        return result.model_copy(
            update={
                "finding": "Insufficient evidence: the submission could not be read.",
                "actual": "invalid",
            }
        )

    inputs = tuple(inputs)
    return missing.model_copy(
        update={
            "assessment_id": _assessment_id(csu_id, checkpoint, input_digest(inputs), ruleset, as_of, ()),
            "disposition": Disposition.INVALID_SUBMISSION,
            "reasons": (_NOT_SUBMITTED_REASON[Disposition.INVALID_SUBMISSION],),
            "results": tuple(explain(r) for r in missing.results),
            "provenance": missing.provenance.model_copy(update={"inputs": inputs}),
        }
    )


# An entered text must say something: a reason or a name of blanks is no reason or name (JSON Schema's `pattern`
# searches, as pydantic's does, so the moderation form's server-side validation refuses it too).
SAYS_SOMETHING = r"\S"


class Override(BaseModel):
    """An assessor's override of one check's result, as given at moderation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_id: CheckId
    status: Literal[Status.PASS, Status.FAIL]
    reason: str = Field(min_length=1, max_length=2000, pattern=SAYS_SOMETHING)


class Waiver(BaseModel):
    """An assessor's waiver of one failing check, as given at moderation: the check does not count up to and
    including `expires`; after that the CSU is re-assessed without it (`amend`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_id: CheckId
    expires: dt.date = Field(description="The last day the waiver applies.")
    reason: str = Field(min_length=1, max_length=2000, pattern=SAYS_SOMETHING)


class ModerationRejected(ValueError):
    """A moderation that cannot be applied as given (e.g. an override of a check this checkpoint lacks); nothing
    of it is applied."""


def moderation_problems(
    draft: Assessment,
    *,
    assessor: str,
    overrides: Sequence[Override] = (),
    waivers: Sequence[Waiver] = (),
    on: dt.date,
) -> list[str]:
    """Why a moderation of `draft` cannot be applied as given, each in one sentence ([] when it can)."""
    problems: list[str] = []
    if not assessor.strip():
        problems.append("moderation needs a named assessor")
    known = {r.check_id: r for r in draft.results}
    entered = [o.check_id for o in overrides] + [w.check_id for w in waivers]
    unknown = sorted(set(entered) - set(known))
    if unknown:
        problems.append(
            f"{', '.join(unknown)}: no such check in this checkpoint {int(draft.checkpoint)} assessment "
            f"(checks: {', '.join(sorted(known))})"
        )
    twice = sorted({c for c in entered if entered.count(c) > 1})
    if twice:
        problems.append(
            f"{', '.join(twice)}: entered more than once; give each check one override or one waiver"
        )
    for w in waivers:
        result = known.get(w.check_id)
        if result is not None and not result.failed:
            problems.append(
                f"{w.check_id} does not fail in the draft ({result.status.value}): there is nothing to waive"
            )
        if w.expires < on:
            problems.append(
                f"the waiver of {w.check_id} expires on {w.expires.isoformat()}, before today "
                f"({on.isoformat()}): give its last day from today on"
            )
    if (overrides or waivers) and draft.disposition is not Disposition.ASSESSED:
        problems.append(
            "there is no valid submission to override or waive checks on; it can only be accepted"
        )
    return problems


def moderate(
    draft: Assessment,
    submission: Submission | None,
    *,
    assessor: str,
    overrides: Sequence[Override] = (),
    waivers: Sequence[Waiver] = (),
    note: str | None = None,
    on: dt.date,
    catalogue: Catalogue,
    ruleset: RuleSet,
    calendar: Calendar,
    prior_plan: Sequence[PlanItem] = (),
) -> Assessment:
    """The draft as an assessor moderated it: accepted as it stands when nothing was entered, else re-assessed
    from the same submission with every override and waiver entered (there is no decision to get wrong: what
    was entered is applied, or the whole moderation is refused). `submission` is the draft's submission read
    again (None when there was no valid one); ModerationRejected, naming every problem, when the moderation
    cannot be applied as given."""
    problems = moderation_problems(draft, assessor=assessor, overrides=overrides, waivers=waivers, on=on)
    if submission is None and (overrides or waivers) and not problems:
        problems.append("the submission can no longer be read: it can only be accepted")
    if problems:
        raise ModerationRejected("; ".join(problems))
    moderation = Moderation(status=ModerationStatus.MODERATED, assessor=assessor, note=note, moderated_on=on)
    if submission is None or not (overrides or waivers):
        return draft.model_copy(update={"moderation": moderation})
    if submission.inputs != draft.provenance.inputs:
        raise ModerationRejected("the submission's files changed since the draft; assess it again first")
    adjustments = [
        Adjustment(
            kind="override",
            check_id=o.check_id,
            assessor=assessor,
            reason=o.reason,
            status=o.status,
            recorded_on=on,
        )
        for o in overrides
    ] + [
        Adjustment(
            kind="waiver",
            check_id=w.check_id,
            assessor=assessor,
            reason=w.reason,
            expires=w.expires,
            recorded_on=on,
        )
        for w in waivers
    ]
    return assess(
        submission,
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=draft.provenance.as_of,
        assessor=draft.provenance.assessor,
        prior_plan=prior_plan,
        adjustments=adjustments,
        moderation=moderation,
        flow_run_id=draft.provenance.flow_run_id,
        adjustments_on=on,
    )


class AmendmentRefused(ValueError):
    """A record that cannot be re-assessed from its submission as it stands (its files or the rule set changed)."""


def amend(
    record: Assessment,
    submission: Submission,
    *,
    on: dt.date,
    catalogue: Catalogue,
    ruleset: RuleSet,
    calendar: Calendar,
    prior_plan: Sequence[PlanItem] = (),
    flow_run_id: str | None = None,
) -> Assessment:
    """`record` re-assessed on `on` because waivers in it have expired (`lapsed_waivers`): the same submission,
    `as_of`, assessor, moderation and adjustments, the waivers judged on `on` (so the expired ones no longer
    apply and say so), with an `Amendment` naming them and the record it replaces. AmendmentRefused when the
    submission's files or the rule set are no longer those the record was made from: re-assessing then would
    judge something else, which is a new assessment, not an amendment."""
    lapsed = lapsed_waivers(record, on)
    if not lapsed:
        raise AmendmentRefused(f"assessment {record.assessment_id} has no waiver that expired before {on}")
    if submission.inputs != record.provenance.inputs:
        raise AmendmentRefused(
            f"{record.csu_id}: the submission's files changed since assessment {record.assessment_id}; "
            "assess it again instead"
        )
    if ruleset.sha256 != record.provenance.ruleset_sha256:
        raise AmendmentRefused(
            f"{record.csu_id}: assessment {record.assessment_id} was made under another rule set "
            f"({record.provenance.ruleset_name} {record.provenance.ruleset_version}); assess it again instead"
        )
    amendment = Amendment(on=on, reason=amendment_reason(lapsed), replaces=record.assessment_id)
    return assess(
        submission,
        catalogue=catalogue,
        ruleset=ruleset,
        calendar=calendar,
        as_of=record.provenance.as_of,
        assessor=record.provenance.assessor,
        prior_plan=prior_plan,
        adjustments=[r.adjustment for r in record.results if r.adjustment is not None],
        moderation=record.moderation,
        flow_run_id=flow_run_id,
        adjustments_on=on,
        amendment=amendment,
    )


def _record(
    *,
    csu_id: str,
    csu_name: str,
    checkpoint: Checkpoint,
    results: list[CheckResult],
    sub: Submission | None,
    catalogue: Catalogue,
    ruleset: RuleSet,
    calendar: Calendar,
    as_of: dt.date,
    assessor: str,
    adjustments: Sequence[Adjustment],
    moderation: Moderation | None,
    flow_run_id: str | None,
    inputs: Sequence[InputFile],
    outcome: Outcome | None = None,
    disposition: Disposition = Disposition.ASSESSED,
    data_quality: tuple[DataIssue, ...] = (),
    amendment: Amendment | None = None,
) -> Assessment:
    domains, decision = decide_results(
        results,
        checkpoint,
        medium_issues_for_marginal=ruleset.decision.medium_issues_for_marginal,
        development_plan_check=catalogue.development_plan_check,
    )
    firmness = None
    if outcome is None:  # decided on the domains: how firm that decision is
        firmness = decision_firmness(
            results,
            checkpoint,
            decision.outcome,
            ruleset,
            development_plan_check=catalogue.development_plan_check,
        )
    if outcome is not None:  # not submitted: no decision on the domains to record
        decision = Decision(outcome, reasons=(_NOT_SUBMITTED_REASON[disposition],))
    due = calendar.next_deadline(checkpoint) or as_of + dt.timedelta(
        days=ruleset.development_plan.default_due_days
    )
    plan: tuple[PlanItem, ...] = ()
    if decision.outcome.proceeds:
        items = _development_plan(results, catalogue, _plan_owner(sub, ruleset), due, checkpoint)
        escalation = _escalation_item(decision, results, checkpoint, ruleset, calendar, as_of)
        plan = tuple(([escalation] if escalation else []) + items)
    digest = input_digest(inputs)
    figures = None
    if sub is not None:  # the judged submission: figures set aside are not drawn either
        figures = figures_without(key_figures(sub, ruleset.chart_thresholds.get(checkpoint)), data_quality)
    return Assessment(
        assessment_id=_assessment_id(csu_id, checkpoint, digest, ruleset, as_of, adjustments, amendment),
        csu_id=csu_id,
        csu_name=csu_name,
        checkpoint=checkpoint,
        outcome=decision.outcome,
        disposition=disposition,
        escalation=decision.escalation,
        domains=domains,
        reasons=decision.reasons,
        results=tuple(results),
        development_plan=plan,
        figures=figures,
        data_quality=data_quality,
        moderation=moderation or _DRAFT,
        firmness=firmness,
        provenance=Provenance(
            inputs=tuple(inputs),
            ruleset_name=ruleset.name,
            ruleset_version=ruleset.version,
            ruleset_sha256=ruleset.sha256,
            engine_version=__version__,
            as_of=as_of,
            assessor=assessor,
            flow_run_id=flow_run_id,
        ),
        amendment=amendment,
    )
