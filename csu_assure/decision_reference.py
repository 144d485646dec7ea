"""The decision-model reference (`docs/decision-model.md`): the model, its sources and worked examples, generated
from the code that decides (domains, severities, the rule set's thresholds, the catalogue) and from real
assessments, so the page cannot drift from what the engine does. A test regenerates it and fails when stale."""

from __future__ import annotations

from collections.abc import Sequence

from csu_assure.calendar import Calendar
from csu_assure.catalogue import Catalogue
from csu_assure.domain import DECISION_DOMAINS, Checkpoint, Outcome, Severity
from csu_assure.results import Assessment
from csu_assure.ruleset import RuleSet

REGENERATE = "make docs"

_SEVERITY_ROWS = (
    (Severity.CRITICAL, "fails its domain", "binding (if the CSS proceeds)", "[S] wording of the C group"),
    (
        Severity.HIGH,
        "makes its domain marginal",
        "binding",
        '[S] B: "issues that need more rapid management"',
    ),
    (
        Severity.MEDIUM,
        "none on its own; {n} in one domain make it marginal",
        "binding from checkpoint 2",
        '[S] A: "medium to low issues as part of development plan"; the count [A]',
    ),
    (Severity.LOW, "none", "advice", "[S] as medium; advice only [A]"),
)


def _domain_list(checkpoint: Checkpoint) -> str:
    labels = [d.label(checkpoint).lower() for d in DECISION_DOMAINS[checkpoint]]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _model(ruleset: RuleSet) -> list[str]:
    n = ruleset.decision.medium_issues_for_marginal
    return [
        "## The model in one page",
        "",
        "Every check belongs to one **decision domain** of its checkpoint: "
        f"{_domain_list(Checkpoint.VIABILITY)} at checkpoints 1 and 2 [S checkpoint 2, A checkpoint 1]; "
        f"{_domain_list(Checkpoint.FULL_BUSINESS_PLAN)} at checkpoint 3 [S]. Checks are also grouped for "
        "reading (evidence, scale, offer, governance, partnership…: the three letters of their id), but a group "
        "is not a domain: scale and price checks count towards the business plan.",
        "",
        "A check gives PASS, FAIL, NOT_EVIDENCED (the data it needs is missing or implausible: a failure of the "
        "check's severity, labelled insufficient evidence) or NOT_APPLICABLE. A failure has a **severity**:",
        "",
        "| severity | what it does to its domain | in the development plan | source |",
        "|---|---|---|---|",
        *(
            f"| {s.value} | {effect.format(n=n)} | {plan} | {src} |"
            for s, effect, plan, src in _SEVERITY_ROWS
        ),
        "",
        "A **domain** therefore *fails* on any critical issue; it *passes only marginally* on any high issue, or "
        f"on {n} or more medium issues together (rule set `decision.medium_issues_for_marginal`: one or two medium "
        "issues are routine plan items of an A CSS, several in the same domain mean that part of the plan needs "
        "rapid management [A]); otherwise it *passes*.",
        "",
        "Then the **outcome**:",
        "",
        "| checkpoint | rule, in order | outcome | source |",
        "|---|---|---|---|",
        "| 1 outline plan | a domain failed | proceed, but consolidate (merge or collaborate) | [A] |",
        "| 1 outline plan | otherwise | proceed | [A] |",
        "| 2 viability | no agreed development plan | C — stop | [S] |",
        "| 2 viability | two or three domains failed | C — stop | [S] |",
        "| 2 viability | one domain failed | B, with that domain escalated | [S] B group; escalation [A] |",
        "| 2 viability | a domain passed only marginally | B — issues need rapid management | [S] |",
        "| 2 viability | otherwise (medium and low issues go into the plan) | A — proceed | [S] |",
        "| 3 full business plan | a test failed | not recommended | [A] |",
        "| 3 full business plan | a test passed only marginally | recommend hosting with conditions | [A] |",
        "| 3 full business plan | otherwise (medium issues still bind) | recommend hosting | [A] |",
        "| any | nothing submitted by the deadline, or only unreadable files | fail — not submitted | [S] |",
        "",
        'Published for checkpoint 2 [S]: 26 CSSs submitted, 14 A, 9 B, 3 C; "those stopped had failed two or '
        "three [domains]; the B group passed one or two only marginally; the A group made good progress in all "
        'three".',
        "",
    ]


def _context(ruleset: RuleSet, calendar: Calendar, catalogue: Catalogue) -> list[str]:
    remedied = sorted((c for c in catalogue if c.remedy), key=lambda c: c.id)
    escalation_due = calendar.milestones.get("escalation_resolved_by")
    due_text = (
        f"{escalation_due.day} {escalation_due:%B %Y} (the calendar's `escalation_resolved_by`)"
        if escalation_due
        else f"{ruleset.development_plan.escalation_due_days} days after the assessment"
    )
    return [
        "## Context changes severity: remedies",
        "",
        "A fact that would weigh high on its own weighs one step less when the submission shows an agreed remedy "
        "[A, from the brief]: a shortfall in scale with a merger or collaboration route agreed or completed; a "
        "leadership gap with an appointment made or an acting leader in post. The check names the remedy on its "
        "result and the engine lowers the failure one step (critical → high → medium → low). The checks that read "
        "a remedy:",
        "",
        *(f"- {c.id} ({c.name}): {c.remedy}." for c in remedied),
        "",
        "## The development plan",
        "",
        "Every issue of a CSS that proceeds becomes a plan item with an owner (the managing director, else the "
        "CSS lead), a due date (the next checkpoint's deadline; "
        f"{ruleset.development_plan.default_due_days} days after the assessment at the last) and a **measurable "
        "test of done**: the check's own pass condition, on the evidence it names. From checkpoint 2 on, items "
        'of medium severity or worse are **binding**: checkpoint 3 checks each was met (CP3-DEL-01), and "any '
        'breach of a business development plan means that a CSS fails" [S]. Low items, and every item from '
        "checkpoint 1, are advice: nothing binding came out of checkpoint 1 [A], and checkpoint 2 asks only that "
        "the advice was followed up (CP2-GOV-02, low).",
        "",
        "A checkpoint 2 **escalation** (B with one failed domain) is a binding item of its own: a leadership "
        "intervention or a merger that resolves the failed domain, owned by "
        f'"{ruleset.development_plan.escalation_owner}", due {due_text} [A: leaders were to be appointed by the '
        "end of June 2012, S], re-examined at checkpoint 3.",
        "",
    ]


def _checks(catalogue: Catalogue, ruleset: RuleSet) -> list[str]:
    lines = ["## Decision domains and their checks", ""]
    for checkpoint in Checkpoint:
        lines += [f"### {checkpoint.title}", ""]
        for domain in DECISION_DOMAINS[checkpoint]:
            items = [c for c in catalogue.for_checkpoint(checkpoint) if c.domain is domain]
            if not items:
                continue
            lines += [
                f"**{domain.label(checkpoint)}**",
                "",
                "| check | group | severity | problem it finds |",
                "|---|---|---|---|",
                *(
                    f"| [{c.id}](rules.md#{c.id.lower()}) | {c.group.value} | {ruleset.severity[c.id].value} "
                    f"| {c.name} |"
                    for c in items
                ),
                "",
            ]
    return lines


def _example_key(a: Assessment) -> tuple[int, str, bool]:
    return int(a.checkpoint), a.outcome.value, a.escalation is not None


def worked_examples(records: Sequence[Assessment], limit: int = 10) -> list[Assessment]:
    """One record for each (checkpoint, outcome, escalation) reached, in checkpoint and outcome order."""
    order = {o: i for i, o in enumerate(Outcome)}
    chosen: dict[tuple[int, str, bool], Assessment] = {}
    for a in sorted(records, key=lambda r: (int(r.checkpoint), order[r.outcome], r.csu_id)):
        chosen.setdefault(_example_key(a), a)
    return list(chosen.values())[:limit]


def _example(a: Assessment) -> list[str]:
    title = f"### {a.csu_name}: {a.checkpoint.title} → {a.outcome.label}"
    lines = [title, ""]
    if a.outcome is Outcome.NOT_SUBMITTED:
        return [*lines, f"Rule: {'; '.join(a.reasons)}.", ""]
    lines += ["| domain | status | issues (check, severity: actual against expected) |", "|---|---|---|"]
    for domain, status in a.domains.items():
        issues = sorted(
            (r for r in a.results if r.domain is domain and r.failed),
            key=lambda r: (-r.severity.rank, r.check_id),
        )
        text = "; ".join(
            f"{r.check_id} {r.severity.value}"
            + (f": {r.actual} against {r.expected}" if r.actual and r.expected else f": {r.status.value}")
            + (f" (remedy: {r.remedy})" if r.remedy else "")
            for r in issues
        )
        lines.append(f"| {domain.label(a.checkpoint)} | {status.value} | {(text or '—').replace('|', '/')} |")
    lines += ["", f"Rule applied: {'; '.join(a.reasons)}."]
    if a.escalation:
        lines += [
            f"The {a.escalation.label(a.checkpoint).lower()} domain is escalated in the development plan."
        ]
    binding = sum(1 for i in a.development_plan if i.binding)
    if a.outcome.proceeds:
        lines += [f"Development plan: {len(a.development_plan)} item(s), {binding} binding."]
    return [*lines, ""]


def _firmness(ruleset: RuleSet, records: Sequence[Assessment]) -> list[str]:
    """How firm a decision is: the borderline rule, and the example cohort's borderline decisions."""
    tolerance = ruleset.robustness.borderline_tolerance
    lines = [
        "## How firm a decision is",
        "",
        "A check that compares a figure with thresholds records the figure and its lines with its result, so "
        "every record says how far each figure stands from each line (its *margin*, in the check's unit and as a "
        "share of the line). A decision is **borderline** when moving one threshold by at most "
        f"{tolerance:.0%} of itself (rule set `robustness.borderline_tolerance`) would change the outcome: the "
        "record names each such line (a *hinge*) and the outcome across it. A whole-number threshold moves only to "
        "whole numbers and a threshold at zero does not move, so neither is a hinge at that tolerance; a result an "
        "assessor overrode or waived is not moved [A]. `csu-assure whatif` and `csu-assure sweep` show what other "
        "thresholds would decide for a whole cohort.",
        "",
    ]
    hanging = [(a, h) for a in records if a.firmness is not None for h in a.firmness.hinges]
    if hanging:
        lines += [
            "| CSU | checkpoint | outcome | figure against its line | outcome across it |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {a.csu_name} | {int(a.checkpoint)} | {a.outcome.label} | {h.margin.text} | "
            f"{h.outcome_if_crossed.label} |"
            for a, h in hanging
        ]
        lines.append("")
    return lines


def render_decision_model(
    catalogue: Catalogue, ruleset: RuleSet, calendar: Calendar, examples: Sequence[Assessment]
) -> str:
    """The whole page. `examples` are records to draw worked examples from (the example cohort's)."""
    lines = [
        "# The decision model",
        "",
        f"<!-- Generated by `{REGENERATE}` from the decision code, the rule set ({ruleset.name} {ruleset.version}), "
        "the catalogue and the example cohort's assessments. Do not edit by hand: a test fails when this page "
        "is stale. -->",
        "",
        "How an assessment's checks become a decision, as the BDU decided in 2012 (BRIEF.md, \"The decision "
        'model", revised). Sources are marked **[S]** sourced from the 2012 record, **[D]** derived from '
        "sourced figures, **[A]** our assumption where the record is silent. Each check's thresholds and the "
        "reason for its severity are in the [rule reference](rules.md).",
        "",
        *_model(ruleset),
        *_context(ruleset, calendar, catalogue),
        *_checks(catalogue, ruleset),
        *_firmness(ruleset, examples),
        "## Worked examples",
        "",
        "Assessments of the example cohort (`submissions/example-cohort`), one for each outcome it reaches, as "
        "the engine decided them: each domain's status, the issues that set it, and the rule applied.",
        "",
    ]
    for a in worked_examples(examples):
        lines += _example(a)
    return "\n".join(lines).rstrip() + "\n"
