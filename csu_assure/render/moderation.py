"""What an assessor reads before moderating a draft: its failing checks with their findings, the exact
`csu-assure moderate` commands, and the Resume form's description (Markdown, for Prefect artifacts and forms)."""

from __future__ import annotations

from csu_assure.render.markdown import assessment_markdown, md
from csu_assure.results import Assessment, CheckResult

WAIVER_RULE = (
    "A waiver needs its last day (from today on): the check does not count until then, and the day after, the "
    "CSU is re-assessed without it and an amended report issued."
)


def failing_checks(a: Assessment) -> tuple[CheckResult, ...]:
    """The draft's failing results (what a waiver may answer), the most serious first, then by check id."""
    return tuple(sorted(a.issues, key=lambda r: (-r.severity.rank, r.check_id)))


def check_choice(r: CheckResult) -> str:
    """One line naming a check for an assessor choosing it: id, result, severity and finding."""
    return f"{r.check_id} ({r.status.value}, {r.severity.value}): {' '.join(r.finding.split())}"


def moderate_commands(flow_run_id: str, a: Assessment) -> tuple[str, str]:
    """The two commands that moderate the paused run: accept it as it stands, or override and waive checks
    (shown with the first failing check, or the first check when none fails)."""
    failing = failing_checks(a)
    example = (failing or a.results)[0].check_id if (failing or a.results) else "CHECK-ID"
    base = f'csu-assure moderate {flow_run_id} --assessor "YOUR NAME"'
    adjust = f'{base} --override {example}=PASS:"reason"'
    if failing:
        adjust += f' --waive {example}:YYYY-MM-DD:"reason"'
    return f"{base} --accept", adjust


def failing_checks_markdown(a: Assessment) -> str:
    failing = failing_checks(a)
    if not failing:
        return "No check fails in this draft: there is nothing to waive (any check can still be overridden)."
    lines = ["| Check | Result | Severity | Finding |", "|---|---|---|---|"]
    lines += [
        f"| **{r.check_id}** {md(r.name)} | {r.status.value} | {r.severity.value} | {md(r.finding)} |"
        for r in failing
    ]
    return "\n".join(lines)


def form_description(a: Assessment, rejected: str | None = None) -> str:
    """The Resume form's description: why the form was shown again (if it was), the draft's decision and
    failing checks, and what each part of the form does."""
    lines = []
    if rejected:
        lines += [
            f"**Not applied: {md(rejected)}.** Nothing was recorded. What you entered is filled in below: "
            "correct it and submit again.",
            "",
        ]
    lines += [
        f"**{md(a.csu_name)} ({md(a.csu_id)}), {a.checkpoint.title}: draft decision {md(a.outcome.label)}.**",
        "",
        "Submit with no override and no waiver to accept the draft as it stands. Every override and waiver you "
        "enter is applied: there is no separate decision to choose. Each needs a reason. " + WAIVER_RULE,
        "",
        "Failing checks:",
        "",
        failing_checks_markdown(a),
    ]
    return "\n".join(lines)


def draft_markdown(a: Assessment, flow_run_id: str) -> str:
    """The paused run's draft: its summary, its failing checks, and how to moderate it."""
    accept, adjust = moderate_commands(flow_run_id, a)
    return "\n".join(
        [
            assessment_markdown(a),
            "",
            "## Failing checks",
            "",
            failing_checks_markdown(a),
            "",
            "## Moderating this draft",
            "",
            "Use this run's **Resume** form, or from a terminal:",
            "",
            "```",
            accept,
            adjust,
            "```",
            "",
            "`--override` and `--waive` may each be given more than once. " + WAIVER_RULE,
        ]
    )
