"""View model of one CSU's report: an `Assessment` (and what came before it) sorted, grouped, counted and worded
for the page, so templates stay logic-free.

Everything here reads the record only; nothing is recomputed from the submission. Text that came from a
submission or an assessor passes through `safe_text`, or `one_line` where it lands in a place meant as one line
(a title, a name, an id, a table cell of figures or names, a phrase inside a sentence): a submitted line break
must never start a line of its own that could read as part of the report (a forged "Decision: A"). Text the
engine wrote passes through the house style (`csu_assure.language`): one term for CSUs, counts that agree, long
dates, money rounded in prose and exact in tables.

The report reads in this order: page 1 is the decision (`DecisionPage`); then what changed since the last
checkpoint (`SinceView`), the findings that matter in full, the passing checks in one table, the evidence, the
development plan, overrides, the CSU's response and provenance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from csu_assure.compare import (
    RETESTED_BY,
    Change,
    Direction,
    EscalationProgress,
    EscalationState,
    ItemState,
    Movement,
    PlanProgress,
    compare,
)
from csu_assure.domain import (
    DECISION_DOMAINS,
    Checkpoint,
    Disposition,
    Domain,
    DomainStatus,
    ModerationStatus,
    Outcome,
    Rag,
    Severity,
    Status,
)
from csu_assure.language import (
    CSU_TERM_NOTE,
    cap,
    count,
    csu_term,
    list_phrase,
    long_date,
    number_word,
    pass_condition,
    plural,
    prose,
    sentence,
    spelled,
    tidy,
    verb,
    with_long_dates,
)
from csu_assure.language import cell as cell_text
from csu_assure.render.word.firmness import firmness_note
from csu_assure.render.word.safe import one_line, safe_text
from csu_assure.results import Assessment, CheckResult, DataIssue, EvidenceRow, PlanItem, row_ranges
from csu_assure.settings import DEFAULT_MARKING
from csu_assure.sources import citations, plain_source

EVIDENCE_ROW_CAP = 20
# Located problems of an unreadable submission shown on its short report; the rest are counted.
PROBLEM_ROW_CAP = 25
# Conditions listed on the decision page; more are counted there and listed in the development plan.
PAGE_ONE_CONDITIONS = 5
# Failing checks named per domain in a reason sentence.
REASON_CHECKS = 3

STATUS_LABELS: dict[Status, str] = {
    Status.PASS: "Pass",
    Status.FAIL: "Fail",
    Status.NOT_EVIDENCED: "Insufficient evidence",
    Status.NOT_APPLICABLE: "Not applicable",
    Status.ERROR: "Check error",
    Status.WAIVED: "Waived",
}
DOMAIN_STATUS_LABELS = {
    DomainStatus.PASS: "Pass",
    DomainStatus.MARGINAL: "Marginal",
    DomainStatus.FAIL: "Fail",
}
# What a failure of each severity does to its domain, as the finding says it.
EFFECT = {
    Severity.CRITICAL: "fails its domain",
    Severity.HIGH: "makes its domain marginal: it needs rapid management",
    Severity.MEDIUM: "a development-plan item (three in one domain make it marginal)",
    Severity.LOW: "advice only",
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
_STATUS_ORDER = {DomainStatus.FAIL: 0, DomainStatus.MARGINAL: 1, DomainStatus.PASS: 2}

# What each checkpoint asked for (the domain brief's checkpoint table), for a report on nothing submitted.
EXPECTED_SUBMISSION = {
    Checkpoint.OUTLINE_PLAN: "a draft outline business plan: structure, services, products and costs",
    Checkpoint.VIABILITY: "the final outline business plan with its financial projections, CCG intentions and a "
    "development plan",
    Checkpoint.FULL_BUSINESS_PLAN: "the full business plan, a four-year financial model by service line and "
    "customer, a balanced scorecard and SLAs signed with CCGs",
}

# Who a report goes to: the CSU, the SHA cluster that hosts its emergence, and the BDU's own file.
DISTRIBUTION = "the CSU's managing director (or lead) and chair; the SHA cluster; the BDU assessment file"


@dataclass(frozen=True)
class ReportContext:
    """What a report needs besides its record, from the register and the settings of the run that writes it:
    the CSU's assessment at the previous checkpoint (for "Since the last checkpoint"), this record's version
    among the CSU's records at its checkpoint, the protective marking and the next checkpoint's deadline."""

    previous: Assessment | None = None
    version: int = 1
    marking: str = DEFAULT_MARKING
    next_deadline: dt.date | None = None


def domain_label(domain: Domain, checkpoint: Checkpoint) -> str:
    return domain.label(checkpoint)


def _keep(a: Assessment) -> tuple[str, ...]:
    """Names the house style must leave as they are: the CSU's own (a name with "CSS" in it is its name)."""
    return (a.csu_name,)


# ------------------------------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class EvidenceTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    more: int = 0  # rows left out of the table


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class DomainRow:
    """A decision domain on the decision page: its status and the failures that set it."""

    label: str
    rag: Rag
    status: str
    deciding: str  # the check ids that set a failed or marginal status, or "—"


@dataclass(frozen=True)
class ConditionRow:
    """A development-plan item as the decision page and the plan table show it: what must be done, by whom, by
    when, and the test of done."""

    item_id: str
    check_id: str
    title: str
    action: str
    owner: str
    due: str
    test: str
    binding: bool
    severity: str
    evidence_required: str


@dataclass(frozen=True)
class SignOffRow:
    role: str
    name: str
    date: str


@dataclass(frozen=True)
class DecisionPage:
    """Page 1: the decision, why, the domains, the conditions, what happens next, the moderation record and the
    sign-off block."""

    decision: str
    banner: Rag
    reasons: tuple[str, ...]
    domains: tuple[DomainRow, ...]
    conditions_title: str
    conditions: tuple[ConditionRow, ...]
    conditions_more: int
    conditions_note: str
    next_steps: tuple[str, ...]
    appeal: str | None
    moderation: str
    signoff: tuple[SignOffRow, ...]
    issue: tuple[Row, ...]
    firmness: str | None = None  # "how firm is this decision", from the record's firmness (None: not known)


@dataclass(frozen=True)
class FindingView:
    """A failed check in full: what was wrong, what it weighed, the evidence and where the standard comes from."""

    check_id: str
    name: str
    domain: str
    severity: str
    status: str
    rag: Rag
    effect: str
    found: str
    standard: str
    finding: str
    basis: str
    evidence: EvidenceTable | None
    computed_status: str | None  # set only when an override or waiver changed the result
    adjustment: str | None
    note: str | None
    remedy: str | None


@dataclass(frozen=True)
class CheckRow:
    """A check in the compact table of checks that did not fail (passed, not applicable, waived) or of advice."""

    check_id: str
    domain: str
    looked_for: str
    result: str
    rag: Rag | None
    found: str
    standard: str


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
class ChangeRow:
    check_id: str
    name: str
    then: str
    evidence: str


@dataclass(frozen=True)
class ProgressRow:
    item_id: str
    action: str
    owner: str
    due: str
    test: str
    state: str
    rag: Rag
    evidence: str


@dataclass(frozen=True)
class MoveRow:
    domain: str
    then: str
    now: str
    movement: str
    rag: Rag | None


@dataclass(frozen=True)
class SinceView:
    """What changed since the CSU's previous checkpoint."""

    title: str
    summary: tuple[str, ...]
    domains: tuple[MoveRow, ...] = ()
    plan: tuple[ProgressRow, ...] = ()
    escalations: tuple[ProgressRow, ...] = ()
    resolved: tuple[ChangeRow, ...] = ()
    still_failing: tuple[ChangeRow, ...] = ()
    new: tuple[ChangeRow, ...] = ()
    not_retested: tuple[ChangeRow, ...] = ()
    compact: bool = False  # the later record judged nothing: a sentence and the plan items only


@dataclass(frozen=True)
class ProvenanceView:
    inputs: tuple[tuple[str, str], ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class ReportView:
    title: str
    csu_name: str
    csu_id: str
    checkpoint: Checkpoint
    checkpoint_title: str
    decision_label: str
    short: bool  # nothing submitted, or nothing readable: the one- or two-page report
    invalid: bool
    page: DecisionPage
    since: SinceView | None
    findings: tuple[FindingView, ...]
    advice: tuple[CheckRow, ...]
    passing: tuple[CheckRow, ...]
    plan: tuple[ConditionRow, ...]
    plan_intro: str
    adjustments: tuple[AdjustmentRow, ...]
    provenance: ProvenanceView
    sources: tuple[str, ...]
    term_note: str
    assessor: str
    as_of: dt.date
    marking: str
    data_quality: tuple[DataIssueRow, ...] = ()
    problems: EvidenceTable | None = None  # an unreadable submission's located problems
    not_judged: str = ""  # the short report's one sentence on its checks
    has_figures: bool = False
    extra: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------- formatting


def _evidence(rows: tuple[EvidenceRow, ...], cap: int, keep: Sequence[str] = ()) -> EvidenceTable | None:
    if not rows:
        return None
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(row))
    keys = tuple(headers)
    shown = rows[:cap]
    return EvidenceTable(
        headers=tuple(_header(k) for k in keys),
        # Evidence is what the submission said, row by row: only dates are written long (and the one term), so a
        # reader can find each row in the files.
        rows=tuple(
            tuple(one_line(with_long_dates(csu_term(row.get(k, ""), keep=keep))) for k in keys)
            for row in shown
        ),
        more=len(rows) - len(shown),
    )


def pass_test(expected: str) -> str:
    """A check's `expected` as the test of done (see `language.pass_condition`)."""
    return pass_condition(expected)


# Words of evidence column names that are written in capitals.
_ACRONYMS = {"ccg": "CCG", "id": "ID", "wte": "WTE", "kpi": "KPI", "sla": "SLA", "rca": "RCA", "md": "MD"}


def _header(key: str) -> str:
    words = [_ACRONYMS.get(w, w) for w in one_line(key).replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _status_text(r: CheckResult) -> str:
    return STATUS_LABELS[r.status]


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


def _found(r: CheckResult, keep: Sequence[str]) -> str:
    return one_line(cell_text(r.actual, keep=keep)) if r.actual is not None else "—"


def _standard(r: CheckResult, keep: Sequence[str]) -> str:
    return one_line(cell_text(r.expected, keep=keep)) or "—"


def finding_view(r: CheckResult, checkpoint: Checkpoint, keep: Sequence[str] = ()) -> FindingView:
    changed = r.computed_status is not r.status
    return FindingView(
        check_id=one_line(r.check_id),
        name=one_line(cell_text(r.name, keep=keep)),
        domain=domain_label(r.domain, checkpoint),
        severity=r.severity.value,
        status=_status_text(r),
        rag=r.rag,
        effect=EFFECT[r.severity],
        found=_found(r, keep),
        standard=_standard(r, keep),
        finding=safe_text(sentence(prose(r.finding, keep=keep))),
        basis=one_line(plain_source(r.source)) or "—",
        evidence=_evidence(r.evidence, EVIDENCE_ROW_CAP, keep),
        computed_status=STATUS_LABELS[r.computed_status] if changed else None,
        adjustment=_adjustment_text(r),
        note=safe_text(prose(r.note, keep=keep)) if r.note else None,
        remedy=safe_text(prose(r.remedy, keep=keep)) if r.remedy else None,
    )


def _check_row(r: CheckResult, checkpoint: Checkpoint, keep: Sequence[str]) -> CheckRow:
    result = _status_text(r)
    if r.failed:
        result = f"{result} (low: advice)"
    elif r.computed_status is not r.status:
        how = "overridden; " if r.adjustment is not None and r.adjustment.kind == "override" else ""
        result = f"{result} ({how}computed: {STATUS_LABELS[r.computed_status]})"
    return CheckRow(
        check_id=one_line(r.check_id),
        domain=domain_label(r.domain, checkpoint),
        looked_for=one_line(cell_text(r.name, keep=keep)),
        result=result,
        rag=Rag.GREEN if r.status is Status.PASS else None,
        found=_found(r, keep) if r.status is not Status.NOT_APPLICABLE else "—",
        standard=(
            one_line(cell_text(pass_test(r.expected), keep=keep)) or "—"
            if r.status is not Status.NOT_APPLICABLE
            else one_line(prose(r.finding))
        ),
    )


def _by_domain_then_id(a: Assessment) -> dict[Domain, int]:
    return {d: i for i, d in enumerate(DECISION_DOMAINS[a.checkpoint])}


# ---------------------------------------------------------------------------------------------- conditions


def condition_row(item: PlanItem, a: Assessment) -> ConditionRow:
    """A plan item with its test of done: the check's own pass condition (from the record) and the later check
    that re-tests it; an escalation's measure as the engine wrote it."""
    keep = _keep(a)
    result = next((r for r in a.results if r.check_id == item.check_id), None)
    if item.kind == "escalation":
        test = prose(item.measure or item.evidence_required, keep=keep)
        title = f"Escalation of the {_escalated_label(item, a)} domain"
    else:
        title = cell_text(result.name, keep=keep) if result is not None else item.check_id
        standard = pass_test(result.expected) if result is not None and result.expected else ""
        later = RETESTED_BY.get(item.check_id, ())
        nxt = int(a.checkpoint) + 1
        if standard:
            test = f"{item.check_id} standard met: {standard}"
            if later and nxt <= 3:
                test += f"; re-tested at checkpoint {nxt} by {list_phrase(list(later))}"
        else:
            test = prose(item.measure or item.evidence_required, keep=keep)
        test = cell_text(test, keep=keep)
    return ConditionRow(
        item_id=one_line(item.item_id),
        check_id=one_line(item.check_id),
        title=one_line(title),
        action=safe_text(prose(item.action, keep=keep)),
        owner=one_line(cell_text(item.owner, keep=keep)),
        due=long_date(item.due),
        test=safe_text(test),
        binding=item.binding,
        severity=item.severity.value,
        evidence_required=safe_text(prose(item.evidence_required, keep=keep)),
    )


def _escalated_label(item: PlanItem, a: Assessment) -> str:
    key = item.item_id.split("@")[0].removeprefix("ESCALATION-")
    try:
        return domain_label(Domain(key), a.checkpoint).lower()
    except ValueError:
        return key


def _plan_items(a: Assessment) -> list[PlanItem]:
    """The plan as a reader wants it: escalations first, then binding items by severity, then advice."""
    return sorted(
        a.development_plan,
        key=lambda p: (p.kind != "escalation", not p.binding, -p.severity.rank, p.due, p.check_id),
    )


# ------------------------------------------------------------------------------------------- decision page


def _ids(results: Sequence[CheckResult]) -> str:
    shown = [r.check_id for r in results[:REASON_CHECKS]]
    more = len(results) - len(shown)
    return list_phrase([*shown, f"{more} more" if more else ""])


def _deciding(a: Assessment, domain: Domain) -> list[CheckResult]:
    """The failures that set a domain's status: critical for a failed domain; high (or the medium ones that
    together made it marginal) for a marginal one."""
    status = a.domains.get(domain, DomainStatus.PASS)
    failed = sorted(
        (r for r in a.results if r.domain is domain and r.failed),
        key=lambda r: (-r.severity.rank, r.check_id),
    )
    if status is DomainStatus.FAIL:
        return [r for r in failed if r.severity is Severity.CRITICAL]
    if status is DomainStatus.MARGINAL:
        high = [r for r in failed if r.severity is Severity.HIGH]
        return high or [r for r in failed if r.severity is Severity.MEDIUM]
    return []


def _result_phrase(r: CheckResult, keep: Sequence[str], detail: bool = True) -> str:
    """ "CP2-CUS-02 (CCGs interviewed have low confidence in the CSU offer: 1.86 against mean ≥ 3.0…)"."""
    name = cell_text(r.name, keep=keep)
    first = name.split(" ", 1)[0]
    if not (len(first) > 1 and first[:2].isupper()):  # "CCGs' survey…" and "SLA terms…" keep their capitals
        name = name[:1].lower() + name[1:]
    if r.status is Status.NOT_EVIDENCED:
        return f"{r.check_id} ({name}: insufficient evidence)"
    found = cell_text(r.actual or "", keep=keep)
    test = cell_text(pass_test(r.expected), keep=keep)
    said = f": {found}, where the standard is {test}" if detail and found and test else ""
    return f"{r.check_id} ({name}{said})"


def _check_tally(a: Assessment) -> str:
    """ "Of the 18 checks, 17 passed and 1 gave advice (CP3-CUS-02)." — what every check concluded, with the ids
    of the issues that did not set a domain's status (those are named in the sentences before)."""
    ran = [r for r in a.results if r.status is not Status.NOT_APPLICABLE]
    if not a.results:
        return ""
    passed = sum(1 for r in ran if not r.failed)
    medium = [r.check_id for r in ran if r.failed and r.severity is Severity.MEDIUM]
    serious = [r.check_id for r in ran if r.failed and r.severity.rank >= Severity.HIGH.rank]
    low = [r.check_id for r in ran if r.failed and r.severity is Severity.LOW]
    skipped = len(a.results) - len(ran)
    if passed == len(a.results):
        return f"All {count(passed, 'check')} passed."
    parts = [f"{passed} passed" if passed != len(ran) else f"all {len(ran)} that applied passed"]
    if serious:
        parts.append(f"{len(serious)} found {plural(len(serious), 'a serious issue', 'serious issues')}")
    if medium:
        parts.append(
            f"{len(medium)} found {plural(len(medium), 'a medium issue', 'medium issues')} ({', '.join(medium)})"
        )
    if low:
        parts.append(f"{len(low)} gave advice ({', '.join(low)})")
    if skipped:
        parts.append(f"{skipped} did not apply")
    return f"Of the {count(len(a.results), 'check')}, {list_phrase(parts)}."


def _domain_rows(a: Assessment) -> tuple[DomainRow, ...]:
    rows = []
    for domain in DECISION_DOMAINS[a.checkpoint]:
        status = a.domains.get(domain)
        if status is None:
            continue
        deciding = _deciding(a, domain)
        medium = [r for r in a.results if r.domain is domain and r.failed and r.severity is Severity.MEDIUM]
        if deciding:
            text = ", ".join(r.check_id for r in deciding)
        elif medium:
            text = f"{count(len(medium), 'plan item')}: {', '.join(r.check_id for r in medium)}"
        else:
            text = "—"
        label = DOMAIN_STATUS_LABELS[status]
        if status is DomainStatus.MARGINAL:
            label = "Marginal"
        rows.append(DomainRow(domain_label(domain, a.checkpoint), status.rag, label, one_line(text)))
    return tuple(rows)


def _named(domains: Sequence[Domain], a: Assessment) -> str:
    return list_phrase([domain_label(d, a.checkpoint).lower() for d in domains])


def _reasons(a: Assessment, ctx: ReportContext) -> tuple[str, ...]:
    """Two to five sentences: the decision and the rule that gave it, the checks behind each failed or marginal
    domain, and what passed."""
    keep = _keep(a)
    name = one_line(a.csu_name)
    cp = int(a.checkpoint)
    failed = [d for d in DECISION_DOMAINS[a.checkpoint] if a.domains.get(d) is DomainStatus.FAIL]
    marginal = [d for d in DECISION_DOMAINS[a.checkpoint] if a.domains.get(d) is DomainStatus.MARGINAL]
    passed = [d for d in DECISION_DOMAINS[a.checkpoint] if a.domains.get(d) is DomainStatus.PASS]
    conditions = [p for p in a.development_plan if p.binding]
    advice = [p for p in a.development_plan if not p.binding]
    out: list[str] = []
    if a.disposition is Disposition.NOT_SUBMITTED:
        return (
            f"No submission from {name} reached the BDU by the checkpoint {cp} deadline, so the checkpoint is "
            f"recorded as failed and {name} does not proceed.",
            f"Every check of checkpoint {cp} is recorded as failed or lacking evidence; none judged a "
            "submitted figure.",
        )
    if a.disposition is Disposition.INVALID_SUBMISSION:
        problems = sum(len(r.evidence) for r in a.results if r.evidence)
        return (
            f"A submission from {name} arrived but could not be read: "
            f"{count(problems, 'problem')} in its files, listed on page 2. No valid submission reached the "
            f"BDU by the checkpoint {cp} deadline, so the checkpoint is recorded as failed and {name} does not "
            "proceed.",
            "Correcting the files does not change this record: a corrected submission is a new assessment.",
        )
    plan_agreed = not any(
        r.check_id == "CP2-GOV-01" and r.failed and r.severity is Severity.CRITICAL for r in a.results
    )
    o = a.outcome
    if o is Outcome.PROCEED:
        out.append(
            f"No domain failed at checkpoint 1, so {name} proceeds to checkpoint 2"
            + (f", with {count(len(advice), 'piece')} of advice to act on first" if advice else "")
            + "."
        )
    elif o is Outcome.PROCEED_CONSOLIDATE:
        out.append(
            f"The {_named(failed, a)} {plural(len(failed), 'domain')} failed at checkpoint 1, so {name} may "
            "proceed to checkpoint 2 but is advised to consolidate: to merge or collaborate with a neighbouring "
            "CSU."
        )
    elif o is Outcome.A:
        out.append(
            f"Every domain passed, so {name} proceeds to checkpoint 3 (A)"
            + (
                f", with {count(len(conditions), 'binding development-plan item')} to meet by then"
                if conditions
                else ""
            )
            + "."
        )
    elif o is Outcome.B and a.escalation is not None:
        due = next((p.due for p in a.development_plan if p.kind == "escalation"), None)
        out.append(
            f"Exactly one domain, {domain_label(a.escalation, a.checkpoint).lower()}, failed, so {name} proceeds "
            f"to checkpoint 3 (B) only with that domain escalated to a leadership intervention or a merger"
            + (f", to be resolved by {long_date(due)}" if due else "")
            + "."
        )
    elif o is Outcome.B:
        out.append(
            f"The {_named(marginal, a)} {plural(len(marginal), 'domain')} passed only marginally, so {name} "
            "proceeds to checkpoint 3 (B) with issues that need rapid management."
        )
    elif o is Outcome.C:
        if not plan_agreed:
            out.append(f"No development plan was agreed (CP2-GOV-01), so {name} stops at checkpoint 2 (C).")
        else:
            out.append(
                f"{cap(number_word(len(failed)))} domains failed ({_named(failed, a)}), so {name} stops at "
                "checkpoint 2 (C): it does not go on to checkpoint 3."
            )
    elif o is Outcome.RECOMMEND:
        out.append(
            f"Every test passed, so the BDU recommends that the NHS Commissioning Board host {name} from April "
            "2013"
            + (
                f", with {count(len(conditions), 'binding obligation')} from its medium issues"
                if conditions
                else ""
            )
            + "."
        )
    elif o is Outcome.RECOMMEND_WITH_CONDITIONS:
        out.append(
            f"The {_named(marginal, a)} {plural(len(marginal), 'test')} passed only marginally, so hosting is "
            f"recommended with conditions: a provisional licence with "
            f"{count(len(conditions), 'binding obligation')}."
        )
    elif o is Outcome.NOT_RECOMMENDED:
        out.append(
            f"The {_named(failed, a)} {plural(len(failed), 'test')} failed, so {name} is not recommended for "
            "hosting by the NHS Commissioning Board."
        )
    for domain in sorted(
        failed + marginal,
        key=lambda d: (_STATUS_ORDER[a.domains[d]], list(DECISION_DOMAINS[a.checkpoint]).index(d)),
    ):
        deciding = _deciding(a, domain)
        if not deciding:
            continue
        status = "failed" if a.domains[domain] is DomainStatus.FAIL else "passed only marginally"
        shown = [_result_phrase(r, keep, detail=len(deciding) == 1) for r in deciding[:REASON_CHECKS]]
        more = len(deciding) - len(shown)
        out.append(
            f"{domain_label(domain, a.checkpoint)} {status} on "
            + list_phrase([*shown, f"{more} more" if more else ""])
            + "."
        )
    if passed and (failed or marginal):
        out.append(f"{_named(passed, a).capitalize()} passed.")
    tally = _check_tally(a)
    if tally and (len(out) < 3 or not (failed or marginal)):
        if failed or marginal:
            out.append(tally)
        else:
            out.insert(1, tally)
    set_aside = sum(1 for i in a.data_quality if i.set_aside)
    if a.data_quality and len(out) < 5:
        out.append(
            f"{spelled(len(a.data_quality), 'submitted figure')} {verb(len(a.data_quality), 'was')} "
            "implausible"
            + (
                f" and set aside, so the checks that needed {'it' if len(a.data_quality) == 1 else 'them'} lack "
                "evidence"
                if set_aside
                else ""
            )
            + "; the assessor must resolve each with the CSU (see Data quality)."
        )
    return tuple(safe_text(s) for s in out[:5])


def _next_steps(a: Assessment, ctx: ReportContext) -> tuple[tuple[str, ...], str | None]:
    name = one_line(a.csu_name)
    cp = int(a.checkpoint)
    due = min((p.due for p in a.development_plan if p.kind == "finding"), default=None)
    deadline = ctx.next_deadline or due
    by = f", due {long_date(deadline)}" if deadline else ""
    steps: list[str] = []
    appeal = None
    o = a.outcome
    if o in (Outcome.PROCEED, Outcome.PROCEED_CONSOLIDATE):
        steps.append(f"{name} submits its final outline business plan for checkpoint 2{by}.")
        if a.development_plan:
            steps.append(
                "It answers each piece of advice above in that plan's development plan (CP2-GOV-02 checks it); "
                "advice from checkpoint 1 is not binding."
            )
        if o is Outcome.PROCEED_CONSOLIDATE:
            steps.append(
                "It agrees with the SHA cluster and its neighbouring CSUs how it will consolidate, and shows the "
                "agreed route in that plan."
            )
    elif o in (Outcome.A, Outcome.B):
        steps.append(
            f"{name} submits its full business plan for checkpoint 3{by}, reporting on every condition."
        )
        steps.append(
            "Each condition binds: a missed one is a critical failure at checkpoint 3 (CP3-DEL-01), and any "
            "breach of the development plan means the CSU fails."
        )
        if a.escalation is not None:
            steps.append(
                "The SHA cluster and the BDU, with the CSU chair, agree the intervention or merger the escalation "
                "needs; checkpoint 3 re-examines it (CP3-DEL-05)."
            )
    elif o in (Outcome.RECOMMEND, Outcome.RECOMMEND_WITH_CONDITIONS):
        steps.append(
            "The BDU puts this recommendation to the NHS Commissioning Board for the hosting decision in "
            "October 2012."
        )
        if any(p.binding for p in a.development_plan):
            steps.append(
                "The binding obligations below go with the licence: the Board, as host from April 2013, checks "
                "each against its test of done by its date."
            )
    else:
        fate = (
            f"{name} will not be hosted by the NHS Commissioning Board."
            if a.checkpoint is Checkpoint.FULL_BUSINESS_PLAN
            else f"{name} does not go on to checkpoint {cp + 1}."
        )
        steps.append(
            f"{fate} The SHA cluster, the NHS Commissioning Board and the CCGs concerned agree how those CCGs "
            "will receive commissioning support from April 2013: for example from a neighbouring CSU, or by "
            "merger with one."
        )
        if a.disposition is Disposition.NOT_SUBMITTED and cp < 3:
            steps.append("A submission received after the deadline is not assessed for this checkpoint.")
        appeal = (
            f"If {name} believes this decision rests on a factual error, its accountable officer may ask "
            "the BDU in writing, within 10 working days of the date of issue, to review it, setting out the "
            "evidence. A BDU assessor who took no part in this assessment reviews the request with the SHA "
            "cluster and replies within 10 working days; a review re-assesses the corrected evidence and records "
            "both results."
        )
    return tuple(safe_text(s) for s in steps), appeal and safe_text(appeal)


def _amendment_text(a: Assessment) -> str:
    """An amended record (re-assessed once its waivers expired) says so where the moderation record is read."""
    m = a.amendment
    if m is None:
        return ""
    return (
        f" This is an amended report: {one_line(a.csu_name)} was re-assessed on {long_date(m.on)} from the same "
        f"submission. {one_line(m.reason)} It replaces assessment {one_line(m.replaces)}."
    )


def _moderation_text(a: Assessment) -> str:
    m = a.moderation
    adjusted = sum(1 for r in a.results if r.adjustment is not None)
    adjusted_text = (
        f" {spelled(adjusted, 'check result')} {verb(adjusted, 'was')} adjusted by "
        "the assessor (see Overrides and waivers)."
        if adjusted
        else ""
    ) + _amendment_text(a)
    if m.status is ModerationStatus.MODERATED:
        who = f" by {one_line(m.assessor)}" if m.assessor else ""
        on = f" on {long_date(m.moderated_on)}" if m.moderated_on else ""
        note = f" Note: {one_line(m.note)}" if m.note else ""
        return safe_text(f"Moderated{who}{on}.{note}{adjusted_text}")
    if m.status is ModerationStatus.DRAFT:
        return safe_text("Draft: awaiting moderation by a BDU assessor; not for issue." + adjusted_text)
    return safe_text(
        "Not moderated: issued from an unattended run, so the decision stands as the rules gave it; a BDU "
        "assessor may still moderate it." + adjusted_text
    )


def _issued_on(a: Assessment) -> dt.date:
    m = a.moderation
    return m.moderated_on if m.status is ModerationStatus.MODERATED and m.moderated_on else a.provenance.as_of


def _firmness(a: Assessment) -> str | None:
    """ "How firm is this decision", from the record's own firmness (assessed submissions only: a decision on
    nothing submitted hangs on no line)."""
    note = firmness_note(a.firmness) if a.disposition is Disposition.ASSESSED else None
    return safe_text(note) if note else None


def _decision_page(a: Assessment, ctx: ReportContext) -> DecisionPage:
    keep = _keep(a)
    m = a.moderation
    items = _plan_items(a)
    binding = [p for p in items if p.binding]
    advice = [p for p in items if not p.binding]
    if not a.outcome.proceeds:
        shown: list[PlanItem] = []
        title, note = "", ""
    elif a.checkpoint is Checkpoint.OUTLINE_PLAN:
        shown, title = advice, "Advice to act on by checkpoint 2"
        note = "" if advice else "No advice: every check passed."
    elif a.checkpoint is Checkpoint.FULL_BUSINESS_PLAN:
        shown, title = binding, "Binding obligations"
        note = "" if binding else "No binding obligations: no medium or more serious issue was found."
    else:
        shown, title = binding, "Conditions"
        note = "" if binding else "No conditions: no medium or more serious issue was found."
    advice_after = len(advice) if a.checkpoint is not Checkpoint.OUTLINE_PLAN and a.outcome.proceeds else 0
    if advice_after:
        note = (note + " " if note else "") + (
            f"{spelled(advice_after, 'further item')} of advice {verb(advice_after, 'is')} in the "
            "development plan."
        )
    steps, appeal = _next_steps(a, ctx)
    version = f"{ctx.version} ({'draft' if m.status is ModerationStatus.DRAFT else 'issued'})"
    moderator = (
        one_line(m.assessor) if m.status is ModerationStatus.MODERATED and m.assessor else "Not moderated"
    )
    return DecisionPage(
        decision=a.outcome.label
        + (
            f", with {domain_label(a.escalation, a.checkpoint).lower()} escalated"
            if a.escalation is not None
            else ""
        ),
        banner=OUTCOME_RAG[a.outcome],
        reasons=_reasons(a, ctx),
        domains=_domain_rows(a) if a.disposition is Disposition.ASSESSED else (),
        conditions_title=title,
        conditions=tuple(condition_row(p, a) for p in shown[:PAGE_ONE_CONDITIONS]),
        conditions_more=max(0, len(shown) - PAGE_ONE_CONDITIONS),
        conditions_note=safe_text(note),
        next_steps=steps,
        appeal=appeal,
        moderation=_moderation_text(a),
        signoff=(
            SignOffRow(
                "Assessor",
                one_line(cell_text(a.provenance.assessor, keep=keep)),
                long_date(a.provenance.as_of),
            ),
            SignOffRow(
                "Moderator",
                moderator,
                long_date(m.moderated_on)
                if m.status is ModerationStatus.MODERATED and m.moderated_on
                else "",
            ),
        ),
        issue=(
            Row("Date of issue", long_date(_issued_on(a))),
            Row("Version", version),
            Row("Reference", one_line(a.assessment_id)),
            Row("Distribution", DISTRIBUTION),
        ),
        firmness=_firmness(a),
    )


# ------------------------------------------------------------------------------------ since the last one


_ITEM_RAG = {
    ItemState.MET: Rag.GREEN,
    ItemState.FOLLOWED_UP: Rag.GREEN,
    ItemState.MISSED: Rag.RED,
    ItemState.NOT_FOLLOWED_UP: Rag.AMBER,
    ItemState.NOT_EVIDENCED: Rag.RED,
    ItemState.NOT_DUE: Rag.AMBER,
    ItemState.ADVICE: Rag.GREEN,
}
_ESCALATION_RAG = {
    EscalationState.RESOLVED: Rag.GREEN,
    EscalationState.UNRESOLVED: Rag.RED,
    EscalationState.NOT_EVIDENCED: Rag.RED,
    EscalationState.NOT_YET_EXAMINED: Rag.AMBER,
}
_MOVEMENT_WORDS = {
    Direction.BETTER: "improved",
    Direction.WORSE: "worse",
    Direction.SAME: "unchanged",
    Direction.NEW: "first judged",
    Direction.UNJUDGED: "not judged: nothing readable submitted",
}


def _change_rows(changes: Sequence[Change], keep: Sequence[str]) -> tuple[ChangeRow, ...]:
    return tuple(
        ChangeRow(
            check_id=one_line(c.check_id),
            name=one_line(cell_text(c.name, keep=keep)),
            then=one_line(", ".join(c.follows)) or "—",
            evidence=safe_text(cell_text(c.evidence, keep=keep)),
        )
        for c in changes
    )


def since_view(m: Movement, a: Assessment) -> SinceView:
    """The "Since the last checkpoint" section from the comparison of the previous record with this one."""
    keep = _keep(a)
    then = int(m.before_checkpoint)
    before = m.before_outcome.label + (
        f", with {domain_label(m.before_escalation, m.before_checkpoint).lower()} escalated"
        if m.before_escalation
        else ""
    )
    summary = [
        f"At checkpoint {then} (assessed {long_date(m.before_as_of)}) the decision was “{before}”; at "
        f"checkpoint {int(m.after_checkpoint)} it is “{m.after_outcome.label}”."
    ]
    binding = [p for p in m.plan if p.binding]
    met = [p for p in binding if p.state is ItemState.MET]
    missed = [p for p in binding if p.state is ItemState.MISSED]
    unevidenced = [p for p in binding if p.state is ItemState.NOT_EVIDENCED]
    if not m.assessed_after:
        reason = (
            "the submission could not be read"
            if m.after_disposition is Disposition.INVALID_SUBMISSION
            else "nothing was submitted"
        )
        text = f"Because {reason}, nothing from checkpoint {then} can be shown resolved"
        if binding:
            text += (
                f", and none of the {count(len(binding), 'binding development-plan item')} can be shown met: "
                + ", ".join(p.item_id for p in binding)
            )
        summary.append(text + ".")
        return SinceView(
            title=f"Since checkpoint {then}",
            summary=tuple(safe_text(s) for s in summary),
            escalations=tuple(_escalation_row(e, a) for e in m.escalations),
            compact=True,
        )
    parts = []
    if binding:
        parts.append(f"{len(met)} of {count(len(binding), 'binding plan item')} met")
        if missed:
            parts.append(f"{len(missed)} missed")
        if unevidenced:
            parts.append(f"{len(unevidenced)} not evidenced")
    parts.append(f"{count(len(m.resolved), 'earlier failure')} resolved")
    parts.append(f"{count(len(m.still_failing), 'failure', zero='no')} still failing")
    parts.append(f"{count(len(m.new), 'new failure')}")
    summary.append(sentence("Since then: " + list_phrase(parts)))
    for e in m.escalations:
        label = domain_label(e.domain, m.before_checkpoint).lower()
        summary.append(f"The {label} escalation is {e.state.value}.")
    moves = tuple(
        MoveRow(
            domain=domain_label(d.domain, m.after_checkpoint),
            then=DOMAIN_STATUS_LABELS[d.before] if d.before else "not judged",
            now=DOMAIN_STATUS_LABELS[d.after] if d.after else "not judged",
            movement=_MOVEMENT_WORDS[d.direction],
            rag=d.after.rag if d.after else None,
        )
        for d in m.domains
    )
    return SinceView(
        title=f"Since checkpoint {then}",
        summary=tuple(safe_text(tidy(s)) for s in summary),
        domains=moves,
        plan=tuple(_progress_row(p, keep) for p in m.plan),
        escalations=tuple(_escalation_row(e, a) for e in m.escalations),
        resolved=_change_rows(m.resolved, keep),
        still_failing=_change_rows(m.still_failing, keep),
        new=_change_rows(m.new, keep),
        not_retested=_change_rows(m.not_retested, keep),
    )


def _progress_row(p: PlanProgress, keep: Sequence[str]) -> ProgressRow:
    return ProgressRow(
        item_id=one_line(p.item_id),
        action=safe_text(prose(p.action, keep=keep)),
        owner=one_line(cell_text(p.owner, keep=keep)),
        due=long_date(p.due),
        test=safe_text(cell_text(p.measure, keep=keep)),
        state=(
            "Reported met; re-test fails"
            if p.retest_fails
            else p.state.value.capitalize() + ("" if p.binding else " (advice)")
        ),
        rag=Rag.AMBER if p.retest_fails else _ITEM_RAG[p.state],
        evidence=safe_text(cell_text(p.evidence, keep=keep)),
    )


def _escalation_row(e: EscalationProgress, a: Assessment) -> ProgressRow:
    now = e.domain_now
    return ProgressRow(
        item_id=one_line(e.item_id),
        action=f"Resolve the failed {domain_label(e.domain, Checkpoint.VIABILITY).lower()} domain by a "
        "leadership intervention or a merger",
        owner="SHA cluster and BDU, with the CSU chair",
        due=long_date(e.due),
        test=f"{domain_label(e.domain, a.checkpoint)} now: {DOMAIN_STATUS_LABELS[now] if now else 'not judged'}",
        state=e.state.value.capitalize(),
        rag=_ESCALATION_RAG[e.state],
        evidence=safe_text(prose(e.evidence, keep=_keep(a))),
    )


# ------------------------------------------------------------------------------------------------ the rest


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
            dates.append(f"applies until {long_date(adj.expires)} (its last day)")
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


def _provenance(a: Assessment) -> ProvenanceView:
    p = a.provenance
    rows = (
        Row("Assessment id", one_line(a.assessment_id)),
        Row("Rule set", one_line(f"{p.ruleset_name} {p.ruleset_version}")),
        Row("Rule-set SHA-256", one_line(p.ruleset_sha256)),
        Row("Engine version", one_line(p.engine_version)),
        Row("As of", long_date(p.as_of)),
        Row("Assessor", one_line(p.assessor)),
        Row("Flow run id", one_line(p.flow_run_id) if p.flow_run_id else "— (run outside a flow)"),
        Row("Record schema version", str(a.schema_version)),
    )
    inputs = tuple((one_line(i.path), i.sha256) for i in sorted(p.inputs, key=lambda i: i.path))
    return ProvenanceView(inputs=inputs, rows=rows)


def _problems(a: Assessment) -> EvidenceTable | None:
    rows: list[EvidenceRow] = []
    seen: set[tuple[str, ...]] = set()
    for r in a.results:
        for row in r.evidence:
            key = tuple(row.values())
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return _evidence(tuple(rows), PROBLEM_ROW_CAP) if rows else None


def _plan_intro(a: Assessment) -> str:
    if not a.outcome.proceeds:
        return (
            f"{one_line(a.csu_name)} does not proceed, so no development plan is issued; the findings above are "
            "the reasons for the decision."
        )
    if a.checkpoint is Checkpoint.OUTLINE_PLAN:
        return (
            "Every issue found at checkpoint 1 is advice to act on by checkpoint 2: nothing binding came out of "
            "checkpoint 1. Each has an owner, a date and a test of done."
        )
    return (
        "Every issue found becomes a development-plan item with an owner, a due date and a test of done. Items "
        "of medium severity or worse bind: each is checked at the next checkpoint, and a missed one is a "
        "critical failure there. Low items are advice."
    )


def _not_judged(a: Assessment) -> str:
    cp = int(a.checkpoint)
    due = next((r.expected for r in a.results if r.group.value == "evidence" and r.expected), "")
    due_text = f" ({cell_text(due)})" if due else ""
    return (
        f"Checkpoint {cp} asked for {EXPECTED_SUBMISSION[a.checkpoint]}{due_text}. All "
        f"{count(len(a.results), 'check')} of checkpoint {cp} are recorded as failed or lacking evidence: none "
        "could judge a submitted figure, so they are not listed one by one."
    )


def report_view(a: Assessment, context: ReportContext | None = None) -> ReportView:
    ctx = context or ReportContext()
    keep = _keep(a)
    order = _by_domain_then_id(a)
    short = a.disposition in (Disposition.NOT_SUBMITTED, Disposition.INVALID_SUBMISSION)
    results = sorted(a.results, key=lambda r: (order.get(r.domain, 9), r.check_id))
    failing = sorted(
        (r for r in results if r.failed and r.severity is not Severity.LOW),
        key=lambda r: (-r.severity.rank, _RAG_ORDER[r.rag], order.get(r.domain, 9), r.check_id),
    )
    advice = [r for r in results if r.failed and r.severity is Severity.LOW]
    passing = [r for r in results if not r.failed]
    since = None
    if (
        ctx.previous is not None
        and ctx.previous.checkpoint < a.checkpoint
        and ctx.previous.csu_id == a.csu_id
    ):
        since = since_view(compare(ctx.previous, a), a)
    elif a.checkpoint > Checkpoint.OUTLINE_PLAN:
        since = SinceView(
            title=f"Since checkpoint {int(a.checkpoint) - 1}",
            summary=(
                f"The register holds no assessment of {one_line(a.csu_name)} at checkpoint "
                f"{int(a.checkpoint) - 1}, so there is nothing to compare with.",
            ),
            compact=True,
        )
    cited = [c for r in a.results if r.source for c in citations(r.source)]
    return ReportView(
        title=one_line(f"{a.csu_name}: {a.checkpoint.title}"),
        csu_name=one_line(a.csu_name),
        csu_id=one_line(a.csu_id),
        checkpoint=a.checkpoint,
        checkpoint_title=a.checkpoint.title,
        decision_label=a.outcome.label,
        short=short,
        invalid=a.disposition is Disposition.INVALID_SUBMISSION,
        page=_decision_page(a, ctx),
        since=since,
        findings=() if short else tuple(finding_view(r, a.checkpoint, keep) for r in failing),
        advice=() if short else tuple(_check_row(r, a.checkpoint, keep) for r in advice),
        passing=() if short else tuple(_check_row(r, a.checkpoint, keep) for r in passing),
        plan=tuple(condition_row(p, a) for p in _plan_items(a)),
        plan_intro=safe_text(_plan_intro(a)),
        adjustments=_adjustment_rows(a),
        provenance=_provenance(a),
        sources=tuple(dict.fromkeys(cited)),
        term_note=CSU_TERM_NOTE,
        assessor=one_line(a.provenance.assessor),
        as_of=a.provenance.as_of,
        marking=one_line(ctx.marking),
        data_quality=tuple(_data_issue_row(i) for i in a.data_quality),
        problems=_problems(a) if a.disposition is Disposition.INVALID_SUBMISSION else None,
        not_judged=_not_judged(a) if short else "",
        has_figures=a.figures is not None,
    )


__all__ = [
    "OUTCOME_RAG",
    "STATUS_LABELS",
    "ReportContext",
    "ReportView",
    "condition_row",
    "finding_view",
    "long_date",
    "pass_test",
    "report_view",
    "since_view",
]
