"""View models: an `Assessment` sorted, grouped, counted and formatted for the report, so templates stay logic-free.

Everything here reads the record only; nothing is recomputed from the submission. Text that came from a
submission or an assessor passes through `safe_text`, or `one_line` where it lands in a place meant as one line
(a title, a name, an id, a table cell of figures or names, a phrase inside a sentence): a submitted line break
must never start a line of its own that could read as part of the report (a forged "Decision: A").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from csu_assure.domain import (
    DECISION_DOMAINS,
    Checkpoint,
    Domain,
    DomainStatus,
    Outcome,
    Rag,
    Severity,
    Status,
)
from csu_assure.render.word.safe import one_line, safe_text
from csu_assure.results import Assessment, AssessmentSummary, CheckResult, DataIssue, EvidenceRow, row_ranges

EVIDENCE_ROW_CAP = 20
# CSUs listed by name in a cohort report's table. A larger cohort's table would be thousands of rows nobody reads
# (and its XML is the largest part of a cohort run's memory); every CSU stays in the counts, the charts, the
# register and `csu-assure export`.
COHORT_TABLE_ROWS = 1_000

DOMAIN_LABELS: dict[Domain, str] = {
    Domain.LEADERSHIP: "Leadership",
    Domain.CUSTOMER: "Customer focus",
    Domain.BUSINESS: "Business plan",
    Domain.DELIVERY: "Delivery",
}
STATUS_LABELS: dict[Status, str] = {
    Status.PASS: "Pass",
    Status.FAIL: "Fail",
    Status.NOT_EVIDENCED: "Insufficient evidence",
    Status.NOT_APPLICABLE: "Not applicable",
    Status.ERROR: "Check error",
    Status.WAIVED: "Waived",
}
MODERATION_LABELS = {"draft": "Draft", "moderated": "Moderated", "not_moderated": "Not moderated"}
MODERATION_SENTENCES = {
    "draft": "This report is a draft: it has not yet been moderated.",
    "moderated": "This report has been moderated.",
    "not_moderated": "This report was issued without moderation.",
}
# The banner colour of each decision: the outcome, read as a RAG.
OUTCOME_RAG: dict[Outcome, Rag] = {
    Outcome.PROCEED: Rag.GREEN,
    Outcome.A: Rag.GREEN,
    Outcome.RECOMMEND: Rag.GREEN,
    Outcome.PROCEED_CONSOLIDATE: Rag.AMBER,
    Outcome.B: Rag.AMBER,
    Outcome.RECOMMEND_WITH_CONDITIONS: Rag.AMBER,
    Outcome.C: Rag.RED,
    Outcome.NOT_RECOMMENDED: Rag.RED,
    Outcome.NOT_SUBMITTED: Rag.RED,
}
_RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def count_phrase(n: int, singular: str, plural: str | None = None) -> str:
    word = singular if n == 1 else (plural or f"{singular}s")
    return f"{'no' if n == 0 else n} {word}"


def gbp(value: Decimal | None, places: int = 0) -> str:
    if value is None:
        return "—"
    return f"£{value:,.{places}f}"


def percent(value: float | None, places: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{places}f}%"


# ------------------------------------------------------------------------------------------- single report


@dataclass(frozen=True)
class EvidenceTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    more: int = 0  # rows left out of the table


@dataclass(frozen=True)
class CheckView:
    check_id: str
    name: str
    domain: str
    severity: str
    status: str
    rag: Rag
    actual: str
    expected: str
    finding: str
    source: str
    evidence: EvidenceTable | None
    computed_status: str | None  # set only when an override or waiver changed the result
    adjustment: str | None
    note: str | None
    failing: bool


@dataclass(frozen=True)
class DomainView:
    key: str
    label: str
    rag: Rag
    status: str  # "Pass", "Marginal" or "Fail"
    checks: tuple[CheckView, ...]
    passed: int
    failing: int
    other: int

    @property
    def failing_checks(self) -> tuple[CheckView, ...]:
        return tuple(c for c in self.checks if c.failing)


@dataclass(frozen=True)
class PlanRow:
    item_id: str
    check_id: str
    check_name: str
    severity: str
    finding: str
    action: str
    owner: str
    due: str
    evidence_required: str


@dataclass(frozen=True)
class AdjustmentRow:
    check_id: str
    kind: str
    computed: str
    final: str
    assessor: str
    reason: str
    dates: str


@dataclass(frozen=True)
class DataIssueRow:
    """One implausible figure, as the report's data-quality table shows it."""

    where: str
    value: str
    problem: str
    expected: str
    handling: str


@dataclass(frozen=True)
class ReasonView:
    """One failed or marginal domain in the executive summary, with its failing checks as one-line phrases."""

    label: str
    rag: str
    status: str  # "failed" or "passed only marginally"
    checks: tuple[str, ...]


@dataclass(frozen=True)
class SummaryView:
    decision: str
    checkpoint: str
    csu_name: str
    not_submitted: bool
    proceeds: bool
    all_green: bool
    reasons: tuple[ReasonView, ...]
    red_count: int
    amber_count: int
    green_count: int
    conditions: int
    minor_notes: int
    insufficient_evidence: int
    errors: int
    adjustments: int
    escalation: bool
    plan_items: int
    plan_due: str
    moderation: str
    moderation_sentence: str
    domain_phrase: str
    conditions_phrase: str
    failing_phrase: str
    minor_notes_phrase: str
    plan_items_phrase: str
    insufficient_evidence_phrase: str
    errors_phrase: str
    adjustments_phrase: str
    data_quality: int = 0
    data_quality_phrase: str = "no data-quality issues"
    set_aside: int = 0
    amendment: str = ""  # an amended record: when it was re-assessed, why, and the record it replaces


@dataclass(frozen=True)
class CoverRow:
    label: str
    value: str


@dataclass(frozen=True)
class ProvenanceView:
    inputs: tuple[tuple[str, str], ...]
    rows: tuple[CoverRow, ...]


@dataclass(frozen=True)
class ReportView:
    title: str
    csu_name: str
    csu_id: str
    checkpoint: Checkpoint
    checkpoint_title: str
    decision: str
    banner: Rag
    cover: tuple[CoverRow, ...]
    summary: SummaryView
    domains: tuple[DomainView, ...]
    plan: tuple[PlanRow, ...]
    conditions: tuple[CheckView, ...]
    adjustments: tuple[AdjustmentRow, ...]
    provenance: ProvenanceView
    has_figures: bool
    assessor: str
    as_of: dt.date
    data_quality: tuple[DataIssueRow, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


def _evidence(rows: tuple[EvidenceRow, ...], cap: int) -> EvidenceTable | None:
    if not rows:
        return None
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(row))
    keys = tuple(headers)
    shown = rows[:cap]
    return EvidenceTable(
        headers=tuple(one_line(k).replace("_", " ") for k in keys),
        rows=tuple(tuple(one_line(row.get(k, "")) for k in keys) for row in shown),
        more=len(rows) - len(shown),
    )


def _adjustment_text(r: CheckResult) -> str | None:
    a = r.adjustment
    if a is None:
        return None
    if a.kind == "override":
        text = f"Overridden to {STATUS_LABELS[Status(a.status)] if a.status else '—'} by {a.assessor}"
    else:
        until = f" until {long_date(a.expires)}" if a.expires else ""
        text = f"Waived{until} by {a.assessor}"
    return safe_text(f"{text}: {a.reason}")


def check_view(r: CheckResult, cap: int = EVIDENCE_ROW_CAP) -> CheckView:
    changed = r.computed_status is not r.status
    return CheckView(
        check_id=one_line(r.check_id),
        name=one_line(r.name),
        domain=DOMAIN_LABELS[r.domain],
        severity=r.severity.value.capitalize(),
        status=STATUS_LABELS[r.status],
        rag=r.rag,
        actual=one_line(r.actual) if r.actual is not None else "—",
        expected=one_line(r.expected) or "—",
        finding=safe_text(r.finding),
        source=one_line(r.source) or "—",
        evidence=_evidence(r.evidence, cap),
        computed_status=STATUS_LABELS[r.computed_status] if changed else None,
        adjustment=_adjustment_text(r),
        note=safe_text(r.note) if r.note else None,
        failing=r.status.counts_as_failure,
    )


def _domain_views(a: Assessment) -> tuple[DomainView, ...]:
    by_domain: dict[Domain, list[CheckResult]] = {}
    for r in a.results:
        by_domain.setdefault(r.domain, []).append(r)
    views = []
    # The checkpoint's decision domains in the BDU's order, not the order checks happened to run.
    for domain in DECISION_DOMAINS[a.checkpoint]:
        if domain not in a.domains and domain not in by_domain:
            continue
        results = sorted(by_domain.get(domain, []), key=lambda r: r.check_id)
        statuses = Counter(r.status for r in results)
        failing = sum(n for s, n in statuses.items() if s.counts_as_failure)
        views.append(
            DomainView(
                key=domain.value,
                label=DOMAIN_LABELS[domain],
                rag=a.domains.get(domain, DomainStatus.PASS).rag,
                status=a.domains.get(domain, DomainStatus.PASS).value.capitalize(),
                checks=tuple(check_view(r) for r in results),
                passed=statuses[Status.PASS],
                failing=failing,
                other=len(results) - failing - statuses[Status.PASS],
            )
        )
    return tuple(views)


def _reason_phrase(c: CheckView) -> str:
    status = "" if c.status == "Fail" else f" ({c.status.lower()})"
    return one_line(f"{c.name}{status} [{c.check_id}]")


def _summary(a: Assessment, domains: tuple[DomainView, ...]) -> SummaryView:
    ordered = sorted((d for d in domains if d.rag is not Rag.GREEN), key=lambda d: _RAG_ORDER[d.rag])
    reasons = tuple(
        ReasonView(
            label=d.label,
            rag=d.rag.value,
            status="failed" if d.rag is Rag.RED else "passed only marginally",
            checks=tuple(_reason_phrase(c) for c in d.failing_checks if c.rag is not Rag.GREEN),
        )
        for d in ordered
    )
    rags = Counter(d.rag for d in domains)
    statuses = Counter(r.status for r in a.results)
    plan_due = min((p.due for p in a.development_plan), default=None)
    minor = sum(1 for r in a.results if r.failed and r.severity is Severity.LOW)
    adjusted = sum(1 for r in a.results if r.adjustment is not None)
    return SummaryView(
        decision=a.outcome.label,
        checkpoint=a.checkpoint.title,
        csu_name=one_line(a.csu_name),
        not_submitted=a.outcome is Outcome.NOT_SUBMITTED,
        proceeds=a.outcome.proceeds,
        all_green=not reasons,
        reasons=reasons,
        red_count=rags[Rag.RED],
        amber_count=rags[Rag.AMBER],
        green_count=rags[Rag.GREEN],
        conditions=len(a.conditions),
        minor_notes=minor,
        insufficient_evidence=statuses[Status.NOT_EVIDENCED],
        errors=statuses[Status.ERROR],
        adjustments=adjusted,
        escalation=a.escalation is not None,
        plan_items=len(a.development_plan),
        plan_due=long_date(plan_due) if plan_due else "",
        moderation=MODERATION_LABELS[a.moderation.status],
        moderation_sentence=MODERATION_SENTENCES[a.moderation.status],
        domain_phrase=_domain_phrase(rags[Rag.RED], rags[Rag.AMBER]),
        conditions_phrase=count_phrase(len(a.conditions), "condition")
        + (" is" if len(a.conditions) == 1 else " are"),
        failing_phrase=count_phrase(len(a.conditions), "failing check"),
        minor_notes_phrase=count_phrase(minor, "advisory note"),
        plan_items_phrase=count_phrase(len(a.development_plan), "item"),
        insufficient_evidence_phrase=count_phrase(statuses[Status.NOT_EVIDENCED], "check"),
        errors_phrase=count_phrase(statuses[Status.ERROR], "check"),
        adjustments_phrase=count_phrase(adjusted, "check result"),
        data_quality=len(a.data_quality),
        data_quality_phrase=count_phrase(len(a.data_quality), "data-quality issue"),
        set_aside=sum(1 for i in a.data_quality if i.set_aside),
        amendment=_amendment_text(a),
    )


def _amendment_text(a: Assessment) -> str:
    m = a.amendment
    if m is None:
        return ""
    return one_line(  # the template makes each line a paragraph: an assessor's reason adds none
        f"This is an amended report: the CSU was re-assessed on {long_date(m.on)} from the same submission. "
        f"{m.reason} It replaces assessment {m.replaces}."
    )


def _domain_phrase(red: int, amber: int) -> str:
    parts = []
    if red:
        parts.append(f"{count_phrase(red, 'domain')} failed")
    if amber:
        noun = count_phrase(amber, "domain") if not red else str(amber)
        parts.append(f"{noun} passed only marginally")
    return " and ".join(parts)


def _moderation_text(a: Assessment) -> str:
    m = a.moderation
    parts = [MODERATION_LABELS[m.status]]
    if m.assessor:
        parts.append(f"by {m.assessor}")
    if m.moderated_on:
        parts.append(f"on {long_date(m.moderated_on)}")
    text = " ".join(parts)
    return safe_text(f"{text}: {m.note}" if m.note else text)


def _provenance(a: Assessment) -> ProvenanceView:
    p = a.provenance
    rows = (
        CoverRow("Assessment id", one_line(a.assessment_id)),
        CoverRow("Rule set", one_line(f"{p.ruleset_name} {p.ruleset_version}")),
        CoverRow("Rule-set SHA-256", one_line(p.ruleset_sha256)),
        CoverRow("Engine version", one_line(p.engine_version)),
        CoverRow("As of", long_date(p.as_of)),
        CoverRow("Assessor", one_line(p.assessor)),
        CoverRow("Flow run id", one_line(p.flow_run_id) if p.flow_run_id else "— (run outside a flow)"),
        CoverRow("Record schema version", str(a.schema_version)),
    )
    inputs = tuple((one_line(i.path), i.sha256) for i in sorted(p.inputs, key=lambda i: i.path))
    return ProvenanceView(inputs=inputs, rows=rows)


def _plan_rows(a: Assessment) -> tuple[PlanRow, ...]:
    names = {r.check_id: r.name for r in a.results}
    items = sorted(a.development_plan, key=lambda p: (p.due, p.check_id))
    return tuple(
        PlanRow(
            item_id=one_line(p.item_id),
            check_id=one_line(p.check_id),
            check_name=one_line(names.get(p.check_id, "")),
            severity=p.severity.value.capitalize(),
            finding=safe_text(p.finding),
            action=safe_text(p.action),
            owner=one_line(p.owner),
            due=long_date(p.due),
            evidence_required=safe_text(p.evidence_required),
        )
        for p in items
    )


def _adjustment_rows(a: Assessment) -> tuple[AdjustmentRow, ...]:
    rows = []
    for r in sorted(a.results, key=lambda r: r.check_id):
        adj = r.adjustment
        if adj is None:
            continue
        dates = []
        if adj.recorded_on:
            dates.append(f"recorded {long_date(adj.recorded_on)}")
        if adj.expires:
            dates.append(f"expires {long_date(adj.expires)}")
        rows.append(
            AdjustmentRow(
                check_id=one_line(r.check_id),
                kind=adj.kind.capitalize(),
                computed=STATUS_LABELS[r.computed_status],
                final=STATUS_LABELS[r.status] + (f" ({safe_text(r.note)})" if r.note else ""),
                assessor=one_line(adj.assessor),
                reason=safe_text(adj.reason),
                dates="; ".join(dates) or "—",
            )
        )
    return tuple(rows)


def _data_issue_row(issue: DataIssue) -> DataIssueRow:
    rows = f", rows {row_ranges(issue.rows)}" if issue.rows else ""
    scope = f" ({issue.scope})" if issue.scope else ""
    return DataIssueRow(
        where=one_line(f"{issue.file}{rows}: {issue.field}{scope}"),
        value=one_line(", ".join(issue.values)),
        problem=safe_text(issue.problem),
        expected=safe_text(issue.expected),
        handling="Set aside: not judged" if issue.set_aside else "Judged as given (required data)",
    )


def report_view(a: Assessment) -> ReportView:
    domains = _domain_views(a)
    p = a.provenance
    cover = (
        CoverRow("CSU", one_line(f"{a.csu_name} ({a.csu_id})")),
        CoverRow("Checkpoint", a.checkpoint.title),
        CoverRow("Decision", a.outcome.label + (" — escalation required" if a.escalation else "")),
        CoverRow("As of", long_date(p.as_of)),
        CoverRow("Assessor", one_line(p.assessor)),
        CoverRow("Status", one_line(_moderation_text(a))),
        *((CoverRow("Amended", f"Re-assessed on {long_date(a.amendment.on)}"),) if a.amendment else ()),
        CoverRow("Rule set", one_line(f"{p.ruleset_name} {p.ruleset_version}")),
        CoverRow("Engine version", one_line(p.engine_version)),
    )
    conditions = tuple(
        check_view(r) for r in sorted(a.conditions, key=lambda r: (_RAG_ORDER[r.rag], r.check_id))
    )
    return ReportView(
        title=one_line(f"{a.csu_name}: {a.checkpoint.title}"),
        csu_name=one_line(a.csu_name),
        csu_id=one_line(a.csu_id),
        checkpoint=a.checkpoint,
        checkpoint_title=a.checkpoint.title,
        decision=a.outcome.label,
        banner=OUTCOME_RAG[a.outcome],
        cover=cover,
        summary=_summary(a, domains),
        domains=domains,
        plan=_plan_rows(a),
        conditions=conditions,
        adjustments=_adjustment_rows(a),
        provenance=_provenance(a),
        has_figures=a.figures is not None,
        assessor=one_line(p.assessor),
        as_of=p.as_of,
        data_quality=tuple(_data_issue_row(i) for i in a.data_quality),
    )


# ------------------------------------------------------------------------------------------- cohort report


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
class DecisionCount:
    decision: str
    rag: Rag
    count: int


@dataclass(frozen=True)
class CohortGroup:
    """All CSUs assessed at one checkpoint."""

    checkpoint: Checkpoint
    title: str
    total: int
    counts: tuple[DecisionCount, ...]
    domains: tuple[str, ...]
    rows: tuple[CohortRow, ...]
    escalations: int
    not_submitted: int
    total_phrase: str
    escalations_phrase: str
    unlisted: int = 0  # CSUs counted but not listed by name (beyond COHORT_TABLE_ROWS)


@dataclass(frozen=True)
class CohortView:
    title: str
    total: int
    groups: tuple[CohortGroup, ...]
    as_of: str
    rule_sets: str
    engine_versions: str
    total_phrase: str


def _group(checkpoint: Checkpoint, members: Sequence[AssessmentSummary]) -> CohortGroup:
    present = {d for a in members for d in a.domains}
    domains = tuple(d for d in Domain if d in present)
    counts = Counter(a.outcome for a in members)
    order = [o for o in Outcome if counts[o]]
    rows = tuple(
        CohortRow(
            csu_name=one_line(a.csu_name),
            csu_id=one_line(a.csu_id),
            decision=a.outcome.label,
            decision_rag=OUTCOME_RAG[a.outcome],
            escalation=a.escalation is not None,
            rags=tuple(a.domains[d].rag if d in a.domains else None for d in domains),
            statuses=tuple(a.domains[d].value.capitalize() if d in a.domains else "—" for d in domains),
        )
        for a in sorted(members, key=lambda a: (a.csu_name.casefold(), a.csu_id))[:COHORT_TABLE_ROWS]
    )
    return CohortGroup(
        checkpoint=checkpoint,
        title=checkpoint.title,
        total=len(members),
        counts=tuple(DecisionCount(o.label, OUTCOME_RAG[o], counts[o]) for o in order),
        domains=tuple(DOMAIN_LABELS[d] for d in domains),
        rows=rows,
        escalations=sum(1 for a in members if a.escalation),
        not_submitted=counts[Outcome.NOT_SUBMITTED],
        total_phrase=count_phrase(len(members), "CSU"),
        escalations_phrase=count_phrase(sum(1 for a in members if a.escalation), "escalation") + " flagged",
        unlisted=max(0, len(members) - COHORT_TABLE_ROWS),
    )


def cohort_view(assessments: Sequence[AssessmentSummary], title: str) -> CohortView:
    by_checkpoint: dict[Checkpoint, list[AssessmentSummary]] = {}
    for a in assessments:
        by_checkpoint.setdefault(a.checkpoint, []).append(a)
    as_of = sorted({a.as_of for a in assessments})
    return CohortView(
        title=one_line(title),
        total=len(assessments),
        groups=tuple(_group(cp, by_checkpoint[cp]) for cp in sorted(by_checkpoint)),
        as_of=", ".join(long_date(d) for d in as_of) or "—",
        rule_sets=one_line(", ".join(sorted({a.ruleset for a in assessments})) or "—"),
        engine_versions=one_line(", ".join(sorted({a.engine_version for a in assessments})) or "—"),
        total_phrase=count_phrase(len(assessments), "assessment"),
    )
