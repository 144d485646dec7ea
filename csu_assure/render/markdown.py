"""Markdown renderings of records, for Prefect artifacts: one assessment, its check results, a cohort."""

from __future__ import annotations

from csu_assure.domain import Domain, Rag
from csu_assure.results import Assessment, CohortSummary

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]<>()#+!|"})
RAG_MARK = {Rag.GREEN: "🟢 GREEN", Rag.AMBER: "🟠 AMBER", Rag.RED: "🔴 RED"}
_DATA_QUALITY_NOTE = (
    "Implausible figures, for the assessor to resolve with the CSU. Optional data was set aside before the checks "
    "ran (the checks that needed it report insufficient evidence); required data was judged as given."
)


def md(text: object) -> str:
    """Text from a submission made inert in Markdown (no links, HTML or table breaks)."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def assessment_markdown(a: Assessment) -> str:
    """Decision, RAG by domain and conditions, for a Prefect markdown artifact."""
    lines = [
        f"# {md(a.csu_name)} ({md(a.csu_id)}) — {a.checkpoint.title}",
        "",
        f"**Decision: {md(a.outcome.label)}**"
        + (
            f" — escalation of {a.escalation.label(a.checkpoint).lower()}: leadership intervention or merger"
            if a.escalation
            else ""
        ),
        "",
        f"Moderation: {a.moderation.status}"
        + (f" by {md(a.moderation.assessor)}" if a.moderation.assessor else ""),
        "",
        *(
            [f"**Amended** on {a.amendment.on.isoformat()}: {md(a.amendment.reason)}", ""]
            if a.amendment
            else []
        ),
        "| Domain | Status |",
        "|---|---|",
        *(f"| {d.label(a.checkpoint)} | {RAG_MARK[s.rag]} {s.value} |" for d, s in a.domains.items()),
        "",
    ]
    if a.conditions:
        lines += ["## Conditions and reasons", ""]
        lines += [
            f"- **{c.check_id}** ({c.severity.value}, {c.status.value}): {md(c.finding)}"
            for c in a.conditions
        ]
    else:
        lines.append("No conditions.")
    if a.data_quality:
        lines += ["", "## Data quality", "", _DATA_QUALITY_NOTE, ""]
        lines += [
            f"- {md(issue)}{'' if issue.set_aside else ' (judged as given)'}" for issue in a.data_quality
        ]
    lines += [
        "",
        f"Assessment {a.assessment_id}, as of {a.provenance.as_of.isoformat()}, rule set "
        f"{md(a.provenance.ruleset_name)} {md(a.provenance.ruleset_version)}.",
    ]
    if a.report_path:
        lines += ["", f"Word report: {md(a.report_path)}"]
    return "\n".join(lines)


def results_table(a: Assessment) -> list[dict[str, str]]:
    """One row per check result, for a Prefect table artifact."""
    return [
        {
            "check": r.check_id,
            "domain": r.domain.value,
            "severity": r.severity.value,
            "status": r.status.value,
            "computed": r.computed_status.value,
            "rag": r.rag.value,
            "actual": r.actual or "",
            "expected": r.expected,
            "finding": r.finding,
            "override": f"{r.adjustment.assessor}: {r.adjustment.reason}" if r.adjustment else "",
        }
        for r in a.results
    ]


def cohort_markdown(summary: CohortSummary, rows_up_to: int | None = None) -> str:
    """Counts by outcome, then a row per CSU (the first `rows_up_to` of them, if given) and every error."""
    domains = _domains(summary)
    lines = [
        f"# Cohort {md(summary.cohort)} — {summary.checkpoint.title}",
        "",
        "| Outcome | CSUs |",
        "|---|---|",
        *(f"| {md(label)} | {n} |" for label, n in summary.counts.items()),
        "",
        "| CSU | Status | Decision | " + " | ".join(d.value for d in domains) + " |",
        "|---|---|---|" + "---|" * len(domains),
    ]
    shown = summary.rows if rows_up_to is None else summary.rows[:rows_up_to]
    for row in shown:
        s = row.summary
        rags = [RAG_MARK[s.domains[d].rag] if s and d in s.domains else "" for d in domains]
        decision = md(s.outcome.label) if s else md(row.message)
        lines.append(f"| {md(row.csu_name)} | {row.disposition} | {decision} | " + " | ".join(rags) + " |")
    if len(shown) < len(summary.rows):
        lines += [
            "",
            f"… and {len(summary.rows) - len(shown):,} more CSUs: every one is in the cohort report and the "
            "register (`csu-assure export`).",
        ]
    if summary.errors:
        lines += ["", "## Errors", ""] + [f"- {md(r.csu_id)}: {md(r.message)}" for r in summary.errors]
    return "\n".join(lines)


def _domains(summary: CohortSummary) -> list[Domain]:
    seen = {d for r in summary.rows if r.summary for d in r.summary.domains}
    return [d for d in Domain if d in seen]
