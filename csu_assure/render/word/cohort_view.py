"""View model of the cohort summary, the national picture at a checkpoint: totals by decision and by domain
status, the CSUs by decision with their key reasons, movement since the last checkpoint, the most-failed checks,
every condition with its owner and date, escalations named, and the CSUs stopped earlier or not assessed.

It reads what a cohort run keeps of each CSU (`AssessmentSummary`, `CsuRow`, `MovementBrief`), never a full
record, so a cohort of thousands is summarised in the memory of its rows.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from csu_assure.compare import EscalationState, MovementBrief
from csu_assure.domain import (
    DECISION_DOMAINS,
    Checkpoint,
    Disposition,
    Domain,
    DomainStatus,
    Outcome,
    Rag,
    Severity,
)
from csu_assure.language import (
    CSU_TERM_NOTE,
    count,
    decision_phrase,
    list_phrase,
    long_date,
    percent,
    prose,
    spelled,
    tidy,
    verb,
)
from csu_assure.language import cell as cell_text
from csu_assure.render.word.firmness import hinge_brief, tolerance_text
from csu_assure.render.word.safe import one_line
from csu_assure.render.word.view import DOMAIN_STATUS_LABELS, OUTCOME_RAG, pass_test
from csu_assure.results import AssessmentSummary, CsuRow, PlanItem

# CSUs listed by name in a cohort report's tables. A larger cohort's table would be thousands of rows nobody reads
# (and its XML is the largest part of a cohort run's memory); every CSU stays in the counts, the charts, the
# register and `csu-assure export`.
COHORT_TABLE_ROWS = 1_000
LEAGUE_ROWS = 10
# A decision in a narrow table column.
SHORT_OUTCOME = {
    Outcome.PROCEED: "Proceed",
    Outcome.PROCEED_CONSOLIDATE: "Proceed, consolidate",
    Outcome.A: "A",
    Outcome.B: "B",
    Outcome.C: "C — stop",
    Outcome.RECOMMEND: "Recommend hosting",
    Outcome.RECOMMEND_WITH_CONDITIONS: "With conditions",
    Outcome.NOT_RECOMMENDED: "Not recommended",
    Outcome.NOT_SUBMITTED: "Not submitted",
}
CONDITION_ROWS = 300


@dataclass(frozen=True)
class DecisionCount:
    decision: str
    rag: Rag
    count: int
    share: str


@dataclass(frozen=True)
class DomainTotal:
    domain: str
    passed: int
    marginal: int
    failed: int
    not_judged: int


@dataclass(frozen=True)
class CsuReason:
    csu_name: str
    csu_id: str
    reasons: str


@dataclass(frozen=True)
class OutcomeSection:
    decision: str
    rag: Rag
    count: int
    rows: tuple[CsuReason, ...]


@dataclass(frozen=True)
class MovementRow:
    csu_name: str
    then: str
    now: str
    rag: Rag | None
    domains: str
    failures: str
    plan: str
    escalation: str


@dataclass(frozen=True)
class MovementSection:
    title: str
    summary: tuple[str, ...]
    rows: tuple[MovementRow, ...]


@dataclass(frozen=True)
class LeagueRow:
    check_id: str
    name: str
    domain: str
    csus: int
    share: str
    severities: str


@dataclass(frozen=True)
class ConditionLine:
    csu_name: str
    item_id: str
    title: str
    owner: str
    due: str
    test: str


@dataclass(frozen=True)
class EscalationLine:
    csu_name: str
    domain: str
    raised: str
    status: str


@dataclass(frozen=True)
class OtherLine:
    csu_name: str
    status: str
    detail: str


@dataclass(frozen=True)
class BorderlineLine:
    csu_name: str
    decision: str
    decision_rag: Rag
    lines: str  # each line it hangs on, with the decision across it


@dataclass(frozen=True)
class Borderline:
    """The CSUs whose decision hangs on a line within the rule set's tolerance, named with those lines."""

    title: str
    summary: str
    rows: tuple[BorderlineLine, ...]


@dataclass(frozen=True)
class CohortRow:
    csu_name: str
    csu_id: str
    decision: str
    decision_rag: Rag
    escalation: bool
    rags: tuple[Rag | None, ...]  # one per column of the group's `domains`; None = domain not assessed
    statuses: tuple[str, ...]  # each domain's status in words ("Pass", "Marginal", "Fail"; "—" not assessed)


@dataclass(frozen=True)
class CohortGroup:
    """All CSUs of the cohort at one checkpoint."""

    checkpoint: Checkpoint
    title: str
    total: int
    summary: tuple[str, ...]
    counts: tuple[DecisionCount, ...]
    domain_totals: tuple[DomainTotal, ...]
    by_outcome: tuple[OutcomeSection, ...]
    movement: MovementSection | None
    league: tuple[LeagueRow, ...]
    league_note: str
    conditions_title: str
    conditions: tuple[ConditionLine, ...]
    conditions_more: str
    conditions_empty: str
    escalations: tuple[EscalationLine, ...]
    stopped: tuple[OtherLine, ...]
    domains: tuple[str, ...]
    rows: tuple[CohortRow, ...]
    escalation_count: int
    not_submitted: int
    total_phrase: str
    escalations_phrase: str
    unlisted: int = 0  # CSUs counted but not listed by name (beyond COHORT_TABLE_ROWS)
    borderline: Borderline | None = None  # None when no record of the group carries its firmness


@dataclass(frozen=True)
class CohortView:
    title: str
    subtitle: str
    total: int
    groups: tuple[CohortGroup, ...]
    as_of: str
    rule_sets: str
    engine_versions: str
    total_phrase: str
    term_note: str


def _by_name(items: Sequence[AssessmentSummary]) -> list[AssessmentSummary]:
    return sorted(items, key=lambda a: (a.csu_name.casefold(), a.csu_id))


_EVIDENCE_TAIL = re.compile(r"\s*\(evidence: .*\)\s*$")


def measure_text(item: PlanItem) -> str:
    """A plan item's test of done without the evidence list (the plan table carries it) or its grading."""
    return pass_test(_EVIDENCE_TAIL.sub("", item.measure or item.evidence_required))


def _key_reasons(a: AssessmentSummary) -> str:
    """A CSU's decision in a line: the rule that gave it, and the checks that set each failed or marginal
    domain (its medium issues counted)."""
    if a.disposition is Disposition.NOT_SUBMITTED:
        return "No submission by the deadline."
    if a.disposition is Disposition.INVALID_SUBMISSION:
        return "A submission arrived but could not be read."
    parts = [tidy(prose(r)) for r in a.reasons]
    for domain in DECISION_DOMAINS[a.checkpoint]:
        status = a.domains.get(domain)
        issues = [i for i in a.issues if i.domain is domain]
        if status is DomainStatus.FAIL:
            ids = [i.check_id for i in issues if i.severity is Severity.CRITICAL]
        elif status is DomainStatus.MARGINAL:
            ids = [i.check_id for i in issues if i.severity is Severity.HIGH] or [
                i.check_id for i in issues if i.severity is Severity.MEDIUM
            ]
        else:
            continue
        parts.append(f"{domain.label(a.checkpoint)}: {', '.join(ids)}")
    medium = sum(1 for i in a.issues if i.severity is Severity.MEDIUM)
    low = sum(1 for i in a.issues if i.severity is Severity.LOW)
    if a.outcome.proceeds and (medium or low):
        parts.append(
            list_phrase(
                [
                    count(medium, "medium issue") if medium else "",
                    count(low, "piece") + " of advice" if low else "",
                ]
            )
        )
    return one_line("; ".join(p[0].upper() + p[1:] for p in parts if p)) + "."


def _league(
    members: Sequence[AssessmentSummary], checkpoint: Checkpoint
) -> tuple[tuple[LeagueRow, ...], str]:
    judged = [a for a in members if a.disposition is Disposition.ASSESSED]
    failures: Counter[str] = Counter()
    names: dict[str, str] = {}
    domains: dict[str, Domain] = {}
    weights: defaultdict[str, Counter[Severity]] = defaultdict(Counter)
    for a in judged:
        for i in a.issues:
            failures[i.check_id] += 1
            names.setdefault(i.check_id, i.name)
            domains.setdefault(i.check_id, i.domain)
            weights[i.check_id][i.severity] += 1
    top = sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))[:LEAGUE_ROWS]
    rows = tuple(
        LeagueRow(
            check_id=one_line(check_id),
            name=one_line(cell_text(names[check_id])),
            domain=domains[check_id].label(checkpoint),
            csus=n,
            share=percent(n / len(judged)),
            severities=", ".join(
                f"{k} {s.value}" for s, k in sorted(weights[check_id].items(), key=lambda x: -x[0].rank)
            ),
        )
        for check_id, n in top
    )
    note = (
        f"Counted over the {count(len(judged), 'CSU')} assessed on a submission (insufficient evidence counts as a "
        "failure); CSUs that submitted nothing, or nothing readable, are left out, since every check fails for "
        "them. The weight is the severity each failure had."
    )
    return rows, note


def _conditions(
    members: Sequence[AssessmentSummary], checkpoint: Checkpoint
) -> tuple[str, tuple[ConditionLine, ...], str, str]:
    if checkpoint is Checkpoint.OUTLINE_PLAN:
        title, wanted, empty = "Advice to act on by checkpoint 2", False, "No CSU was given advice."
    elif checkpoint is Checkpoint.FULL_BUSINESS_PLAN:
        title, wanted, empty = (
            "Binding obligations",
            True,
            "No CSU recommended for hosting carries a binding obligation.",
        )
    else:
        title, wanted, empty = "Conditions", True, "No CSU that proceeds carries a condition."
    lines: list[ConditionLine] = []
    for a in _by_name(members):
        if not a.outcome.proceeds:
            continue
        names = {i.check_id: i.name for i in a.issues}
        items = sorted(
            (p for p in a.plan if p.binding is wanted or (not wanted and not p.binding)),
            key=lambda p: (p.kind != "escalation", -p.severity.rank, p.check_id),
        )
        for p in items:
            if p.kind == "escalation" and a.escalation is not None:
                name = f"Escalation of the {a.escalation.label(a.checkpoint).lower()} domain"
            elif p.kind == "escalation":
                name = f"Escalation of {p.item_id.split('@')[0].removeprefix('ESCALATION-')}"
            else:
                name = names.get(p.check_id, p.check_id)
            lines.append(
                ConditionLine(
                    csu_name=one_line(a.csu_name),
                    item_id=one_line(p.item_id),
                    title=one_line(cell_text(name, keep=(a.csu_name,))),
                    owner=one_line(cell_text(p.owner, keep=(a.csu_name,))),
                    due=long_date(p.due),
                    test=one_line(cell_text(measure_text(p), keep=(a.csu_name,))),
                )
            )
    more = ""
    if len(lines) > CONDITION_ROWS:
        more = (
            f"The first {CONDITION_ROWS:,} of {len(lines):,} are listed; every one is in each CSU's report and in "
            "the register."
        )
    return title, tuple(lines[:CONDITION_ROWS]), more, empty


_ESCALATION_WORDS = {
    EscalationState.RESOLVED: "resolved",
    EscalationState.UNRESOLVED: "not resolved",
    EscalationState.NOT_EVIDENCED: "not evidenced",
    EscalationState.NOT_YET_EXAMINED: "not yet re-examined",
}


def _movement(
    checkpoint: Checkpoint, members: Sequence[AssessmentSummary], movement: Mapping[str, MovementBrief]
) -> MovementSection | None:
    found = [(a, movement[a.csu_id]) for a in _by_name(members) if a.csu_id in movement]
    if checkpoint is Checkpoint.OUTLINE_PLAN:
        return None
    then = int(checkpoint) - 1
    title = f"Movement since checkpoint {then}"
    if not found:
        return MovementSection(
            title,
            (
                f"No CSU of this cohort has an assessment at checkpoint {then} in the register to compare with.",
            ),
            (),
        )
    rows = []
    for a, m in found[:COHORT_TABLE_ROWS]:
        domains = "; ".join(
            [
                *(f"{d.label(checkpoint).lower()} improved" for d in m.better),
                *(f"{d.label(checkpoint).lower()} worse" for d in m.worse),
            ]
        )
        if not m.assessed_after:
            domains = "not judged: nothing readable submitted"
            failures, plan = "—", (f"{m.binding_items} not evidenced" if m.binding_items else "—")
        else:
            failures = f"{m.resolved} / {m.still_failing} / {m.new}"
            plan = (
                f"{m.met} of {m.binding_items} met" + (f", {m.missed} missed" if m.missed else "")
                if m.binding_items
                else "—"
            )
        rows.append(
            MovementRow(
                csu_name=one_line(a.csu_name),
                then=SHORT_OUTCOME[m.before_outcome],
                now=SHORT_OUTCOME[m.after_outcome],
                rag=OUTCOME_RAG[m.after_outcome],
                domains=domains or "unchanged",
                failures=failures,
                plan=plan,
                escalation=_ESCALATION_WORDS[m.escalation] if m.escalation else "—",
            )
        )
    briefs = [m for _, m in found]
    better = sum(1 for m in briefs if m.better and not m.worse)
    worse = sum(1 for m in briefs if m.worse and not m.better)
    items = sum(m.binding_items for m in briefs)
    met = sum(m.met for m in briefs)
    missed = sum(m.missed for m in briefs)
    unevidenced = sum(m.not_evidenced for m in briefs)
    escalations = [m for m in briefs if m.escalation is not None]
    summary = [
        f"Of this cohort, {count(len(found), 'CSU')} {verb(len(found), 'was')} also assessed at checkpoint {then}: "
        f"{count(better, 'CSU')} improved in at least one domain and worsened in none, "
        f"{count(worse, 'CSU')} worsened without improving."
    ]
    if items:
        summary.append(
            f"Of the {count(items, 'binding development-plan item')} from checkpoint {then}, {met} "
            f"{verb(met, 'was')} met, {missed} missed and {unevidenced} not evidenced."
        )
    if escalations:
        resolved = sum(1 for m in escalations if m.escalation is EscalationState.RESOLVED)
        summary.append(
            f"Of the {count(len(escalations), 'escalation')} from checkpoint {then}, {resolved} "
            f"{verb(resolved, 'was')} resolved."
        )
    summary.append("Failures are counted as resolved / still failing / new (see each CSU's report).")
    return MovementSection(title, tuple(tidy(s) for s in summary), tuple(rows))


def _escalations(
    checkpoint: Checkpoint, members: Sequence[AssessmentSummary], movement: Mapping[str, MovementBrief]
) -> tuple[EscalationLine, ...]:
    lines = []
    for a in _by_name(members):
        if a.escalation is not None:
            due = next((p.due for p in a.plan if p.kind == "escalation"), None)
            lines.append(
                EscalationLine(
                    csu_name=one_line(a.csu_name),
                    domain=a.escalation.label(a.checkpoint),
                    raised=f"Checkpoint {int(a.checkpoint)}: {a.outcome.label}",
                    status=(f"Due {long_date(due)}; " if due else "")
                    + "re-examined at checkpoint 3 (CP3-DEL-05)",
                )
            )
        m = movement.get(a.csu_id)
        if m is not None and m.before_escalation is not None:
            lines.append(
                EscalationLine(
                    csu_name=one_line(a.csu_name),
                    domain=m.before_escalation.label(m.before_checkpoint),
                    raised=f"Checkpoint {int(m.before_checkpoint)}: {m.before_outcome.label}",
                    status=(
                        f"{_ESCALATION_WORDS[m.escalation].capitalize()} at checkpoint {int(checkpoint)}"
                        if m.escalation
                        else "Not re-examined"
                    ),
                )
            )
    return tuple(lines)


_OTHER_STATUS = {
    Disposition.STOPPED: "Stopped earlier",
    Disposition.PENDING: "Awaiting submission",
    Disposition.ERROR: "Not assessed: the assessment failed",
    Disposition.NOT_SUBMITTED: "Fail — not submitted",
    Disposition.INVALID_SUBMISSION: "Invalid submission",
}


def _others(members: Sequence[AssessmentSummary], others: Sequence[CsuRow]) -> tuple[OtherLine, ...]:
    lines = [
        OtherLine(
            one_line(a.csu_name),
            _OTHER_STATUS[a.disposition],
            "No submission by the deadline: recorded as failed."
            if a.disposition is Disposition.NOT_SUBMITTED
            else "Sent, but could not be read: recorded as failed.",
        )
        for a in _by_name(members)
        if a.disposition in (Disposition.NOT_SUBMITTED, Disposition.INVALID_SUBMISSION)
    ]
    for r in sorted(others, key=lambda r: (r.csu_name.casefold(), r.csu_id)):
        if r.summary is not None or r.disposition not in _OTHER_STATUS:
            continue
        detail = one_line(prose(r.message)) if r.message else ""
        lines.append(OtherLine(one_line(r.csu_name), _OTHER_STATUS[r.disposition], sentence_case(detail)))
    return tuple(lines)


def sentence_case(text: str) -> str:
    return (text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else ""


def _group(
    checkpoint: Checkpoint,
    members: Sequence[AssessmentSummary],
    others: Sequence[CsuRow],
    movement: Mapping[str, MovementBrief],
) -> CohortGroup:
    present = {d for a in members for d in a.domains}
    domains = tuple(d for d in DECISION_DOMAINS[checkpoint] if d in present) or tuple(
        d for d in Domain if d in present
    )
    counts = Counter(a.outcome for a in members)
    order = [o for o in Outcome if counts[o]]
    total = len(members)
    judged = [a for a in members if a.disposition is Disposition.ASSESSED]
    rows = tuple(
        CohortRow(
            csu_name=one_line(a.csu_name),
            csu_id=one_line(a.csu_id),
            decision=a.outcome.label,
            decision_rag=OUTCOME_RAG[a.outcome],
            escalation=a.escalation is not None,
            rags=tuple(a.domains[d].rag if d in a.domains else None for d in domains),
            statuses=tuple(DOMAIN_STATUS_LABELS[a.domains[d]] if d in a.domains else "—" for d in domains),
        )
        for a in _by_name(members)[:COHORT_TABLE_ROWS]
    )
    totals = tuple(
        DomainTotal(
            domain=d.label(checkpoint),
            passed=sum(1 for a in judged if a.domains.get(d) is DomainStatus.PASS),
            marginal=sum(1 for a in judged if a.domains.get(d) is DomainStatus.MARGINAL),
            failed=sum(1 for a in judged if a.domains.get(d) is DomainStatus.FAIL),
            not_judged=total - len(judged),
        )
        for d in domains
    )
    sections = []
    for outcome in order:
        listed = [a for a in _by_name(members) if a.outcome is outcome][:COHORT_TABLE_ROWS]
        sections.append(
            OutcomeSection(
                decision=outcome.label,
                rag=OUTCOME_RAG[outcome],
                count=counts[outcome],
                rows=tuple(
                    CsuReason(one_line(a.csu_name), one_line(a.csu_id), _key_reasons(a)) for a in listed
                ),
            )
        )
    league, league_note = _league(members, checkpoint)
    conditions_title, conditions, more, empty = _conditions(members, checkpoint)
    escalations = _escalations(checkpoint, members, movement)
    stopped = _others(members, [r for r in others if r.checkpoint == checkpoint])
    proceeds = sum(1 for a in members if a.outcome.proceeds)
    summary = [
        f"At {checkpoint.title.lower()}, {count(total, 'CSU')} {verb(total, 'was')} assessed"
        + (": " + "; ".join(f"{decision_phrase(o.label)}, {counts[o]}" for o in order) if order else "")
        + "."
    ]
    if total:
        summary.append(
            f"Of these, {count(proceeds, 'CSU', zero='no')} {verb(proceeds, 'goes', 'go')} on"
            + (
                f"; {count(len(escalations), 'escalation')} {verb(len(escalations), 'is')} named below"
                if escalations
                else ""
            )
            + (
                f"; {count(len(stopped), 'CSU')} stopped or not assessed {verb(len(stopped), 'is')} listed"
                if stopped
                else ""
            )
            + "."
        )
    return CohortGroup(
        checkpoint=checkpoint,
        title=checkpoint.title,
        total=total,
        summary=tuple(summary),
        counts=tuple(
            DecisionCount(o.label, OUTCOME_RAG[o], counts[o], percent(counts[o] / total) if total else "—")
            for o in order
        ),
        domain_totals=totals,
        by_outcome=tuple(sections),
        movement=_movement(checkpoint, members, movement),
        league=league,
        league_note=league_note,
        conditions_title=conditions_title,
        conditions=conditions,
        conditions_more=more,
        conditions_empty=empty,
        escalations=escalations,
        stopped=stopped,
        domains=tuple(d.label(checkpoint) for d in domains),
        rows=rows,
        escalation_count=sum(1 for a in members if a.escalation),
        not_submitted=counts[Outcome.NOT_SUBMITTED],
        total_phrase=count(total, "CSU"),
        escalations_phrase=count(len(escalations), "escalation"),
        unlisted=max(0, total - COHORT_TABLE_ROWS),
        borderline=_borderline(members),
    )


def _borderline(members: Sequence[AssessmentSummary]) -> Borderline | None:
    """Which decisions hang on a hair: every CSU whose outcome a move within the rule set's tolerance of a
    threshold would change, with those thresholds; or that every decision judged is firm."""
    judged = [a for a in members if a.firmness is not None]
    if not judged:
        return None
    tolerance = max(a.firmness.tolerance for a in judged if a.firmness is not None)
    tol = tolerance_text(tolerance)
    hanging = _by_name([a for a in judged if a.borderline])
    if not hanging:
        summary = (
            f"No decision hangs on a line: moving any threshold by up to {tol} of itself would change none of the "
            f"{count(len(judged), 'decision')}."
        )
    else:
        summary = (
            f"{spelled(len(hanging), 'decision')} of {len(judged)} {verb(len(hanging), 'hangs', 'hang')} on a line "
            f"within {tol} of itself: a small change in a figure or in the rule set would change "
            f"{'it' if len(hanging) == 1 else 'them'}."
        )
    rows = tuple(
        BorderlineLine(
            csu_name=one_line(a.csu_name),
            decision=a.outcome.label,
            decision_rag=OUTCOME_RAG[a.outcome],
            lines="; ".join(one_line(hinge_brief(h)) for h in a.firmness.hinges) if a.firmness else "",
        )
        for a in hanging
    )
    return Borderline("Decisions that hang on a line", summary, rows)


def cohort_view(
    assessments: Sequence[AssessmentSummary],
    title: str,
    *,
    others: Sequence[CsuRow] = (),
    movement: Mapping[str, MovementBrief] | None = None,
) -> CohortView:
    """The national picture of `assessments` (one per CSU per checkpoint), with the rows of the CSUs that were
    not assessed in the run (`others`: stopped earlier, awaiting submission, failed) and each CSU's movement
    since its previous checkpoint (`movement`, by CSU id)."""
    by_checkpoint: dict[Checkpoint, list[AssessmentSummary]] = {}
    for a in assessments:
        by_checkpoint.setdefault(a.checkpoint, []).append(a)
    for r in others:
        by_checkpoint.setdefault(r.checkpoint, [])
    as_of = sorted({a.as_of for a in assessments})
    checkpoints = sorted(by_checkpoint)
    subtitle = (
        f"{checkpoints[0].title}: the national picture"
        if len(checkpoints) == 1
        else "Cohort summary of CSU checkpoint assessments"
    )
    return CohortView(
        title=one_line(title),
        subtitle=subtitle,
        total=len(assessments),
        groups=tuple(_group(cp, by_checkpoint[cp], others, movement or {}) for cp in checkpoints),
        as_of=", ".join(long_date(d) for d in as_of) or "—",
        rule_sets=one_line(", ".join(sorted({a.ruleset for a in assessments})) or "—"),
        engine_versions=one_line(", ".join(sorted({a.engine_version for a in assessments})) or "—"),
        total_phrase=count(len(assessments), "assessment"),
        term_note=CSU_TERM_NOTE,
    )


__all__ = ["COHORT_TABLE_ROWS", "CohortGroup", "CohortView", "cohort_view", "measure_text"]
